"""PMO's list of the customer survey links: read-only (a link is made and revoked through
kpi.surveys.services, from the project's KPI tab or the API); the token is never stored, its
hash is not shown either."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import ReadOnlyAdmin
from coordination.core.exceptions import Conflict
from kpi.surveys import services
from kpi.surveys.models import SurveyInvitation


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "project",
        "recipient_name",
        "email",
        "language",
        "status_label",
        "expires_at",
        "used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]
    list_filter = ["language", "created_at"]
    search_fields = ["project__code", "project__name", "recipient_name", "email"]
    list_select_related = ["project", "created_by"]
    fields = [
        "project",
        "recipient_name",
        "email",
        "language",
        "expires_at",
        "used_at",
        "revoked_at",
        "revoked_by",
        "created_by",
        "created_at",
        "survey",
    ]
    readonly_fields = fields  # every field but the token's hash
    actions = ["revoke"]

    @admin.display(description=_("状态"))
    def status_label(self, obj) -> str:
        return obj.get_status_display()

    @admin.action(description=_("撤回所选问卷链接"))
    def revoke(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.revoke_invitation(pk, by=request.user)
                done += 1
            except (PermissionDenied, Conflict) as exc:
                messages.warning(request, str(exc))
        if done:
            messages.success(request, _("已撤回 %(n)s 个问卷链接。") % {"n": done})
