"""The review loop (例会机制): cadences, their occurrences, action items, the reminder
outbox. Imported at the end of coordination/models.py."""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core import workdays
from coordination.core.models import Authored, Department, Timestamped, Versioned
from coordination.core.text import join_list
from coordination.core.workdays import WorkCalendar

__all__ = [
    "ActionItem",
    "Reminder",
    "Review",
    "ReviewAttendance",
    "ReviewCadence",
    "ReviewKind",
]


class ReviewKind(models.TextChoices):
    DAILY_STANDUP = "daily_standup", _("每日站会")
    WEEKLY_MEETING = "weekly_meeting", _("每周例会")
    MONTHLY_RETROSPECTIVE = "monthly_retrospective", _("月度复盘")


WEEKDAY_CHOICES = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]


class ReviewCadence(Authored):
    """When a project's (or the company's) stand-ups, weekly meetings or retrospectives happen."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_cadences",
        help_text=_("留空表示全公司例会。"),
    )
    kind = models.CharField(_("例会类型"), max_length=30, choices=ReviewKind.choices)
    title = models.CharField(_("名称"), max_length=200, blank=True, default="")
    time_of_day = models.TimeField(_("开始时间"), default=datetime.time(9, 0))
    duration_minutes = models.PositiveIntegerField(
        _("时长(分钟)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"), null=True, blank=True, choices=WEEKDAY_CHOICES, help_text=_("每周例会必填。")
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("每月几号"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("月度复盘必填；超过当月天数时取月末。"),
    )
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    # A company cadence (no project) for some departments only, e.g. the monthly
    # business-engineering retrospective: ["business", "engineering"]; empty: company-wide.
    departments = models.JSONField(_("参与部门"), default=list, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参会人"),
        blank=True,
        related_name="review_cadences",
    )
    is_active = models.BooleanField(_("启用"), default=True, db_index=True)

    class Meta:
        verbose_name = _("例会机制")
        verbose_name_plural = _("例会机制")
        ordering = ["project_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="weekly_meeting") | Q(weekday__isnull=False),
                name="cadence_weekly_has_weekday",
            ),
            models.CheckConstraint(
                condition=~Q(kind="monthly_retrospective") | Q(day_of_month__isnull=False),
                name="cadence_monthly_has_day",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=0, weekday__lte=6),
                name="cadence_weekday_in_range",
            ),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True)
                | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="cadence_day_of_month_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.title or self.get_kind_display()}"

    @property
    def scope_label(self) -> str:
        """The project's code, the departments of a department cadence (业务部、工程管理部),
        or 全公司."""
        if self.project_id:
            return self.project.code
        if self.departments:
            labels = dict(Department.choices)  # a stray value reads as itself, never a 500
            return join_list([str(labels.get(d, d)) for d in self.departments])
        return str(_("全公司"))

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def occurs_on(self, day: datetime.date, workcal: WorkCalendar | None = None) -> bool:
        """The calendar rule on China's working calendar (coordination.core.workdays):
        stand-ups on working days (调休 make-up Saturdays included, never on a statutory
        holiday or a company day off); weekly meetings on their weekday unless that day is a
        holiday or company day off (that week's meeting is skipped); retrospectives on their
        day of month (clamped to the month's last day), moved to the next working day when
        that day is a holiday or company day off. Pass one `workcal` for a run over many
        days; without it the calendar is loaded (one query)."""
        workcal = workcal or workdays.calendar()
        if self.kind == ReviewKind.DAILY_STANDUP:
            return workcal.is_working_day(day)
        if self.kind == ReviewKind.WEEKLY_MEETING:
            return (
                self.weekday is not None
                and day.weekday() == self.weekday
                and not workcal.is_closed(day)
            )
        if self.kind == ReviewKind.MONTHLY_RETROSPECTIVE:
            if not self.day_of_month:
                return False
            this_month = datetime.date(day.year, day.month, 1)
            last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
            return any(self._retro_day(month, workcal) == day for month in (this_month, last_month))
        return False

    def _retro_day(self, month: datetime.date, workcal: WorkCalendar) -> datetime.date:
        last = calendar.monthrange(month.year, month.month)[1]
        day = month.replace(day=min(self.day_of_month, last))
        while workcal.is_closed(day):
            day = workcal.next_working_day(day)
        return day

    def starts_at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, self.time_of_day, tzinfo=self.tz)


class Review(Versioned, Timestamped):
    """One occurrence of a cadence (例会): minutes, decisions, attendance, retrospective."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待召开")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    cadence = models.ForeignKey(
        ReviewCadence, verbose_name=_("例会机制"), on_delete=models.CASCADE, related_name="reviews"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    kind = models.CharField(_("例会类型"), max_length=30, choices=ReviewKind.choices)
    date = models.DateField(_("日期"), db_index=True)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    minutes = models.TextField(_("会议纪要"), blank=True, default="")
    decisions = models.TextField(_("决议"), blank=True, default="")
    # Retrospective entries: [{"text": "...", "tag": "business" | "engineering"}]
    went_well = models.JSONField(_("做得好的"), default=list, blank=True)
    went_wrong = models.JSONField(_("做得不好的"), default=list, blank=True)
    improvements = models.JSONField(_("改进措施"), default=list, blank=True)
    # the keys of the minutes' proposed action items that were discarded (reviews.proposals)
    discarded_proposals = models.JSONField(_("已放弃的待办建议"), default=list, blank=True)

    class Meta:
        verbose_name = _("例会")
        verbose_name_plural = _("例会")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "date"], name="uniq_review_cadence_date")
        ]

    @property
    def display_title(self) -> str:
        """The review's name: its cadence's title when PMO or the PMs gave one, else the
        kind's label (pages, reminders and digests)."""
        return (
            self.cadence.title
            if self.cadence_id and self.cadence.title
            else str(self.get_kind_display())
        )

    def __str__(self) -> str:
        where = self.project.code if self.project_id else _("全公司")
        return f"{where} {self.get_kind_display()} {self.date:%Y-%m-%d}"


