"""Chat platforms' data: who a product user is on each platform and one delivery row per
notice and platform. Which kinds of event a user wants as a work notice is their notification
preferences' work-notice column (coordination.core.models.NotificationPreference)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Notification


class Platform(models.TextChoices):
    DINGTALK = "dingtalk", _("钉钉")
    WECOM = "wecom", _("企业微信")
    FEISHU = "feishu", _("飞书")


class ChatIdentity(models.Model):
    """A product user's id on one platform (DingTalk userid, WeCom UserID, Feishu user_id)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="chat_identities",
    )
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("平台用户ID"), max_length=128)
    work_notices = models.BooleanField(_("接收工作通知"), default=True)

    class Meta:
        verbose_name = _("平台账号")
        verbose_name_plural = _("平台账号")
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="chat_identity_once"),
            models.UniqueConstraint(fields=["user", "platform"], name="chat_identity_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}:{self.external_id}"


class WorkNotice(models.Model):
    """One in-app notification sent to one platform: the outbox row of the chat channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="work_notices"
    )
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("平台用户ID"), max_length=128)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    platform_message_id = models.CharField(_("平台消息ID"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("工作通知")
        verbose_name_plural = _("工作通知")
        constraints = [
            models.UniqueConstraint(fields=["notification", "platform"], name="work_notice_once")
        ]
        indexes = [models.Index(fields=["platform", "status"])]

    def __str__(self) -> str:
        return f"{self.platform} #{self.notification_id} {self.status}"
