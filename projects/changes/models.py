"""Change requests (变更申请): impact, engineering's assessment, per-department decisions and the
milestone history they leave behind. Writes go through projects.changes.services."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department, Timestamped, Versioned

__all__ = ["ChangeRequest", "ChangeDecision", "MilestoneChange"]


class ChangeRequest(Versioned, Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        ASSESSED = "assessed", _("已评估")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        IMPLEMENTED = "implemented", _("已实施")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Origin(models.TextChoices):
        CUSTOMER = "customer", _("客户")
        BUSINESS = "business", _("业务部")
        ENGINEERING = "engineering", _("工程管理部")

    # Waiting for something: the execution → delivered gate lists these.
    OPEN_STATUSES = (Status.SUBMITTED, Status.ASSESSED, Status.APPROVED)
    # A decision is still to be taken: the requester or a PM may withdraw.
    WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.ASSESSED)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    number = models.CharField(_("编号"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("变更说明"), blank=True, default="")
    origin = models.CharField(
        _("来源"), max_length=20, choices=Origin.choices, default=Origin.CUSTOMER
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    cost_impact = models.DecimalField(
        _("成本影响"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    schedule_impact_days = models.IntegerField(_("工期影响(工作日)"), default=0)
    affected_milestones = models.ManyToManyField(
        "projects.Milestone",
        verbose_name=_("受影响的里程碑"),
        blank=True,
        related_name="change_requests",
    )
    scope_impact = models.TextField(_("范围影响"), blank=True, default="")
    # Engineering's impact assessment, required before any decision.
    effort_days = models.DecimalField(
        _("评估工作量(人天)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    assessment_risks = models.TextField(_("评估风险"), blank=True, default="")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    implemented_at = models.DateTimeField(_("实施时间"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("实施确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the schedule impact moved the forecasts of chosen tasks (once: projects.changes.services.
    # apply_impact_to_tasks)
    tasks_impact_applied_at = models.DateTimeField(_("任务工期影响应用时间"), null=True, blank=True)
    tasks_impact_applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("任务工期影响应用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["project", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="uniq_change_request_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ChangeDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("驳回")

    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("变更申请"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    department = models.CharField(
        _("部门"),
        max_length=20,
        choices=[c for c in Department.choices if c[0] != Department.PMO],
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="change_decisions",
    )
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True, default="")
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("部门审批")
        verbose_name_plural = _("部门审批")
        ordering = ["change_request", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "department"], name="uniq_change_decision_department"
            ),
            models.CheckConstraint(condition=~Q(department="pmo"), name="change_decision_not_pmo"),
        ]

    def __str__(self) -> str:
        return f"{self.change_request.number} {self.department} {self.decision}"


class MilestoneChange(models.Model):
    """One forecast move of a milestone caused by an approved change request."""

    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name=_("里程碑"),
        on_delete=models.CASCADE,
        related_name="forecast_changes",
    )
    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("变更申请"),
        on_delete=models.CASCADE,
        related_name="milestone_changes",
    )
    old_forecast = models.DateField(_("原预测日期"))
    new_forecast = models.DateField(_("新预测日期"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("里程碑变更记录")
        verbose_name_plural = _("里程碑变更记录")
        ordering = ["milestone", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "change_request"], name="uniq_milestone_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.old_forecast} → {self.new_forecast}"
