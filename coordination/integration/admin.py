"""Admin of the ERP integration (PMO): API clients and tokens, webhook endpoints, delivery log.

Writes go through coordination.integration.services / coordination.integration.webhooks (same rules
as anywhere).
A new token's key is shown once, in the confirmation message; only its hash is kept.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core.events import EVENTS
from coordination.core.services import record_audit, snapshot
from coordination.integration import deliveries
from coordination.integration import services as integration
from coordination.integration.models import (
    ApiClient,
    ApiClientToken,
    ApiScope,
    IdempotencyRecord,
    WebhookDelivery,
    WebhookEndpoint,
)

CLIENT_FIELDS = ["name", "active", "scopes", "user", "throttle_rate"]


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "active", "scopes", "user", "throttle_rate", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["user"].required = False
        # left blank on a new client, Django leaves "user" out of model validation and
        # the service creates a dedicated service user


class ApiClientTokenInline(admin.TabularInline):
    model = ApiClientToken
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "state"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("状态"))
    def state(self, obj):
        return gettext("有效") if obj.is_valid() else gettext("无效")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "active", "scope_list", "user", "throttle_rate", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "user__username", "notes"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_used_at"]
    inlines = [ApiClientTokenInline]
    actions = ["rotate_with_grace", "rotate_revoke_now", "revoke_all"]

    @admin.display(description=_("权限范围"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    def save_model(self, request, obj, form, change):
        if not change:
            client, key = integration.create_api_client(
                name=obj.name,
                scopes=obj.scopes,
                user=form.cleaned_data.get("user"),
                throttle_rate=obj.throttle_rate,
                notes=obj.notes,
                by=request.user,
            )
            if not client.active:
                ApiClient.objects.filter(pk=client.pk).update(active=False)
            form.instance = obj = client
            self._show_key(request, client, key)
            return
        before = snapshot(ApiClient.objects.get(pk=obj.pk), CLIENT_FIELDS)
        super().save_model(request, obj, form, change)
        after = snapshot(obj, CLIENT_FIELDS)
        if before != after:
            record_audit(
                actor=request.user,
                action="api_client.updated",
                target=obj,
                before=before,
                after=after,
            )

    @staticmethod
    def _show_key(request, client, key):
        messages.warning(
            request,
            format_html(
                "{}<br><code style='user-select:all'>{}</code>",
                gettext("客户端 %(name)s 的新令牌（只显示这一次，请立即保存）：")
                % {"name": client.name},
                key,
            ),
        )

    @admin.action(description=_("轮换令牌（旧令牌24小时内仍有效）"))
    def rotate_with_grace(self, request, queryset):
        for client in queryset:
            key = integration.rotate_token(client.pk, by=request.user)
            self._show_key(request, client, key)

    @admin.action(description=_("轮换令牌并立即吊销旧令牌"))
    def rotate_revoke_now(self, request, queryset):
        for client in queryset:
            key = integration.rotate_token(client.pk, by=request.user, grace=None)
            self._show_key(request, client, key)

    @admin.action(description=_("吊销全部令牌"))
    def revoke_all(self, request, queryset):
        for client in queryset:
            integration.revoke_tokens(client.pk, by=request.user)
        messages.success(request, gettext("已吊销。"))


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=[(e, e) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "event_list", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("订阅事件"))
    def event_list(self, obj):
        return ", ".join(obj.events or [])

    def save_model(self, request, obj, form, change):
        integration.save_webhook_endpoint(obj, by=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only; failed deliveries can be sent again."""

    list_display = [
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    search_fields = ["delivery_id", "event", "endpoint__name", "last_error"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送失败的投递"))
    def send_again(self, request, queryset):
        for delivery in queryset.filter(status=WebhookDelivery.Status.FAILED):
            deliveries.redeliver(delivery.pk)
        messages.success(request, gettext("已重新加入发送队列。"))


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "principal", "key", "method", "path", "status_code", "expires_at"]
    search_fields = ["principal", "key", "path"]
    list_filter = ["method", "status_code"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
