"""Training (培训), the fifth mechanism's third part: PMO-maintained topics, sessions for one or
more departments, who was invited and who attended, each attendee's short feedback, and the
session's materials with every version kept. Imported by name from coordination/models.py.

Materials are not project documents: a Document belongs to a project and whoever sees the
project sees it, so a company document would need a hole in that rule. A material is its own
small versioned record; its upload goes through the same checks (coordination.core.uploads)
and its download is audited like a document's (coordination.training.services)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Authored, Department, Timestamped, Versioned

__all__ = [
    "TrainingAttendance",
    "TrainingAudience",
    "TrainingMaterial",
    "TrainingMaterialVersion",
    "TrainingSession",
    "TrainingTopic",
]

SCORE_MIN, SCORE_MAX = 1, 5


class TrainingTopic(Timestamped):
    """A subject the company trains on, kept by PMO (the coverage page's columns). A topic no
    longer taught is made inactive, never deleted: past sessions keep it."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True, default="")
    description = models.TextField(_("说明"), blank=True, default="")
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培训主题")
        verbose_name_plural = _("培训主题")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str = "") -> str:
        """The topic's name in the reader's language: the English name when there is one."""
        if (language or "").lower().startswith("en") and self.name_en:
            return self.name_en
        return self.name


class TrainingSession(Authored, Versioned):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已举行")
        CANCELLED = "cancelled", _("已取消")

    topic = models.ForeignKey(
        TrainingTopic, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("标题"), max_length=200)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("讲师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainings_given",
    )
    trainer_name = models.CharField(
        _("外部讲师"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("讲师不是本系统用户时填写。"),
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    duration_minutes = models.PositiveIntegerField(
        _("时长(分钟)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(1440)]
    )
    location = models.CharField(_("地点"), max_length=200, blank=True, default="")
    online_url = models.URLField(_("线上链接"), max_length=500, blank=True, default="")
    description = models.TextField(_("内容简介"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    held_at = models.DateTimeField(_("确认举行时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=1440),
                name="training_session_duration",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def hours(self) -> float:
        return round(self.duration_minutes / 60, 2)


class TrainingAudience(models.Model):
    """One department a session is meant for (a session may have several)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="audiences")
    department = models.CharField(_("部门"), max_length=20, choices=Department.choices)

    class Meta:
        verbose_name = _("培训对象部门")
        verbose_name_plural = _("培训对象部门")
        constraints = [
            models.UniqueConstraint(fields=["session", "department"], name="training_audience_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.department}"


class TrainingAttendance(models.Model):
    """One person on one session: invited (or a walk-in), attended as the organiser ticked,
    and the attendee's own feedback (a score of 1–5 and a comment)."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训场次"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="training_attendances",
    )
    invited = models.BooleanField(_("已邀请"), default=True)
    attended = models.BooleanField(_("已出席"), default=False)
    marked_at = models.DateTimeField(_("签到登记时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )
    comment = models.TextField(_("反馈意见"), blank=True, default="")
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训出席")
        verbose_name_plural = _("培训出席")
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["user", "attended"], name="training_attendance_user")]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="training_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}"


class TrainingMaterial(Authored):
    """A handout, slides or recording notes of a session; each upload is a new version."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("培训场次"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    title = models.CharField(_("标题"), max_length=200)
    current_version = models.PositiveIntegerField(_("当前版本"), default=0)

    class Meta:
        verbose_name = _("培训资料")
        verbose_name_plural = _("培训资料")
        ordering = ["session", "id"]

    def __str__(self) -> str:
        return self.title


def material_upload_to(instance: TrainingMaterialVersion, filename: str) -> str:
    return f"training/{instance.material.session_id}/{instance.material_id}/{filename}"


class TrainingMaterialVersion(models.Model):
    material = models.ForeignKey(
        TrainingMaterial, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(_("版本"))
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=300)
    filename = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("文件大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("内容类型"), max_length=100)
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训资料版本")
        verbose_name_plural = _("培训资料版本")
        ordering = ["material", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "version"], name="training_material_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} v{self.version}"
