"""A private link by which the customer answers the satisfaction survey themselves.

The link's token is shown once to the staff who made it (and e-mailed if an address is
given); the database keeps only its SHA-256, so neither a backup nor the admin can open it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Timestamped, author_field


def new_token() -> str:
    """An unguessable URL token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored and looked up: the token's SHA-256 (hex). An index lookup on the hash
    compares no secret byte by byte, so timing tells nothing about a stored token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SurveyInvitation(Timestamped):
    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", _("简体中文")
        EN = "en", "English"

    class Status(models.TextChoices):
        PENDING = "pending", _("待填写")
        ANSWERED = "answered", _("已填写")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤回")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    recipient_name = models.CharField(_("客户联系人"), max_length=200)
    email = models.EmailField(_("电子邮件"), blank=True, default="")
    language = models.CharField(
        _("语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = author_field(_("发送人"))
    survey = models.OneToOneField(
        "kpi.SatisfactionSurvey",
        verbose_name=_("满意度调查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    class Meta:
        verbose_name = _("客户问卷链接")
        verbose_name_plural = _("客户问卷链接")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="survey_invitation_used_or_revoked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.recipient_name} ({self.get_status_display()})"

    def status_at(self, now=None) -> str:
        if self.used_at:
            return self.Status.ANSWERED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
