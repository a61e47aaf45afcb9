"""KPI inputs (surveys, complaints), KPI definitions, department scorecards and frozen values."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department, RootCause, Timestamped, author_field
from kpi.surveys.models import SurveyInvitation  # noqa: F401  (the room's model, registered here)


class EnteredInput(Timestamped):
    """A KPI input typed in by someone (a survey, a complaint): who entered it, and when."""

    created_by = author_field(_("录入人"))

    class Meta:
        abstract = True


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def validate_question_scores(value) -> None:
    """`scores` is {question: 1–5}: a mapping of non-empty text to whole numbers 1–5."""
    if not isinstance(value, dict):
        raise ValidationError(_("分项评分必须是“问题: 分数”的对象。"))
    for question, score in value.items():
        if (
            not isinstance(question, str)
            or not question.strip()
            or len(question) > 200
            or "\x00" in question
        ):
            raise ValidationError(_("分项评分的问题不能为空且不超过200字。"))
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValidationError(
                _("“%(question)s”的评分必须是1到5的整数。"), params={"question": question}
            )


class SatisfactionSurvey(EnteredInput):
    class Source(models.TextChoices):
        STAFF = "staff", _("录入")
        CUSTOMER = "customer", _("客户填写")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="satisfaction_surveys",
    )
    respondent = models.CharField(_("受访人"), max_length=200)
    overall_score = models.PositiveSmallIntegerField(
        _("总体评分(1-5)"), validators=SCORE_VALIDATORS
    )
    scores = models.JSONField(
        _("分项评分"), default=dict, blank=True, validators=[validate_question_scores]
    )
    comments = models.TextField(_("意见"), blank=True, default="")
    surveyed_on = models.DateField(_("调查日期"), default=timezone.localdate, db_index=True)
    # staff typed it in (录入), or the customer answered a private link (kpi/surveys/)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.STAFF, db_index=True
    )

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-surveyed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_score__gte=1, overall_score__lte=5),
                name="survey_overall_score_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.respondent} {self.surveyed_on} ({self.overall_score})"

    @property
    def is_satisfied(self) -> bool:
        return self.overall_score >= 4


class Complaint(EnteredInput):
    class Source(models.TextChoices):
        CUSTOMER = "customer", _("客户投诉")
        INTERNAL = "internal", _("内部/跨部门投诉")

    class Category(models.TextChoices):
        QUALITY = "quality", _("质量")
        SCHEDULE = "schedule", _("进度")
        COMMUNICATION = "communication", _("沟通协调")
        COST = "cost", _("成本/费用")
        SERVICE = "service", _("服务")
        REQUIREMENT = "requirement", _("需求传递")
        OTHER = "other", _("其他")

    class Severity(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="complaints",
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, db_index=True)
    category = models.CharField(
        _("类别"), max_length=30, choices=Category.choices, default=Category.OTHER
    )
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("描述"))
    responsible_department = models.CharField(
        _("责任部门"), max_length=20, choices=Department.choices, blank=True, default=""
    )
    opened_on = models.DateField(_("投诉日期"), default=timezone.localdate, db_index=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    # Handling to the end (kpi.complaints): owner, deadline, answer, cause, closure.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_complaints",
    )
    response_due = models.DateField(_("答复期限"), null=True, blank=True)
    response = models.TextField(_("答复"), blank=True, default="")
    responded_on = models.DateField(_("答复日期"), null=True, blank=True)
    root_cause = models.CharField(
        _("根本原因"), max_length=30, choices=RootCause.choices, blank=True, default=""
    )
    corrective_actions = models.TextField(_("纠正措施"), blank=True, default="")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认关闭人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_complaints",
    )
    escalated_on = models.DateField(_("逾期升级日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="complaint_closed_after_opened",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_source_display()} {self.opened_on}"

    def clean(self) -> None:
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": [_("关闭日期不能早于投诉日期。")]})


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


# the units the KPI definitions ship with, told in the reader's language; a unit PMO types
# in the admin is shown as typed
UNIT_LABELS = {
    "天": _("天"),
    "次": _("次"),
    "次/项目": _("次/项目"),
    "%": "%",
}


class KpiDefinition(models.Model):
    """What a KPI means. Its values come from selectors.compute(code, ...), never typed in."""

    code = models.SlugField(_("指标代码"), max_length=60, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True, default="")
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    formula_zh = models.TextField(_("计算口径(中文)"), blank=True, default="")
    formula_en = models.TextField(_("计算口径(英文)"), blank=True, default="")
    is_joint = models.BooleanField(
        _("联动指标"), default=True, help_text=_("联动指标在业务部和工程管理部的看板上完全相同。")
    )
    owner_department = models.CharField(
        _("归属部门"),
        max_length=20,
        choices=Department.choices,
        blank=True,
        default="",
        help_text=_("非联动指标只出现在归属部门的看板上。"),
    )
    sequence = models.PositiveIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("指标定义")
        verbose_name_plural = _("指标定义")
        ordering = ["sequence", "code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def formula(self) -> str:
        return self.formula_en if (get_language() or "").startswith("en") else self.formula_zh

    @property
    def unit_label(self) -> str:
        """The unit as the reader reads it (天 → days in English)."""
        return str(UNIT_LABELS.get(self.unit, self.unit))


class Scorecard(models.Model):
    """A department's scorecard: which KPIs count and how much (weights edited by PMO)."""

    class ProjectScope(models.TextChoices):
        MEMBERS = "members", _("本部门有成员的项目")
        COMPANY = "company", _("全公司项目")

    class MissingData(models.TextChoices):
        REWEIGHT = "reweight", _("不计入并按其余权重折算")
        ZERO = "zero", _("按0分计入")

    department = models.CharField(_("部门"), max_length=20, choices=Department.choices, unique=True)
    title = models.CharField(_("名称"), max_length=100, blank=True, default="")
    project_scope = models.CharField(
        _("项目范围"),
        max_length=10,
        choices=ProjectScope.choices,
        default=ProjectScope.MEMBERS,
        help_text=_(
            "财务部看板：只统计有财务代表的项目，或全公司项目。业务部和工程管理部的双经理"
            "在每个项目上，两种选择结果相同。"
        ),
    )
    missing_data = models.CharField(
        _("无数据指标"),
        max_length=10,
        choices=MissingData.choices,
        default=MissingData.REWEIGHT,
        help_text=_("期间内没有数据的指标：不计入总分（按其余权重折算），或按0分计入。"),
    )
    kpis = models.ManyToManyField(KpiDefinition, through="ScorecardWeight", related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("部门绩效看板")
        verbose_name_plural = _("部门绩效看板")
        ordering = ["department"]

    def __str__(self) -> str:
        return self.title or str(self.get_department_display())


class ScorecardWeight(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="weights")
    kpi = models.ForeignKey(
        KpiDefinition, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="weights"
    )
    weight = models.DecimalField(
        _("权重"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("指标权重")
        verbose_name_plural = _("指标权重")
        ordering = ["scorecard", "kpi__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "kpi"], name="uniq_scorecard_kpi"),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="scorecard_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.kpi.code} × {self.weight}"


class ScopeType(models.TextChoices):
    COMPANY = "company", _("公司")
    DEPARTMENT = "department", _("部门")
    PROJECT = "project", _("项目")
    PM = "pm", _("项目经理")


class ClosedPeriod(models.Model):
    """A period (2026-07, 2026-Q3, 2026) whose values are frozen in KpiSnapshot rows."""

    class Status(models.TextChoices):
        OPEN = "open", _("未关账")
        CLOSED = "closed", _("已关账")
        REOPENED = "reopened", _("已重新打开")

    period = models.CharField(_("期间"), max_length=10, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CLOSED, db_index=True
    )
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关账人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重新打开人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(_("重新打开原因"), blank=True, default="")

    class Meta:
        verbose_name = _("已关账期间")
        verbose_name_plural = _("已关账期间")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"


class KpiSnapshot(models.Model):
    """One frozen KPI value for one scope and one closed period."""

    kpi = models.ForeignKey(
        KpiDefinition, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="snapshots"
    )
    scope_type = models.CharField(_("范围类型"), max_length=20, choices=ScopeType.choices)
    scope_key = models.CharField(_("范围"), max_length=150, blank=True, default="")
    period = models.CharField(_("期间"), max_length=10, db_index=True)
    numerator = models.DecimalField(
        _("分子"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("分母"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("指标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    extra = models.JSONField(_("附加数据"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        ordering = ["period", "kpi__sequence", "scope_type", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "scope_type", "scope_key", "period"], name="uniq_kpi_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.scope_type}:{self.scope_key} {self.period} = {self.value}"


class ProjectCohort(models.Model):
    """A named set of projects for before/after comparisons (e.g. run with the dual-PM loop)."""

    slug = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True, default="")
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("项目"), related_name="kpi_cohorts", blank=True
    )

    class Meta:
        verbose_name = _("对比项目组")
        verbose_name_plural = _("对比项目组")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Restatement(models.Model):
    """An input dated in a closed period, recorded after the close: the frozen values of that
    period no longer include it until PMO restates the period (reopen, recompute, close again)
    or leaves it as frozen, with a reason either way."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待重述")
        RESTATED = "restated", _("已重述")
        LEFT = "left", _("维持冻结值")

    period = models.CharField(_("期间"), max_length=10, db_index=True)
    input_kind = models.CharField(_("录入类型"), max_length=20)
    input_id = models.PositiveBigIntegerField(_("录入编号"))
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="kpi_restatements",
    )
    input_date = models.DateField(_("录入日期（所属期间）"))
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("处理原因"), blank=True, default="")

    class Meta:
        verbose_name = _("期间重述")
        verbose_name_plural = _("期间重述")
        ordering = ["period", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "input_kind", "input_id"], name="uniq_restatement_input"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.input_kind}#{self.input_id} ({self.get_status_display()})"
