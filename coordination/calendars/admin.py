"""PMO's view of the calendar feeds: who has one, when it was reset; a leaked address is
reset here (the same service as the pages)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from coordination.calendars.models import CalendarFeed
from coordination.calendars.services import reset_feed_admin


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "project", "created_at", "reset_at")
    list_select_related = ("user", "project")
    search_fields = ("user__username", "project__code")
    readonly_fields = ("user", "project", "created_at", "reset_at")
    exclude = ("token",)  # a secret: never shown in the back office
    actions = ["reset_tokens"]

    def has_add_permission(self, request):
        return False  # feeds are issued on first use

    @admin.action(description=_("重置所选订阅地址（旧地址失效）"))
    def reset_tokens(self, request, queryset):
        for feed in queryset:
            reset_feed_admin(feed, by=request.user)
        messages.success(request, _("已重置 %(n)s 个订阅地址。") % {"n": queryset.count()})