class ReviewAttendance(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参会人"),
        on_delete=models.CASCADE,
        related_name="review_attendance",
    )
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["review", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="uniq_review_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.user.get_username()}"


class ActionItem(Authored):
    """待办事项: an action decided in a review, with an owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("未完成")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    review = models.ForeignKey(
        Review,
        verbose_name=_("例会"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    title = models.CharField(_("事项"), max_length=255)
    description = models.TextField(_("说明"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_date = models.DateField(_("截止日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    lesson = models.ForeignKey(
        "coordination.Lesson",
        verbose_name=_("经验教训"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        help_text=_("由经验教训派生的改进措施。"),
    )

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="action_item_done_has_done_at",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today


class Reminder(models.Model):
    """The reminder outbox: one message to one person on one channel, sent exactly once.

    `target_key` names what the reminder is about ("review:12", "action:7",
    "week:2026-W48") so the unique constraint holds whatever the target kind.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        CHAT = "chat", _("群聊机器人")
        INAPP = "inapp", _("站内")

    class Kind(models.TextChoices):
        REVIEW_UPCOMING = "review_upcoming", _("例会即将开始")
        OVERDUE_OWNER = "overdue_owner", _("待办逾期(负责人)")
        OVERDUE_ESCALATION = "overdue_escalation", _("待办逾期升级(双项目经理)")
        WEEKLY_DIGEST = "weekly_digest", _("每周汇总")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    class Failure(models.TextChoices):
        """Why a row ended `failed`; last_error keeps the details."""

        OBSOLETE = "obsolete", _("已无需提醒")
        CHANNEL = "channel", _("渠道多次失败")
        LEASE = "lease", _("多次发送超时")

    target_key = models.CharField(_("提醒对象"), max_length=80)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("标题"), max_length=255)
    body = models.TextField(_("内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=500, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )  # indexed only by the partial indexes in Meta
    due_at = models.DateTimeField(_("应发送时间"), db_index=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    failure_reason = models.CharField(
        _("失败原因"), max_length=10, choices=Failure.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_key", "recipient", "channel", "kind"], name="uniq_reminder"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="reminder_sent_has_sent_at",
            ),
        ]
        # The sender's claim (coordination.reviews.reminders.send.claim_batch) reads due rows
        # from these
        # two partial indexes only: pending rows in send order, and rows stuck in `sending`.
        # No other index may lead with status: after a burst of new rows the statistics
        # still say "no pending rows", and the planner then preferred such an index and
        # sorted every pending row per claim (docs/performance.md).
        indexes = [
            models.Index(
                fields=["due_at", "id"], name="reminder_pending_due", condition=Q(status="pending")
            ),
            models.Index(
                fields=["claimed_at"],
                name="reminder_sending_claimed",
                condition=Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.channel})"
