"""Private calendar feeds (日历订阅): one secret URL per user and per project. Imported by
name from coordination/models.py."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarFeed", "new_token"]


def new_token() -> str:
    """An unguessable URL token (256 bits)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of one user's or one project's iCalendar feed. Whoever has the URL
    reads the feed without logging in (calendar clients cannot), so resetting the token is
    the only way to revoke it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    reset_at = models.DateTimeField(_("上次重置"), null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, project__isnull=True)
                | Q(user__isnull=True, project__isnull=False),
                name="calendar_feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        if self.project_id:
            return f"{_('项目')} {self.project}"
        return f"{_('用户')} {self.user}"
