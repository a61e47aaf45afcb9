"""Pre-sales: engineering's feasibility assessment and business's quote (mechanism 2).

An assessment is versioned per project. Only one version is open (draft or submitted) at a
time and only one approved version is current; approving a newer one supersedes the older.
A quote is a row per revision: one current per project, earlier revisions kept as history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Timestamped, Versioned

COST_FIELDS = [
    "labour_cost",
    "materials_cost",
    "equipment_cost",
    "subcontracting_cost",
    "contingency_cost",
]


def _money(label):
    return models.DecimalField(
        label,
        max_digits=16,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


class FeasibilityAssessment(Versioned, Timestamped):
    class Verdict(models.TextChoices):
        FEASIBLE = "feasible", _("可行")
        CONDITIONAL = "conditional", _("有条件可行")
        INFEASIBLE = "infeasible", _("不可行")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已被取代")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="feasibility_assessments",
    )
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    verdict = models.CharField(
        _("评估结论"), max_length=20, choices=Verdict.choices, default=Verdict.FEASIBLE
    )
    conditions = models.TextField(_("前提条件"), blank=True, default="")
    labour_cost = _money(_("人工成本"))
    materials_cost = _money(_("材料成本"))
    equipment_cost = _money(_("设备成本"))
    subcontracting_cost = _money(_("分包成本"))
    contingency_cost = _money(_("不可预见费"))
    total_cost = models.DecimalField(
        _("估算总成本"), max_digits=17, decimal_places=2, default=Decimal("0"), editable=False
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    estimated_duration_days = models.PositiveIntegerField(
        _("估算工期(天)"), validators=[MinValueValidator(1)]
    )
    key_risks = models.JSONField(_("关键技术风险"), default=list, blank=True)
    assumptions = models.TextField(_("假设"), blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        on_delete=models.PROTECT,
        related_name="authored_assessments",
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("基于版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_assessments",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True, default="")
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    risks_copied_at = models.DateTimeField(_("风险已登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("可行性评估")
        verbose_name_plural = _("可行性评估")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="uniq_assessment_version"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="approved"),
                name="one_approved_assessment_per_project",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["draft", "submitted"]),
                name="one_open_assessment_per_project",
            ),
            models.CheckConstraint(
                condition=Q(
                    labour_cost__gte=0,
                    materials_cost__gte=0,
                    equipment_cost__gte=0,
                    subcontracting_cost__gte=0,
                    contingency_cost__gte=0,
                ),
                name="assessment_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"

    def save(self, *args, **kwargs):
        self.total_cost = self.compute_total()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(COST_FIELDS):
            kwargs["update_fields"] = list(set(update_fields) | {"total_cost"})
        super().save(*args, **kwargs)

    def compute_total(self) -> Decimal:
        return sum((getattr(self, f) or Decimal("0") for f in COST_FIELDS), Decimal("0"))

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class Quote(Timestamped):
    """One revision of business's quote. `is_current` marks the one that counts."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="quotes",
    )
    revision = models.PositiveIntegerField(_("修订号"))
    is_current = models.BooleanField(_("当前有效"), default=True, db_index=True)
    quoted_price = models.DecimalField(
        _("报价金额"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    promised_delivery_date = models.DateField(_("承诺交付日期"))
    payment_terms = models.TextField(_("付款条件"), blank=True, default="")
    notes = models.TextField(_("备注"), blank=True, default="")
    assessment = models.ForeignKey(
        FeasibilityAssessment,
        verbose_name=_("依据的可行性评估"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报价人"),
        on_delete=models.PROTECT,
        related_name="authored_quotes",
    )

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ["project", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["project", "revision"], name="uniq_quote_revision"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_current=True), name="one_current_quote"
            ),
            models.CheckConstraint(condition=Q(quoted_price__gt=0), name="quote_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {_('报价')} r{self.revision}"

    @property
    def edit_version(self) -> int:
        """A quote is never edited in place: each saved change is the next revision, so the
        revision is the version a writer names (coordination.core.concurrency)."""
        return self.revision


__all__ = ["COST_FIELDS", "FeasibilityAssessment", "Quote"]
