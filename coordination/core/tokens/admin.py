"""PMO's view of people's API tokens: who has which, since when, last used, until when; PMO
revokes them here (audited). Keys are never shown (only their hash is stored)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import ReadOnlyAdmin
from coordination.core.roles import is_pmo
from coordination.core.tokens.models import ApiToken
from coordination.core.tokens.services import revoke_tokens


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "created", "last_used_at", "expiry", "legacy"]
    list_filter = ["legacy"]
    search_fields = ["user__username", "name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "created", "last_used_at", "expiry", "legacy"]
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.is_superuser or is_pmo(request.user)

    @admin.action(description=_("吊销所选令牌"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = revoke_tokens(queryset, by=request.user, reason="admin")
        messages.success(
            request,
            gettext("已吊销 %(n)d 个令牌。") % {"n": count}
            if count
            else gettext("没有可吊销的令牌。"),
        )
