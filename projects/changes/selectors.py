"""Reads for change requests shared by the HTML views, the API and the gate: lists with a fixed
number of queries, the "awaiting me" inbox and the measures (cycle time, share approved, drift)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from coordination.core.roles import can_write
from projects.changes import rules
from projects.changes.models import ChangeDecision, ChangeRequest
from projects.changes.services import ASSESSOR_ROLES
from projects.core.models import Project, ProjectMembership
from projects.core.roles import DEPARTMENT_ROLES
from projects.core.selectors import visible_projects

Status = ChangeRequest.Status
DECIDED = (Status.APPROVED, Status.REJECTED, Status.IMPLEMENTED)
APPROVED = (Status.APPROVED, Status.IMPLEMENTED)


def change_request_queryset() -> QuerySet[ChangeRequest]:
    """Everything a list or detail renders, in a fixed number of queries."""
    return ChangeRequest.objects.select_related(
        "project", "requested_by", "assessed_by", "implemented_by", "withdrawn_by"
    ).prefetch_related("decisions__decided_by", "affected_milestones")


def visible_change_requests(user) -> QuerySet[ChangeRequest]:
    return change_request_queryset().filter(project__in=visible_projects(user))


def project_change_requests(project: Project) -> QuerySet[ChangeRequest]:
    return change_request_queryset().filter(project=project).order_by("-created_at", "-id")


def open_change_requests(project: Project) -> list[ChangeRequest]:
    return list(
        ChangeRequest.objects.filter(project=project, status__in=ChangeRequest.OPEN_STATUSES)
        .only("number", "title", "status")
        .order_by("number")
    )


def awaiting(user) -> QuerySet[ChangeRequest]:
    """Assessed change requests on which a department `user` decides for has not decided yet
    (SQL form of rules.open_departments)."""
    if not rules.decides_at_all(user):
        return ChangeRequest.objects.none()
    condition = Q(pk__in=[])
    for dept in DEPARTMENT_ROLES:
        undecided = ~Exists(
            ChangeDecision.objects.filter(change_request=OuterRef("pk"), department=dept)
        )
        condition |= rules.decides_q(user, dept) & Q(undecided)
    return ChangeRequest.objects.filter(status=Status.ASSESSED).filter(condition)


def awaiting_assessment(user) -> QuerySet[ChangeRequest]:
    """Submitted change requests on projects where `user` may assess for engineering
    (services.can_assess)."""
    if not can_write(user):
        return ChangeRequest.objects.none()
    # Two index scans for the projects (an OR with Exists scans every submitted request).
    projects = (
        ProjectMembership.objects.filter(user=user, role__in=ASSESSOR_ROLES)
        .order_by()
        .values("project_id")
        .union(Project.objects.filter(engineering_pm=user).order_by().values("pk"), all=True)
    )
    return ChangeRequest.objects.filter(status=Status.SUBMITTED, project__in=projects)


def _days(value) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def measures(projects: QuerySet[Project] | None = None) -> dict:
    """Decision cycle time (submitted → decided, days), share approved among decided change
    requests, and the sum of approved cost and schedule impacts. One query."""
    qs = ChangeRequest.objects.all()
    if projects is not None:
        qs = qs.filter(project__in=projects.values("pk"))
    row = qs.aggregate(
        decided=Count("pk", filter=Q(status__in=DECIDED, decided_at__isnull=False)),
        approved=Count("pk", filter=Q(status__in=APPROVED)),
        open=Count("pk", filter=Q(status__in=ChangeRequest.OPEN_STATUSES)),
        cycle=Avg(
            ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()),
            filter=Q(decided_at__isnull=False, submitted_at__isnull=False),
        ),
        cost=Sum("cost_impact", filter=Q(status__in=APPROVED)),
        days=Sum("schedule_impact_days", filter=Q(status__in=APPROVED)),
    )
    share = None
    if row["decided"]:
        share = (Decimal(row["approved"]) * 100 / Decimal(row["decided"])).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return {
        "decided": row["decided"],
        "approved": row["approved"],
        "open": row["open"],
        "cycle_days": _days(row["cycle"]),
        "approved_share_pct": share,
        "approved_cost_impact": row["cost"] or Decimal("0"),
        "approved_schedule_impact_days": row["days"] or 0,
    }


def project_drift(project: Project) -> dict:
    """Measures of one project plus its forecast vs baseline (budget and end date)."""
    data = measures(Project.objects.filter(pk=project.pk))
    budget_drift = None
    if project.forecast_budget is not None and project.baseline_budget is not None:
        budget_drift = project.forecast_budget - project.baseline_budget
    end_drift = None
    if project.forecast_end and project.planned_end:
        end_drift = (project.forecast_end - project.planned_end).days
    data.update(
        {
            "baseline_budget": project.baseline_budget,
            "forecast_budget": project.forecast_budget,
            "budget_drift": budget_drift,
            "planned_end": project.planned_end,
            "forecast_end": project.forecast_end,
            "end_drift_days": end_drift,
        }
    )
    return data


def drift_by_project(projects: QuerySet[Project]) -> list[dict]:
    """Per project: approved cost and schedule impacts, forecast vs baseline. One query."""
    rows = projects.annotate(
        cr_cost=Sum("change_requests__cost_impact", filter=Q(change_requests__status__in=APPROVED)),
        cr_days=Sum(
            "change_requests__schedule_impact_days",
            filter=Q(change_requests__status__in=APPROVED),
        ),
        cr_count=Count("change_requests", filter=Q(change_requests__status__in=APPROVED)),
    ).values(
        "code",
        "name",
        "baseline_budget",
        "forecast_budget",
        "planned_end",
        "forecast_end",
        "cr_cost",
        "cr_days",
        "cr_count",
    )
    out = []
    for r in rows:
        out.append(
            {
                **r,
                "cr_cost": r["cr_cost"] or Decimal("0"),
                "cr_days": r["cr_days"] or 0,
                "budget_drift": (r["forecast_budget"] - r["baseline_budget"])
                if r["forecast_budget"] is not None and r["baseline_budget"] is not None
                else None,
                "end_drift_days": (r["forecast_end"] - r["planned_end"]).days
                if r["forecast_end"] and r["planned_end"]
                else None,
            }
        )
    return out
