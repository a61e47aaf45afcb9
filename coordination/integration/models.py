"""ERP integration: API clients and their hashed tokens, outgoing webhooks, idempotency keys.

An ApiClient acts as a service user (so the usual visibility rules apply to what it reads)
and is limited by its scopes; every request it makes is audited as "api:<name>".
"""

from __future__ import annotations

import hashlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.events import EVENTS
from coordination.integration import guard
from coordination.integration.guard import UnsafeTarget

__all__ = [
    "ApiScope",
    "ApiClient",
    "ApiClientToken",
    "WebhookEndpoint",
    "WebhookDelivery",
    "IdempotencyRecord",
]

TOKEN_PREFIX = "hubc_"  # nosec B105 (a public key prefix, not a secret)
RATE_RE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


class ApiScope(models.TextChoices):
    READ = "read", _("读取")
    WRITE_CUSTOMERS = "write_customers", _("写入客户")
    WRITE_PROJECTS = "write_projects", _("写入项目（含里程碑、风险、阶段变更）")
    WRITE_KPI_INPUTS = "write_kpi_inputs", _("写入KPI数据（满意度调查、投诉）")


def hash_token(key: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


def validate_rate(value: str) -> None:
    if not RATE_RE.match(value or ""):
        raise ValidationError(_("格式为 次数/周期，例如 600/min、10/s、5000/hour。"))


def validate_scopes(value) -> None:
    allowed = set(ApiScope.values)
    if not isinstance(value, list) or not all(v in allowed for v in value):
        raise ValidationError(_("未知的权限范围。"))


class ApiClient(models.Model):
    """An ERP system (SAP, Kingdee, Yonyou...) calling the API with its own scoped tokens."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True, validators=[validate_scopes])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务用户"),
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("客户端以该用户身份访问，适用该用户的可见范围（留空时自动创建PMO服务用户）。"),
    )
    throttle_rate = models.CharField(
        _("限流"), max_length=20, default="600/min", validators=[validate_rate]
    )
    notes = models.TextField(_("备注"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API客户端")
        verbose_name_plural = _("API客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiClientToken(models.Model):
    """One key of a client, stored as its SHA-256 only; shown once when created."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("客户端"), on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField(_("前缀"), max_length=16, help_text=_("用于识别，非机密"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("过期时间"), null=True, blank=True, help_text=_("轮换后旧令牌的宽限期截止")
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API客户端令牌")
        verbose_name_plural = _("API客户端令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client} {self.prefix}…"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class WebhookEndpoint(models.Model):
    """A URL the hub POSTs signed domain events to (API.md "Webhooks out")."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=200, help_text=_("HMAC-SHA256 签名用，接收方用它校验签名")
    )
    events = models.JSONField(_("订阅事件"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("Webhook 端点")
        verbose_name_plural = _("Webhook 端点")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.events, list) or any(e not in EVENTS for e in self.events):
            errors["events"] = [_("未知的事件。")]
        if self.url:
            try:
                guard.check_target(self.url)
            except UnsafeTarget as exc:
                errors["url"] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def subscribes(self, event: str) -> bool:
        return event in (self.events or [])


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row and its delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        RETRYING = "retrying", _("重试中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("端点"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("事件"), max_length=60)
    delivery_id = models.UUIDField(_("投递编号"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("最近状态码"), null=True, blank=True)
    last_response = models.TextField(_("最近响应"), blank=True, default="")
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.delivery_id})"


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying `Idempotency-Key`, replayed for repeats."""

    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="uniq_idempotency_key")
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
