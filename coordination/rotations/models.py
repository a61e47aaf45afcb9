"""Job rotation as a programme (互换岗位体验): a plan approved by both department heads, monthly
check-ins, a reflection and the host's assessment. Imported by coordination/models.py.

The model keeps its app (coordination), name and table (coordination_jobrotation) from the
time it was a plain record in the review loop; its old columns keep their names:
`user` is the person, `to_project` / `to_site` the host project or site, `start_date` /
`end_date` the planned dates."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department, Timestamped, author_field

__all__ = ["JobRotation", "RotationApproval", "RotationCheckIn", "RotationStatus"]


class RotationStatus(models.TextChoices):
    PLANNED = "planned", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    IN_PROGRESS = "in_progress", _("进行中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


S = RotationStatus
# The lifecycle: which status may follow which (one function per move in services.py).
ALLOWED_MOVES: dict[str, set[str]] = {
    S.PLANNED: {S.APPROVED, S.RETURNED, S.CANCELLED},
    S.RETURNED: {S.PLANNED, S.CANCELLED},
    S.APPROVED: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.CLOSED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}
OPEN_STATUSES = (S.PLANNED, S.RETURNED, S.APPROVED, S.IN_PROGRESS)


# What only the lifecycle's services write (the admin and the API show them read-only).
LIFECYCLE_FIELDS = (
    "status",
    "round",
    "actual_start",
    "actual_end",
    "host_score",
    "host_assessment",
    "assessed_by",
    "closed_at",
    "cancel_reason",
)


class JobRotation(Timestamped):
    """互换岗位体验: someone from one department spends a while with another (a project or site)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="job_rotations",
    )
    from_department = models.CharField(_("原部门"), max_length=20, choices=Department.choices)
    # blank only on records kept from before rotations were planned and approved
    host_department = models.CharField(
        _("接收部门"), max_length=20, choices=Department.choices, blank=True, default=""
    )
    to_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("轮岗项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job_rotations",
    )
    to_site = models.CharField(_("轮岗现场/岗位"), max_length=200, blank=True, default="")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentored_rotations",
    )
    start_date = models.DateField(_("计划开始日期"))
    end_date = models.DateField(_("计划结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RotationStatus.choices,
        default=RotationStatus.PLANNED,
        db_index=True,
    )
    # each submission of the plan is a round; its approvals are those of the current round
    round = models.PositiveSmallIntegerField(_("审批轮次"), default=1)
    actual_start = models.DateField(_("实际开始日期"), null=True, blank=True)
    actual_end = models.DateField(_("实际结束日期"), null=True, blank=True)
    reflection = models.TextField(_("体会与反思"), blank=True, default="")
    host_score = models.PositiveSmallIntegerField(
        _("接收方评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    host_assessment = models.TextField(_("接收方评价"), blank=True, default="")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True, default="")
    # the first day of the last month a check-in reminder went out (one a month)
    reminded_month = models.DateField(_("最近提醒月份"), null=True, blank=True)
    created_by = author_field(_("登记人"))

    class Meta:
        verbose_name = _("互换岗位体验")
        verbose_name_plural = _("互换岗位体验")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="job_rotation_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(to_project__isnull=False) | ~Q(to_site=""),
                name="job_rotation_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(host_score__isnull=True) | Q(host_score__gte=1, host_score__lte=5),
                name="job_rotation_host_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__gte=models.F("actual_start")),
                name="job_rotation_actual_end_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "actual_end"],
                name="job_rotation_closed_by_user",
                condition=Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}: {self.get_from_department_display()} → {self.place}"

    @property
    def place(self) -> str:
        """Where the person goes: the host project's code and the site, as given."""
        parts = [self.to_project.code if self.to_project_id else "", self.to_site]
        return " ".join(p for p in parts if p)


class RotationApproval(models.Model):
    """One department head's decision on one round of a rotation's plan."""

    class Side(models.TextChoices):
        OWN = "own", _("原部门")
        HOST = "host", _("接收部门")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("退回")

    rotation = models.ForeignKey(
        JobRotation, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("轮岗")
    )
    round = models.PositiveSmallIntegerField(_("审批轮次"))
    side = models.CharField(_("审批方"), max_length=10, choices=Side.choices)
    department = models.CharField(_("部门"), max_length=20, choices=Department.choices)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("PMO代为审批"), default=False)
    comment = models.TextField(_("意见"), blank=True, default="")
    decided_at = models.DateTimeField(_("审批时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("轮岗审批")
        verbose_name_plural = _("轮岗审批")
        ordering = ["rotation", "round", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "round", "side"], name="rotation_approval_one_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rotation_id} #{self.round} {self.side}: {self.decision}"


class RotationCheckIn(models.Model):
    """A monthly note while the rotation is in progress (by the person or the mentor)."""

    rotation = models.ForeignKey(
        JobRotation, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("轮岗")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    date = models.DateField(_("日期"))
    note = models.TextField(_("记录"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("轮岗月度记录")
        verbose_name_plural = _("轮岗月度记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["rotation", "date"], name="rotation_check_in_month")]

    def __str__(self) -> str:
        return f"{self.rotation_id} {self.date}"
