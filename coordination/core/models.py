"""People, audit trail, in-app notifications and numbering shared by every app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core import audit_chain
from coordination.core.concurrency import VERSION_FIELD, next_version


def author_field(verbose_name) -> models.ForeignKey:
    """Who created a row; kept when that user is deleted, no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Timestamped(models.Model):
    """When a row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Authored(Timestamped):
    """Timestamped, and who created it (kept when that user is deleted)."""

    created_by = author_field(_("创建人"))

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A record two people may edit: `edit_version` is 1 when created and one more at every
    saved change, so a writer can say which version it changes (coordination.core.concurrency).

    Every save of an existing row writes `edit_version = edit_version + 1` in its own UPDATE,
    so the admin, the services and the seeders all count, at no extra query. The in-memory
    value becomes the read one plus one: exact when the caller holds the row lock, as every
    service does; otherwise at most behind, which only ever makes a later If-Match stale.
    `db_default` serves the set-based inserts that name no version (the ERP bulk upsert)."""

    edit_version = models.PositiveIntegerField(
        _("编辑版本"), default=1, db_default=1, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if self._state.adding or (fields is not None and not fields):  # insert, or no write
            return super().save(*args, **kwargs)
        if fields is not None:
            kwargs["update_fields"] = {*fields, VERSION_FIELD}
        seen = self.edit_version
        self.edit_version = next_version()
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.edit_version = seen
            raise
        self.edit_version = seen + 1


class Department(models.TextChoices):
    BUSINESS = "business", _("业务部")
    ENGINEERING = "engineering", _("工程管理部")
    FINANCE = "finance", _("财务部")
    PMO = "pmo", _("项目管理办公室")


class RootCause(models.TextChoices):
    """The article's five causes of business-engineering friction (complaints' root causes,
    lessons' causes)."""

    GOAL_CONFLICT = "goal_conflict", _("目标冲突")
    INFORMATION_ASYMMETRY = "information_asymmetry", _("信息不对称")
    PROCESS_BREAK = "process_break", _("流程断裂")
    SPLIT_KPIS = "split_kpis", _("考核割裂")
    CULTURE_GAP = "culture_gap", _("文化差异")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    department = models.CharField(
        _("部门"), max_length=20, choices=Department.choices, blank=True, default=""
    )
    title = models.CharField(_("职务"), max_length=100, blank=True, default="")
    language = models.CharField(
        _("界面语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("电话"), max_length=40, blank=True, default="")
    notify_email = models.BooleanField(_("邮件提醒"), default=True)
    notify_chat = models.BooleanField(_("群聊机器人提醒"), default=False)
    notify_inapp = models.BooleanField(_("站内提醒"), default=True)
    chat_webhook_url = models.URLField(_("群聊机器人地址"), blank=True, default="")
    # One e-mail a day with the unread notifications of the last day (coordination.notifications
    # .digest); off unless the user asks for it.
    daily_digest = models.BooleanField(_("每日通知摘要邮件"), default=False)

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_department_display()})"


class AuditEvent(models.Model):
    """Who did what to which object, when, before → after, and why. Append-only.

    Each event carries the hash of the one before it (coordination.core.audit_chain): an
    edited, deleted or slipped-in row breaks the chain, and `manage.py verify_audit` (or the
    admin's 校验审计链) names the first broken link. `save()` chains a new event; the set-based
    `record_audit_many` chains its rows the same way."""

    # set when the event is made, not at INSERT: the hash is computed before the row is written
    created_at = models.DateTimeField(
        _("时间"), default=timezone.now, editable=False, db_index=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作方"), max_length=150, blank=True, default="")
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80)
    target_id = models.CharField(_("对象ID"), max_length=80)
    target_repr = models.CharField(_("对象"), max_length=255, blank=True, default="")
    project_code = models.CharField(
        _("项目编号"), max_length=40, blank=True, default="", db_index=True
    )
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True, default="")
    prev_hash = models.CharField(_("前一条的哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希(SHA-256)"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            # two events chained to the same predecessor would fork the chain
            models.UniqueConstraint(fields=["prev_hash"], name="auditevent_one_successor")
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"audit event {self.pk} cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            prev, ids = audit_chain.next_links(type(self), 1, using)
            audit_chain.seal([self], prev, ids)
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)


class Notification(models.Model):
    """The in-app inbox: one message for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    kind = models.CharField(_("类型"), max_length=60)
    subject = models.CharField(_("标题"), max_length=255)
    body = models.TextField(_("内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=500, blank=True, default="")
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Events of one kind about one target (its url) while unread fold into this row
    # (coordination.core.services.notify): how many there were.
    occurrences = models.PositiveIntegerField(_("次数"), default=1)
    # The code of the project the event is about (the centre's project filter); blank when
    # it is about no single project.
    project_code = models.CharField(_("项目编号"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "project_code"], name="notification_user_project"),
        ]

    def __str__(self) -> str:
        return self.subject

    @classmethod
    def unread_of(cls, user) -> models.QuerySet:
        """`user`'s unread notifications: what the navigation's badge, the home page's counter
        and the notification centre count (one rule, one place)."""
        return cls.objects.filter(user=user, read_at__isnull=True)


class NotificationPreference(models.Model):
    """A user's choice for one kind of event on one channel. Without a row the channel's
    default holds (coordination.core.channels_rule: every channel on); a row is kept only
    where the choice differs from it."""

    class Channel(models.TextChoices):
        INAPP = "inapp", _("站内")
        EMAIL = "email", _("邮件")
        WORK_NOTICE = "work_notice", _("工作通知")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("事件类型"), max_length=60)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    enabled = models.BooleanField(_("发送"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}/{self.channel}={self.enabled}"


class NotificationDigest(models.Model):
    """One daily digest e-mail to one user for one day: the unique row makes a re-run of the
    digest task send nothing twice (coordination.notifications.digest)."""

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_digests",
    )
    day = models.DateField(_("日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    count = models.PositiveIntegerField(_("通知数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True, default="")

    class Meta:
        verbose_name = _("每日通知摘要")
        verbose_name_plural = _("每日通知摘要")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notification_digest_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.day} {self.status}"


class Sequence(models.Model):
    """Gap-tolerant counters for human-readable numbers (PRJ-2026-0001, CR-001)."""

    name = models.CharField(max_length=100, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class CompanyDayOff(models.Model):
    """A company day off or a site shutdown (inclusive dates) on top of China's statutory
    calendar: no working day falls inside it (coordination.core.workdays)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("公司休息日")
        SHUTDOWN = "shutdown", _("停工检修")

    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(_("名称"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公司休息日")
        verbose_name_plural = _("公司休息日")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="day_off_end_after_start"
            )
        ]

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.start} {self.name}"
        return f"{self.start}–{self.end} {self.name}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
        if self.start and self.end and (self.end - self.start).days > 366:
            raise ValidationError({"end": [_("一段休息日或停工最长366天。")]})
