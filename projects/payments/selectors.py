"""Reads of payment milestones shared by the pages, the API, the dashboard and the KPI: who
may edit them, a project's list with its totals, each PM's moved and overdue payments.
Every read is a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from coordination.core.models import Department
from coordination.core.roles import can_write, department_of, is_pmo
from projects.core.models import CLOSED_STAGES, MemberRole, Project
from projects.core.roles import PM_ROLES
from projects.core.selectors import project_roles, visible_projects
from projects.payments.models import PaymentMilestone

# Who edits a project's payment milestones (their terms, invoicing, receipt): both PMs, the
# business lead, the finance representative, a finance-department member of the project, PMO.
PAYMENT_ROLES = PM_ROLES | {MemberRole.BUSINESS_LEAD, MemberRole.FINANCE_REP}


def can_edit_payments(user, project: Project) -> bool:
    """A read-only role (executives) never, whatever else it holds (can_write)."""
    if not can_write(user):
        return False
    if is_pmo(user):
        return True
    roles = project_roles(user, project)
    return bool(roles & PAYMENT_ROLES) or bool(roles and department_of(user) == Department.FINANCE)


def project_payments(project: Project) -> QuerySet[PaymentMilestone]:
    """A project's payment milestones in due order, with their delivery milestone."""
    return (
        PaymentMilestone.objects.filter(project=project)
        .select_related("milestone", "project")
        .order_by("baseline_due_date", "id")
    )


def visible_payments(user) -> QuerySet[PaymentMilestone]:
    return PaymentMilestone.objects.filter(project__in=visible_projects(user)).select_related(
        "milestone", "project"
    )


def planned_total(project_id: int, *, excluding: int | None = None) -> Decimal:
    """The sum of a project's payment amounts (without the payment `excluding`)."""
    qs = PaymentMilestone.objects.filter(project_id=project_id)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def totals(payments: list[PaymentMilestone], project: Project) -> dict:
    """What the panel sums up, from the rows already read (no query)."""
    planned = sum((p.amount for p in payments), Decimal(0))
    received = sum((p.received_amount or p.amount for p in payments if p.received_on), Decimal(0))
    return {
        "planned": planned,
        "received": received,
        "outstanding": planned - received,
        "contract_value": project.contract_value,
        "unplanned": (
            project.contract_value - planned if project.contract_value is not None else None
        ),
    }


PM_ROW_VALUES = [
    "pk",
    "name",
    "amount",
    "due_date",
    "baseline_due_date",
    "project__code",
    "project__name",
    "project__currency",
    "milestone__name",
]


def _of_my_projects(user) -> QuerySet[PaymentMilestone]:
    """Unreceived payments of the open projects where `user` is the business or engineering
    PM."""
    if not user or not user.is_authenticated:
        return PaymentMilestone.objects.none()
    return (
        PaymentMilestone.objects.filter(received_on__isnull=True)
        .filter(Q(project__business_pm=user) | Q(project__engineering_pm=user))
        .exclude(project__stage__in=CLOSED_STAGES)
    )


def moved_by_slips(user, *, limit: int = 10) -> list[dict]:
    """Payments moved later by a delivery slip (due date after its baseline), most moved
    first: {name, project code and name, milestone name, days moved, amount, new due date}."""
    rows = (
        _of_my_projects(user)
        .filter(due_date__gt=F("baseline_due_date"))
        .order_by("-due_date", "id")
        .values(*PM_ROW_VALUES)[:limit]
    )
    out = [{**row, "days_moved": (row["due_date"] - row["baseline_due_date"]).days} for row in rows]
    return sorted(out, key=lambda r: (-r["days_moved"], r["due_date"]))


def overdue_payments(user, *, today: datetime.date | None = None, limit: int = 10) -> list[dict]:
    """Unreceived payments whose due date has passed, oldest first, with the days overdue."""
    today = today or timezone.localdate()
    rows = (
        _of_my_projects(user)
        .filter(due_date__lt=today)
        .order_by("due_date", "id")
        .values(*PM_ROW_VALUES)[:limit]
    )
    return [{**row, "days_overdue": (today - row["due_date"]).days} for row in rows]
