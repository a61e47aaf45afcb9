"""Payment milestones (收款节点): the customer's payments, each due on a date of its own or a
number of days after a delivery milestone's acceptance. Writes go through
projects.payments.services.

A tied payment's due date follows its delivery milestone: the milestone's acceptance (its
actual date once done, else its forecast) plus `days_after` calendar days, stored and
recomputed whenever the milestone's dates move (services.follow_milestones). The baseline due
date is the first plan (the milestone's baseline date plus `days_after`, or the fixed date):
it moves only when the payment's own terms are edited, so a delivery slip shows as the days
between the two (`moved_days`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Timestamped, Versioned

__all__ = ["PaymentMilestone", "PaymentStatus", "DueCondition"]

MAX_DAYS_AFTER = 3650


class DueCondition(models.TextChoices):
    ACCEPTANCE = "acceptance", _("交付里程碑验收后")
    FIXED_DATE = "fixed_date", _("固定日期")


class PaymentStatus(models.TextChoices):
    """Derived, never stored: from the dates (see PaymentMilestone.status)."""

    PLANNED = "planned", _("未到期")
    OVERDUE = "overdue", _("已逾期")
    INVOICED = "invoiced", _("已开票")
    RECEIVED = "received", _("已收款")


class PaymentMilestone(Versioned, Timestamped):
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="payment_milestones",
    )
    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name=_("交付里程碑"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_milestones",
    )
    name = models.CharField(_("收款节点"), max_length=200)
    amount = models.DecimalField(
        _("金额"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    due_condition = models.CharField(
        _("到期条件"),
        max_length=20,
        choices=DueCondition.choices,
        default=DueCondition.ACCEPTANCE,
    )
    days_after = models.PositiveSmallIntegerField(
        _("验收后天数"),
        default=0,
        validators=[MaxValueValidator(MAX_DAYS_AFTER)],
        help_text=_("交付里程碑验收后多少个自然日到期。"),
    )
    fixed_date = models.DateField(_("约定日期"), null=True, blank=True)
    due_date = models.DateField(_("计划到期日"), db_index=True)
    baseline_due_date = models.DateField(_("基线到期日"), db_index=True)
    invoiced_on = models.DateField(_("开票日期"), null=True, blank=True)
    received_on = models.DateField(_("收款日期"), null=True, blank=True)
    received_amount = models.DecimalField(
        _("实收金额"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    notes = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("收款节点")
        verbose_name_plural = _("收款节点")
        ordering = ["project", "baseline_due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True)
                | Q(invoiced_on__isnull=False, received_on__gte=F("invoiced_on")),
                name="payment_received_after_invoiced",
            ),
            models.CheckConstraint(
                condition=~Q(due_condition="acceptance") | Q(milestone__isnull=False),
                name="payment_acceptance_has_milestone",
            ),
            models.CheckConstraint(
                condition=~Q(due_condition="fixed_date") | Q(fixed_date__isnull=False),
                name="payment_fixed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.name}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = [gettext("金额必须大于0。")]
        if self.due_condition == DueCondition.ACCEPTANCE and self.milestone_id is None:
            errors["milestone"] = [gettext("按验收到期的收款节点必须选择交付里程碑。")]
        if self.due_condition == DueCondition.FIXED_DATE and self.fixed_date is None:
            errors["fixed_date"] = [gettext("按固定日期到期的收款节点必须填写约定日期。")]
        if self.received_on is not None and self.invoiced_on is None:
            errors["received_on"] = [gettext("先登记开票，才能登记收款。")]
        elif self.received_on and self.invoiced_on and self.received_on < self.invoiced_on:
            errors["received_on"] = [
                gettext("收款日期 %(received)s 不能早于开票日期 %(invoiced)s。")
                % {"received": self.received_on, "invoiced": self.invoiced_on}
            ]
        if self.received_amount is not None and self.received_on is None:
            errors["received_amount"] = [gettext("登记实收金额时须填写收款日期。")]
        if errors:
            raise ValidationError(errors)

    @property
    def moved_days(self) -> int:
        """Days the due date moved off its baseline (a delivery slip; negative: earlier)."""
        return (self.due_date - self.baseline_due_date).days

    def status_on(self, today: datetime.date) -> str:
        if self.received_on is not None:
            return PaymentStatus.RECEIVED
        if self.due_date < today:
            return PaymentStatus.OVERDUE
        if self.invoiced_on is not None:
            return PaymentStatus.INVOICED
        return PaymentStatus.PLANNED

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(PaymentStatus(self.status).label)

    @property
    def received_on_time(self) -> bool:
        """What the payment timeliness rate counts: received on or before the baseline."""
        return self.received_on is not None and self.received_on <= self.baseline_due_date
