"""Demo data for payment milestones: each contracted or running project gets a prepayment (a
fixed date after signing), a progress payment 30 days after its middle milestone's acceptance
and a final payment 30 days after its last milestone; the ones already due are invoiced and
received. A project whose milestones slip shows payments moved off their baseline, and the
first project in execution has its next open milestone slipped by two weeks through
projects.core.services, so both PMs get the "payment moved" notice and see it on their home
page. Written through projects.payments.services. Idempotent: a project that has payment
milestones is left alone.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from coordination.devtools.demo.context import DemoContext
from projects.core import services as core_services
from projects.core.models import Milestone, Stage
from projects.payments import services
from projects.payments.models import DueCondition, PaymentMilestone

STAGES = {Stage.CONTRACTED, Stage.HANDOVER, Stage.KICKOFF, Stage.EXECUTION, Stage.DELIVERED}
CENT = Decimal("0.01")


def _share(project, percent: int) -> Decimal:
    return (project.contract_value * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def seed_project(project, today: datetime.date) -> int:
    milestones = list(
        project.milestones.exclude(status=Milestone.Status.CANCELLED).order_by(
            "sequence", "baseline_date"
        )
    )
    if not milestones or not project.contract_value:
        return 0
    by = project.business_pm
    signed = project.contract_signed_on or project.planned_start or today
    rows = [
        {
            "name": "预付款 30%",
            "amount": _share(project, 30),
            "due_condition": DueCondition.FIXED_DATE,
            "fixed_date": signed + datetime.timedelta(days=15),
        },
        {
            "name": "进度款 40%",
            "amount": _share(project, 40),
            "due_condition": DueCondition.ACCEPTANCE,
            "milestone": milestones[len(milestones) // 2],
            "days_after": 30,
        },
        {
            "name": "验收款 30%",
            "amount": _share(project, 30),
            "due_condition": DueCondition.ACCEPTANCE,
            "milestone": milestones[-1],
            "days_after": 30,
        },
    ]
    for row in rows:
        payment = services.create_payment(project, by=by, data=row)
        if payment.due_date < today:
            invoiced = payment.due_date - datetime.timedelta(days=10)
            services.mark_invoiced(payment.pk, by=by, on=invoiced)
            services.mark_received(payment.pk, by=by, on=payment.due_date)
    return len(rows)


def slip_one(project, today: datetime.date) -> None:
    """Engineering's next open milestone tied to a payment slips two weeks: the payment
    follows and both PMs are told (projects.payments.services.follow_milestones)."""
    open_tied = (
        Milestone.objects.filter(
            project=project,
            actual_date__isnull=True,
            pk__in=PaymentMilestone.objects.filter(
                project=project, received_on__isnull=True
            ).values("milestone_id"),
        )
        .order_by("forecast_date", "pk")
        .first()
    )
    if open_tied is None:
        return
    core_services.update_milestone(
        open_tied.pk,
        by=project.engineering_pm,
        data={"forecast_date": max(open_tied.forecast_date, today) + datetime.timedelta(days=14)},
        reason="设备到货延误两周",
    )


def seed_payments(ctx: DemoContext) -> None:
    created, slipped = 0, False
    for project in ctx.projects:
        if project.stage not in STAGES:
            continue
        if PaymentMilestone.objects.filter(project=project).exists():
            continue
        created += seed_project(project, ctx.today)
        if not slipped and project.stage == Stage.EXECUTION:
            slip_one(project, ctx.today)
            slipped = True
    ctx.log(f"payments: {created} created")
