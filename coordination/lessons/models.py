"""The lessons library (经验教训库): retrospective entries promoted to lessons shared across
projects, tagged by phase, discipline, customer type and cause. Imported at the end of
coordination/models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import RootCause, Timestamped

__all__ = ["Lesson", "LessonDiscipline", "LessonPhase"]


class LessonPhase(models.TextChoices):
    """Where in the lifecycle the lesson applies (the article's stages)."""

    PRESALES = "presales", _("售前/报价")
    CONTRACT = "contract", _("签约")
    HANDOVER = "handover", _("移交")
    KICKOFF = "kickoff", _("启动")
    EXECUTION = "execution", _("实施")
    DELIVERY = "delivery", _("交付验收")


class LessonDiscipline(models.TextChoices):
    BUSINESS = "business", _("业务")
    ENGINEERING = "engineering", _("工程")
    JOINT = "joint", _("双方协同")
    FINANCE = "finance", _("财务")


class Lesson(Timestamped):
    """One lesson: what happened, what to do next time, where it came from."""

    class Kind(models.TextChoices):
        WENT_WELL = "went_well", _("做得好的")
        WENT_WRONG = "went_wrong", _("做得不好的")
        IMPROVEMENT = "improvements", _("改进措施")

    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    phase = models.CharField(_("阶段"), max_length=20, choices=LessonPhase.choices)
    discipline = models.CharField(_("专业"), max_length=20, choices=LessonDiscipline.choices)
    customer_type = models.CharField(
        _("客户类型"),
        max_length=60,
        blank=True,
        default="",
        help_text=_("例如：政府、国企、民企、外企。"),
    )
    cause = models.CharField(
        _("原因"), max_length=30, choices=RootCause.choices, blank=True, default=""
    )
    # Where it came from: a retrospective entry (review + list + position) of a project.
    review = models.ForeignKey(
        "coordination.Review",
        verbose_name=_("来源例会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    source_field = models.CharField(_("来源条目"), max_length=20, blank=True, default="")
    source_index = models.PositiveSmallIntegerField(_("来源序号"), null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整理人"),
        on_delete=models.PROTECT,
        related_name="lessons_promoted",
    )

    class Meta:
        verbose_name = _("经验教训")
        verbose_name_plural = _("经验教训")
        ordering = ["-created_at", "-id"]
        constraints = [
            # an entry is promoted once
            models.UniqueConstraint(
                fields=["review", "source_field", "source_index"],
                condition=Q(review__isnull=False),
                name="uniq_lesson_source_entry",
            ),
        ]
        indexes = [models.Index(fields=["phase", "-created_at"], name="lesson_phase_recent")]

    def __str__(self) -> str:
        return self.title
