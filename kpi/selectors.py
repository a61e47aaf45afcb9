"""KPI reads: every value is an SQL aggregation over the project data, never typed in.

Scopes: `company` (every project); `department:<business|engineering|pmo>` (every project:
each one has a business PM and an engineering PM, so the joint KPIs are identical on both
scorecards — shared fate); `department:finance` (projects with a finance representative);
`project:<code>`; `pm:<username>` (projects where the user is business or engineering PM).
Periods: see kpi/periods.py. A closed period answers from its frozen KpiSnapshot rows.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Department
from projects.models import Milestone, Project, ProjectMembership, Stage

from . import periods as P
from .models import (
    ClosedPeriod,
    Complaint,
    KpiDefinition,
    KpiSnapshot,
    SatisfactionSurvey,
    ScopeType,
    Scorecard,
)

HUNDRED = Decimal("100")
Q4 = Decimal("0.0001")


# ------------------------------------------------------------------ scopes
@dataclass(frozen=True)
class Scope:
    type: str
    key: str = ""

    def __str__(self) -> str:
        return self.type if self.type == ScopeType.COMPANY else f"{self.type}:{self.key}"


COMPANY = Scope(ScopeType.COMPANY)
SCORECARD_DEPARTMENTS = [Department.BUSINESS, Department.ENGINEERING, Department.FINANCE]


def parse_scope(text: str | None) -> Scope:
    """`company`, `department:business`, `project:PRJ-2026-0001`, `pm:alice`; ValueError else."""
    text = (text or "company").strip()
    if text == ScopeType.COMPANY:
        return COMPANY
    kind, sep, key = text.partition(":")
    if not sep or not key or kind not in ScopeType.values or kind == ScopeType.COMPANY:
        raise ValueError(text)
    if kind == ScopeType.DEPARTMENT and key not in Department.values:
        raise ValueError(text)
    return Scope(kind, key)


def scope_projects(scope: Scope) -> QuerySet[Project] | None:
    """The projects a scope covers; None means every project (no filter needed)."""
    if scope.type == ScopeType.COMPANY:
        return None
    if scope.type == ScopeType.DEPARTMENT:
        if scope.key == Department.FINANCE:
            # an id subquery, not a join + DISTINCT: every KPI query embeds it (perf doc)
            finance = ProjectMembership.objects.filter(role="finance_rep").values("project_id")
            return Project.objects.filter(pk__in=finance)
        return None  # both PMs sit on every project: shared fate
    if scope.type == ScopeType.PROJECT:
        return Project.objects.filter(code=scope.key)
    if scope.type == ScopeType.PM:
        return Project.objects.filter(
            Q(business_pm__username=scope.key) | Q(engineering_pm__username=scope.key)
        )
    raise ValueError(str(scope))


def _in_scope(qs: QuerySet, projects: QuerySet | None, path: str = "project") -> QuerySet:
    if projects is None:
        return qs
    return qs.filter(**{f"{path}__in": projects.values("pk")})


# ------------------------------------------------------------------ values
@dataclass
class KpiValue:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    extra: dict = field(default_factory=dict)
    frozen: bool = False
    computed_at: datetime.datetime | None = None


def _dec(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, datetime.timedelta):
        x = Decimal(x.total_seconds()) / Decimal(86400)
    return Decimal(x).quantize(Q4, rounding=ROUND_HALF_UP)


def _ratio(num, den, scale: Decimal = Decimal(1)) -> KpiValue:
    num, den = _dec(num or 0), _dec(den or 0)
    value = (num * scale / den).quantize(Q4, rounding=ROUND_HALF_UP) if den else None
    return KpiValue(num, den, value)


def _days(total, count) -> KpiValue:
    """Average duration in days: numerator = total days, denominator = number of cases."""
    return _ratio(total or datetime.timedelta(0), count)


def _days_between(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def on_time_delivery_rate(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Milestones due (baseline date) in the period and already due / those done by that date."""
    last_due = min(period.last_day, today)
    row = (
        _in_scope(Milestone.objects.all(), projects)
        .filter(baseline_date__gte=period.start, baseline_date__lte=last_due)
        .exclude(status=Milestone.Status.CANCELLED)
        .aggregate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(status=Milestone.Status.DONE, actual_date__lte=F("baseline_date")),
            ),
        )
    )
    return _ratio(row["on_time"], row["due"], HUNDRED)


