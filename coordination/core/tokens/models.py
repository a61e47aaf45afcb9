"""A person's API token for one device (knox's token model, with what the profile page shows).

Only the key's SHA-512 (`digest`) is stored; the key is shown once, when it is issued. Every
token ends (`expiry` is required); a revoked token is deleted, so it cannot authenticate again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    id = models.BigAutoField(primary_key=True)  # knox keys by digest; pages and admin by id
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auth_token_set",  # knox's name for a user's tokens
        verbose_name=_("用户"),
    )
    name = models.CharField(_("设备"), max_length=100, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expiry = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最后使用"), null=True, blank=True)
    legacy = models.BooleanField(
        _("由旧令牌迁移"),
        default=False,
        help_text=_("升级前签发的永久令牌，沿用原密钥直到到期。"),
    )

    class Meta:
        verbose_name = _("个人API令牌")
        verbose_name_plural = _("个人API令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or '—'}"

    @property
    def is_live(self) -> bool:
        return self.expiry > timezone.now()
