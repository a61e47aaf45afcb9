"""PMO's back office for the chat platforms: linked accounts, choices and the work-notice
outbox, with per platform the last success, the last error and the queue."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from coordination.chat.models import ChatIdentity, WorkNotice


@admin.register(ChatIdentity)
class ChatIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "platform", "external_id", "work_notices")
    list_filter = ("platform", "work_notices")
    search_fields = ("user__username", "external_id")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


def channel_health() -> list[dict]:
    """Per platform: queued, failed, last success, last error (the admin list's header)."""
    rows = (
        WorkNotice.objects.values("platform")
        .annotate(
            queued=Count("pk", filter=Q(status=WorkNotice.Status.PENDING)),
            failed=Count("pk", filter=Q(status=WorkNotice.Status.FAILED)),
            last_success=Max("sent_at"),
            last_error_at=Max("next_attempt_at", filter=~Q(last_error="")),
        )
        .order_by("platform")
    )
    health = []
    for row in rows:
        last = (
            WorkNotice.objects.filter(platform=row["platform"])
            .exclude(last_error="")
            .order_by("-pk")
            .values_list("last_error", flat=True)
            .first()
        )
        health.append({**row, "last_error": last or ""})
    return health


@admin.register(WorkNotice)
class WorkNoticeAdmin(admin.ModelAdmin):
    list_display = ("notification", "platform", "external_id", "status", "attempts", "sent_at")
    list_filter = ("platform", "status")
    list_select_related = ("notification",)
    readonly_fields = [f.name for f in WorkNotice._meta.fields]
    change_list_template = "admin/chat/worknotice/change_list.html"
    actions = ["retry_now"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "channel_health": channel_health()}
        return super().changelist_view(request, extra_context=extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("重新发送失败的通知"))
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=WorkNotice.Status.SENT).update(
            status=WorkNotice.Status.PENDING, next_attempt_at=None, attempts=0
        )
        self.message_user(request, _("已排队 %(n)d 条") % {"n": count})