def customer_satisfaction(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Share of surveys with overall score ≥ 4 (value, %) and the average overall score."""
    row = (
        _in_scope(SatisfactionSurvey.objects.all(), projects)
        .filter(surveyed_on__gte=period.start, surveyed_on__lt=period.end)
        .aggregate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(overall_score__gte=4)),
            avg=Avg("overall_score"),
        )
    )
    result = _ratio(row["satisfied"], row["n"], HUNDRED)
    result.extra = (
        {"average_score": str(_dec(row["avg"]).quantize(Decimal("0.01")))}
        if row["avg"] is not None
        else {"average_score": None}
    )
    return result


def _active_projects(projects, period: P.Period) -> QuerySet[Project]:
    """Signed before the period ends and not delivered before it starts."""
    qs = Project.objects.filter(contract_signed_on__lt=period.end).exclude(
        stage__in=[Stage.OPPORTUNITY, Stage.CANCELLED]
    )
    qs = qs.filter(Q(actual_end__isnull=True) | Q(actual_end__gte=period.start))
    return qs if projects is None else qs.filter(pk__in=projects.values("pk"))


def customer_complaint_rate(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Customer complaints opened in the period per active or delivered project."""
    complaints = (
        _in_scope(Complaint.objects.all(), projects)
        .filter(
            source=Complaint.Source.CUSTOMER,
            opened_on__gte=period.start,
            opened_on__lt=period.end,
        )
        .count()
    )
    active = _active_projects(projects, period).count()
    return _ratio(complaints, active)


def cross_department_complaints(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Internal (cross-department) complaints opened in the period."""
    n = (
        _in_scope(Complaint.objects.all(), projects)
        .filter(
            source=Complaint.Source.INTERNAL,
            opened_on__gte=period.start,
            opened_on__lt=period.end,
        )
        .count()
    )
    return KpiValue(_dec(n), None, _dec(n))


def delivery_cycle_time(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Days from contract signing to actual end, for projects delivered in the period."""
    qs = Project.objects.filter(
        actual_end__gte=period.start,
        actual_end__lt=period.end,
        contract_signed_on__isnull=False,
    )
    if projects is not None:
        qs = qs.filter(pk__in=projects.values("pk"))
    row = qs.aggregate(total=Sum(_days_between("actual_end", "contract_signed_on")), n=Count("pk"))
    return _days(row["total"], row["n"])


def _model(module: str, name: str):
    """A model another app is still building: None until it exists."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def handover_lead_time(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Days from contract signing to handover acceptance (local date), accepted in the period."""
    Handover = _model("handover.models", "Handover")
    if Handover is None or not hasattr(Handover, "accepted_at"):
        return KpiValue(extra={"unavailable": True})
    qs = _in_scope(Handover.objects.all(), projects).filter(
        accepted_at__gte=period.start_at,
        accepted_at__lt=period.end_at,
        project__contract_signed_on__isnull=False,
    )
    row = qs.annotate(
        accepted_on=TruncDate("accepted_at", tzinfo=timezone.get_default_timezone())
    ).aggregate(
        total=Sum(_days_between("accepted_on", "project__contract_signed_on")),
        n=Count("pk"),
    )
    return _days(row["total"], row["n"])


def change_request_cycle_time(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Days from submission to decision, for change requests decided in the period."""
    ChangeRequest = _model("projects.models", "ChangeRequest")
    if ChangeRequest is None or not hasattr(ChangeRequest, "decided_at"):
        return KpiValue(extra={"unavailable": True})
    row = (
        _in_scope(ChangeRequest.objects.all(), projects)
        .filter(
            decided_at__gte=period.start_at,
            decided_at__lt=period.end_at,
            submitted_at__isnull=False,
        )
        .aggregate(total=Sum(_days_between("decided_at", "submitted_at")), n=Count("pk"))
    )
    return _days(row["total"], row["n"])


def _promise_gap_counts(projects) -> tuple[int, int] | None:
    """(quoted projects, quoted projects with an open gap), or None until the module exists.
    Quoted = has a current quote; closed and cancelled projects carry no open gap."""
    try:
        module = importlib.import_module("projects.promise_gaps")
    except ImportError:
        return None
    bulk = getattr(module, "promise_gaps_bulk", None)
    if bulk is None:
        return None
    quoted = Project.objects.filter(quotes__is_current=True).exclude(stage=Stage.CANCELLED)
    if projects is not None:
        quoted = quoted.filter(pk__in=projects.values("pk"))
    gaps = bulk(quoted.distinct())
    return len(gaps), sum(1 for found in gaps.values() if found)


def promise_gap_rate(projects, period: P.Period, today: datetime.date) -> KpiValue:
    """Share of quoted projects whose quote leaves an open promise gap (current state)."""
    counts = _promise_gap_counts(projects)
    if counts is None:
        return KpiValue(extra={"unavailable": True})
    quoted, with_gap = counts
    return _ratio(with_gap, quoted, HUNDRED)


CALCULATORS: dict[str, Callable[[QuerySet | None, P.Period, datetime.date], KpiValue]] = {
    "on_time_delivery_rate": on_time_delivery_rate,
    "customer_satisfaction": customer_satisfaction,
    "customer_complaint_rate": customer_complaint_rate,
    "cross_department_complaints": cross_department_complaints,
    "delivery_cycle_time": delivery_cycle_time,
    "handover_lead_time": handover_lead_time,
    "change_request_cycle_time": change_request_cycle_time,
    "promise_gap_rate": promise_gap_rate,
}


def compute(code: str, scope: Scope, period: P.Period, today: datetime.date | None = None):
    """Compute one KPI live from the data (ignores snapshots)."""
    calc = CALCULATORS.get(code)
    if calc is None:
        return KpiValue(extra={"unavailable": True})
    result = calc(scope_projects(scope), period, today or timezone.localdate())
    result.computed_at = timezone.now()
    return result


def closed_period_keys(keys: Iterable[str]) -> set[str]:
    return set(
        ClosedPeriod.objects.filter(
            period__in=list(keys), status=ClosedPeriod.Status.CLOSED
        ).values_list("period", flat=True)
    )


def values(
    kpis: list[KpiDefinition], scope: Scope, period_list: list[P.Period]
) -> dict[tuple[str, str], KpiValue]:
    """{(kpi code, period key): value}: frozen snapshot for closed periods, live otherwise.
    Two queries plus one per live value, whatever the number of rows behind them."""
    keys = [p.key for p in period_list]
    closed = closed_period_keys(keys)
    frozen: dict[tuple[str, str], KpiValue] = {}
    if closed:
        for snap in KpiSnapshot.objects.filter(
            period__in=closed,
            scope_type=scope.type,
            scope_key=scope.key,
            kpi__in=[k.pk for k in kpis],
        ).select_related("kpi"):
            frozen[(snap.kpi.code, snap.period)] = KpiValue(
                snap.numerator, snap.denominator, snap.value, snap.extra, True, snap.computed_at
            )
    out = {}
    today = timezone.localdate()
    for period in period_list:
        for kpi in kpis:
            key = (kpi.code, period.key)
            out[key] = frozen.get(key) or compute(kpi.code, scope, period, today)
    return out


def active_kpis(codes: Iterable[str] | None = None) -> list[KpiDefinition]:
    qs = KpiDefinition.objects.filter(is_active=True)
    if codes:
        qs = qs.filter(code__in=list(codes))
    return list(qs)


# ------------------------------------------------------------------ scorecards
def kpi_score(kpi: KpiDefinition, value: Decimal | None) -> Decimal | None:
    """0–100: how far the value reaches its target, respecting direction, capped at 100."""
    if value is None:
        return None
    target = Decimal(kpi.target)
    if kpi.direction == "higher":
        score = HUNDRED if target <= 0 else value / target * HUNDRED
    elif value <= target:
        score = HUNDRED
    else:
        score = target / value * HUNDRED if value > 0 else HUNDRED
    return max(Decimal(0), min(HUNDRED, score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def weighted_score(rows: list[dict]) -> Decimal | None:
    """Weighted mean of the KPI scores that have a value (weights re-normalised)."""
    scored = [(r["weight"], r["score"]) for r in rows if r["score"] is not None and r["weight"] > 0]
    total_weight = sum((w for w, _s in scored), Decimal(0))
    if not total_weight:
        return None
    total = sum((w * s for w, s in scored), Decimal(0))
    return (total / total_weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def scorecard(department: str, period: P.Period) -> dict:
    """One department's scorecard for one period: constant number of queries."""
    card = Scorecard.objects.filter(department=department).prefetch_related("weights__kpi").first()
    if card is None:
        weights = [(k, Decimal(1)) for k in active_kpis() if k.is_joint]
        title = str(Department(department).label)
    else:
        weights = [
            (w.kpi, w.weight)
            for w in sorted(card.weights.all(), key=lambda w: (w.kpi.sequence, w.kpi.code))
            if w.kpi.is_active
        ]
        title = str(card)
    scope = Scope(ScopeType.DEPARTMENT, department)
    found = values([k for k, _w in weights], scope, [period])
    rows = []
    for kpi, weight in weights:
        v = found[(kpi.code, period.key)]
        rows.append(
            {
                "code": kpi.code,
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "target": kpi.target,
                "is_joint": kpi.is_joint,
                "weight": weight,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "value": v.value,
                "extra": v.extra,
                "score": kpi_score(kpi, v.value),
                "frozen": v.frozen,
            }
        )
    return {
        "department": department,
        "title": title,
        "period": period.key,
        "start": period.start,
        "end": period.last_day,
        "frozen": bool(rows) and all(r["frozen"] for r in rows),
        "score": weighted_score(rows),
        "kpis": rows,
    }


# ------------------------------------------------------------------ comparison
@dataclass
class Group:
    label: str
    projects: QuerySet[Project] | None
    start: datetime.date | None = None
    end: datetime.date | None = None  # exclusive


def _group_figures(group: Group) -> dict:
    def window(qs, field_name):
        if group.start:
            qs = qs.filter(**{f"{field_name}__gte": group.start})
        if group.end:
            qs = qs.filter(**{f"{field_name}__lt": group.end})
        return qs

    delivered = window(
        Project.objects.filter(actual_end__isnull=False, contract_signed_on__isnull=False),
        "actual_end",
    )
    if group.projects is not None:
        delivered = delivered.filter(pk__in=group.projects.values("pk"))
    d = delivered.aggregate(
        total=Sum(_days_between("actual_end", "contract_signed_on")), n=Count("pk")
    )
    cycle = _days(d["total"], d["n"]).value
    s = window(
        _in_scope(SatisfactionSurvey.objects.all(), group.projects), "surveyed_on"
    ).aggregate(
        n=Count("pk"),
        satisfied=Count("pk", filter=Q(overall_score__gte=4)),
        avg=Avg("overall_score"),
    )
    c = window(_in_scope(Complaint.objects.all(), group.projects), "opened_on").aggregate(
        customer=Count("pk", filter=Q(source=Complaint.Source.CUSTOMER)),
        internal=Count("pk", filter=Q(source=Complaint.Source.INTERNAL)),
    )
    project_count = group.projects.count() if group.projects is not None else None
    return {
        "label": group.label,
        "start": group.start,
        "end": group.end - datetime.timedelta(days=1) if group.end else None,
        "projects": project_count,
        "delivered_projects": d["n"],
        "delivery_cycle_days": _round(cycle, "0.1"),
        "surveys": s["n"],
        "satisfaction_share": _round(_ratio(s["satisfied"], s["n"], HUNDRED).value, "0.1"),
        "satisfaction_average": _round(_dec(s["avg"]), "0.01"),
        "customer_complaints": c["customer"],
        "cross_department_complaints": c["internal"],
        "customer_complaints_per_project": _per(c["customer"], project_count),
        "cross_department_complaints_per_project": _per(c["internal"], project_count),
    }


def _round(x: Decimal | None, q: str) -> Decimal | None:
    return None if x is None else x.quantize(Decimal(q), rounding=ROUND_HALF_UP)


def _per(n: int, projects: int | None) -> Decimal | None:
    if not projects:
        return None
    return (Decimal(n) / Decimal(projects)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def change_pct(before, after) -> Decimal | None:
    if before is None or after is None or not before:
        return None
    return ((Decimal(after) - Decimal(before)) / Decimal(before) * HUNDRED).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _changes(before: dict, after: dict, per_project: bool) -> dict:
    cust = "customer_complaints_per_project" if per_project else "customer_complaints"
    internal = (
        "cross_department_complaints_per_project" if per_project else "cross_department_complaints"
    )
    sat_b, sat_a = before["satisfaction_share"], after["satisfaction_share"]
    return {
        "delivery_cycle_pct": change_pct(
            before["delivery_cycle_days"], after["delivery_cycle_days"]
        ),
        "satisfaction_share_points": (sat_a - sat_b)
        if sat_a is not None and sat_b is not None
        else None,
        "satisfaction_share_pct": change_pct(sat_b, sat_a),
        "customer_complaints_pct": change_pct(before[cust], after[cust]),
        "cross_department_complaints_pct": change_pct(before[internal], after[internal]),
    }


def compare_split(
    split: datetime.date, months: int = 12, today: datetime.date | None = None
) -> dict:
    """Before/after a date, in two windows of equal length so counts compare directly:
    after = [split, min(split + months, today + 1 day)), before = the same length before split."""
    today = today or timezone.localdate()
    y, m = divmod(split.month - 1 + months, 12)
    try:
        after_end = split.replace(year=split.year + y, month=m + 1)
    except ValueError:  # 31st of a shorter month
        after_end = split.replace(year=split.year + y, month=m + 1, day=28)
    after_end = min(after_end, today + datetime.timedelta(days=1))
    if after_end <= split:
        raise ValueError(_("分割日期必须早于今天。"))
    length = after_end - split
    before = _group_figures(Group(_("之前"), None, split - length, split))
    after = _group_figures(Group(_("之后"), None, split, after_end))
    return {
        "mode": "split",
        "split": split,
        "window_days": length.days,
        "before": before,
        "after": after,
        "change": _changes(before, after, per_project=False),
    }


def compare_projects(codes: list[str], label: str = "") -> dict:
    """Projects in the set (after: e.g. run with the dual-PM loop) vs. every other project
    (before); complaints compared per project since the groups differ in size."""
    chosen = Project.objects.filter(code__in=codes)
    others = Project.objects.exclude(code__in=codes).exclude(
        stage__in=[Stage.OPPORTUNITY, Stage.CANCELLED]
    )
    before = _group_figures(Group(_("其他项目"), others))
    after = _group_figures(Group(label or _("所选项目"), chosen))
    return {
        "mode": "projects",
        "projects": sorted(chosen.values_list("code", flat=True)),
        "before": before,
        "after": after,
        "change": _changes(before, after, per_project=True),
    }


def pm_usernames() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(
            Q(business_projects__isnull=False) | Q(engineering_projects__isnull=False)
        )
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )


def project_kpi_panel(project: Project) -> dict:
    """The project KPI tab: current-year values for the project scope, surveys, complaints."""
    period = P.current(P.YEAR)
    kpis = active_kpis()
    found = values(kpis, Scope(ScopeType.PROJECT, project.code), [period])
    rows = [(k, found[(k.code, period.key)]) for k in kpis]
    return {
        "period": period,
        "rows": rows,
        "surveys": list(project.satisfaction_surveys.all()[:50]),
        "complaints": list(project.complaints.all()[:50]),
    }
