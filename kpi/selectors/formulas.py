"""What each KPI computes: every value is an SQL aggregation over the project data, never
typed in.

Each KPI is described as aggregates over querysets (`Live`: what `.aggregate()` would be
asked) plus a finish turning their rows into a KpiValue, so that a scorecard runs the
aggregates of all its KPIs in one statement (kpi.selectors.statements) and a single KPI
runs them one by one, with the same SQL and the same Python types either way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Model,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from handover.models import Handover
from kpi import periods as P
from kpi.models import Complaint, Restatement, SatisfactionSurvey
from kpi.selectors.scopes import in_scope
from projects.changes.models import ChangeRequest
from projects.core.models import Milestone, Project, Stage
from projects.payments.models import PaymentMilestone
from projects.presales import promise_gaps

HUNDRED = Decimal("100")
Q4 = Decimal("0.0001")


@dataclass
class KpiValue:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    extra: dict = field(default_factory=dict)
    frozen: bool = False
    computed_at: datetime.datetime | None = None

    @property
    def no_cases(self) -> bool:
        """No case to count (no milestone due, no survey, no delivery …): the value is
        “—”, never 0. A count KPI (no denominator) always has a value, 0 included."""
        return self.value is None and self.denominator is not None and not self.denominator


def dec(x) -> Decimal | None:
    """A count, sum or duration (in days) as a Decimal of four places."""
    if x is None:
        return None
    if isinstance(x, datetime.timedelta):
        x = Decimal(x.total_seconds()) / Decimal(86400)
    return Decimal(x).quantize(Q4, rounding=ROUND_HALF_UP)


def ratio(num, den, scale: Decimal = Decimal(1)) -> KpiValue:
    num, den = dec(num or 0), dec(den or 0)
    value = (num * scale / den).quantize(Q4, rounding=ROUND_HALF_UP) if den else None
    return KpiValue(num, den, value)


def average_days(total, count) -> KpiValue:
    """Average duration in days: numerator = total days, denominator = number of cases."""
    return ratio(total or datetime.timedelta(0), count)


def days_between(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


@dataclass
class Live:
    parts: list[tuple[QuerySet, dict]]  # [(rows, {alias: aggregate})]
    finish: Callable[[list[dict]], KpiValue]


def _source(model: type[Model], field_name: str) -> type[Model] | None:
    """The model a KPI reads, or None when it lacks the field the KPI needs: that KPI is then
    shown as unavailable rather than failing."""
    return model if hasattr(model, field_name) else None


def _early() -> Q:
    """Done before its baseline date."""
    return Q(status=Milestone.Status.DONE, actual_date__lt=F("baseline_date"))


def _due_milestones(projects, period: P.Period, today: datetime.date) -> QuerySet[Milestone]:
    """The milestones the on-time rate counts (its denominator), see _on_time_delivery_rate:
    a milestone done early in the period of its actual date, any other in the period of its
    baseline date once that date has come."""
    not_done = ~Q(status=Milestone.Status.DONE)
    last = min(period.last_day, today)
    done_early_here = _early() & Q(actual_date__gte=period.start, actual_date__lte=last)
    due_here = Q(baseline_date__gte=period.start, baseline_date__lte=last) & ~_early()
    return (
        in_scope(Milestone.objects.all(), projects)
        .filter(done_early_here | due_here)
        .exclude(status=Milestone.Status.CANCELLED)
        .exclude(Q(baseline_date=today) & not_done)
        .exclude(Q(project__stage=Stage.ON_HOLD) & not_done)
    )


def _on_time_delivery_rate(projects, period: P.Period, today: datetime.date) -> Live:
    """Milestones counted in the period / those done on or before their baseline date.

    Counted in a period: a milestone done before its baseline date, in the period of its
    actual date (an early delivery is on time when it happens); any other milestone in the
    period of its baseline date, once that date has come. Not counted: cancelled milestones;
    a milestone due today and not done yet (it is not late before the day ends); the
    milestones not done of a project on hold (paused, counted again when it resumes)
    (docs/kpi.md)."""
    due = _due_milestones(projects, period, today)
    aggregates = {
        "due": Count("pk"),
        "on_time": Count(
            "pk", filter=Q(status=Milestone.Status.DONE, actual_date__lte=F("baseline_date"))
        ),
    }
    return Live([(due, aggregates)], lambda r: ratio(r[0]["on_time"], r[0]["due"], HUNDRED))


def _counted(qs: QuerySet, kind: str) -> QuerySet:
    """Surveys or complaints without a pending (or left) restatement: an input recorded after
    its period was closed counts nowhere until PMO restates that period (docs/kpi.md)."""
    held = Restatement.objects.filter(
        input_kind=kind, status__in=[Restatement.Status.PENDING, Restatement.Status.LEFT]
    ).values("input_id")
    return qs.exclude(pk__in=held)


# The sources a survey-based KPI can be shown for (`source=` of the KPI page and API).
SOURCE_ALL = "all"
SURVEY_SOURCES = [SOURCE_ALL, *SatisfactionSurvey.Source.values]  # all, staff, customer
SOURCED = {"customer_satisfaction"}  # the KPIs `source` applies to


def _average(avg) -> str | None:
    return None if avg is None else str(dec(avg).quantize(Decimal("0.01")))


def _satisfaction(n, satisfied, avg) -> KpiValue:
    result = ratio(satisfied, n, HUNDRED)
    result.extra = {"average_score": _average(avg)}
    return result


def _customer_satisfaction(projects, period: P.Period, today: datetime.date) -> Live:
    """Share of surveys with overall score ≥ 4 (value, %) and the average overall score; the
    same per source (entered by staff, answered by the customer) in `extra["sources"]`, so a
    frozen period answers for either source too (for_source)."""
    surveys = in_scope(_counted(SatisfactionSurvey.objects.all(), "survey"), projects).filter(
        surveyed_on__gte=period.start, surveyed_on__lt=period.end
    )
    aggregates = {
        "n": Count("pk"),
        "satisfied": Count("pk", filter=Q(overall_score__gte=4)),
        "avg": Avg("overall_score"),
    }
    for source in SatisfactionSurvey.Source.values:
        mine = Q(source=source)
        aggregates[f"n_{source}"] = Count("pk", filter=mine)
        aggregates[f"satisfied_{source}"] = Count("pk", filter=mine & Q(overall_score__gte=4))
        aggregates[f"avg_{source}"] = Avg("overall_score", filter=mine)

    def finish(rows):
        row = rows[0]
        result = _satisfaction(row["n"], row["satisfied"], row["avg"])
        result.extra["sources"] = {}
        for source in SatisfactionSurvey.Source.values:
            part = _satisfaction(
                row[f"n_{source}"], row[f"satisfied_{source}"], row[f"avg_{source}"]
            )
            result.extra["sources"][source] = {
                "numerator": str(part.numerator),
                "denominator": str(part.denominator),
                "value": None if part.value is None else str(part.value),
                "average_score": part.extra["average_score"],
            }
        return result

    return Live([(surveys, aggregates)], finish)


def for_source(code: str, value: KpiValue, source: str) -> KpiValue:
    """`value` (live or frozen) counting only the surveys of `source` (staff, customer) for a
    KPI of SOURCED; any other KPI, or source "all", as it is. A period frozen before surveys
    had a source (no `sources` in its extra) held staff entries only."""
    if code not in SOURCED or source == SOURCE_ALL:
        return value
    parts = value.extra.get("sources")
    if parts is None:
        if value.extra.get("unavailable"):
            return value
        if source == SatisfactionSurvey.Source.STAFF:
            mine = {"numerator": value.numerator, "denominator": value.denominator}
            mine |= {"value": value.value, "average_score": value.extra.get("average_score")}
        else:
            mine = {"numerator": 0, "denominator": 0, "value": None, "average_score": None}
    else:
        mine = parts[source]
    return KpiValue(
        dec(None if mine["numerator"] is None else Decimal(mine["numerator"])),
        dec(None if mine["denominator"] is None else Decimal(mine["denominator"])),
        None if mine["value"] is None else dec(Decimal(mine["value"])),
        {"average_score": mine["average_score"], "source": source},
        value.frozen,
        value.computed_at,
    )


def _active_projects(projects, period: P.Period) -> QuerySet[Project]:
    """Signed before the period ends and not delivered before it starts."""
    qs = Project.objects.filter(contract_signed_on__lt=period.end).exclude(
        stage__in=[Stage.OPPORTUNITY, Stage.CANCELLED]
    )
    qs = qs.filter(Q(actual_end__isnull=True) | Q(actual_end__gte=period.start))
    return qs if projects is None else qs.filter(pk__in=projects.values("pk"))


def _customer_complaint_rate(projects, period: P.Period, today: datetime.date) -> Live:
    """Customer complaints opened in the period per active or delivered project."""
    complaints = in_scope(_counted(Complaint.objects.all(), "complaint"), projects).filter(
        source=Complaint.Source.CUSTOMER,
        opened_on__gte=period.start,
        opened_on__lt=period.end,
    )
    return Live(
        [(complaints, {"n": Count("*")}), (_active_projects(projects, period), {"n": Count("*")})],
        lambda r: ratio(r[0]["n"], r[1]["n"]),
    )


def _cross_department_complaints(projects, period: P.Period, today: datetime.date) -> Live:
    """Internal (cross-department) complaints opened in the period."""
    complaints = in_scope(_counted(Complaint.objects.all(), "complaint"), projects).filter(
        source=Complaint.Source.INTERNAL,
        opened_on__gte=period.start,
        opened_on__lt=period.end,
    )

    def finish(rows):
        n = rows[0]["n"]
        return KpiValue(dec(n), None, dec(n))

    return Live([(complaints, {"n": Count("*")})], finish)


def _complaint_closure_time(projects, period: P.Period, today: datetime.date) -> Live:
    """Days from a complaint's date to its closure, for complaints closed in the period."""
    qs = in_scope(_counted(Complaint.objects.all(), "complaint"), projects).filter(
        closed_on__gte=period.start, closed_on__lt=period.end
    )
    aggregates = {"total": Sum(days_between("closed_on", "opened_on")), "n": Count("pk")}
    return Live([(qs, aggregates)], lambda r: average_days(r[0]["total"], r[0]["n"]))


def _delivery_cycle_time(projects, period: P.Period, today: datetime.date) -> Live:
    """Days from contract signing to actual end, for projects delivered in the period."""
    qs = Project.objects.filter(
        actual_end__gte=period.start,
        actual_end__lt=period.end,
        contract_signed_on__isnull=False,
    )
    if projects is not None:
        qs = qs.filter(pk__in=projects.values("pk"))
    aggregates = {"total": Sum(days_between("actual_end", "contract_signed_on")), "n": Count("pk")}
    return Live([(qs, aggregates)], lambda r: average_days(r[0]["total"], r[0]["n"]))


def _handover_lead_time(projects, period: P.Period, today: datetime.date) -> Live | KpiValue:
    """Days from contract signing to handover acceptance (local date), accepted in the period."""
    model = _source(Handover, "accepted_at")
    if model is None:
        return KpiValue(extra={"unavailable": True})
    qs = (
        in_scope(model.objects.all(), projects)
        .filter(
            accepted_at__gte=period.start_at,
            accepted_at__lt=period.end_at,
            project__contract_signed_on__isnull=False,
        )
        .annotate(accepted_on=TruncDate("accepted_at", tzinfo=timezone.get_default_timezone()))
    )
    aggregates = {
        "total": Sum(days_between("accepted_on", "project__contract_signed_on")),
        "n": Count("pk"),
    }
    return Live([(qs, aggregates)], lambda r: average_days(r[0]["total"], r[0]["n"]))


def _change_request_cycle_time(projects, period: P.Period, today: datetime.date) -> Live | KpiValue:
    """Days from submission to decision, for change requests decided in the period."""
    model = _source(ChangeRequest, "decided_at")
    if model is None:
        return KpiValue(extra={"unavailable": True})
    qs = in_scope(model.objects.all(), projects).filter(
        decided_at__gte=period.start_at,
        decided_at__lt=period.end_at,
        submitted_at__isnull=False,
    )
    aggregates = {"total": Sum(days_between("decided_at", "submitted_at")), "n": Count("pk")}
    return Live([(qs, aggregates)], lambda r: average_days(r[0]["total"], r[0]["n"]))


def _received_early() -> Q:
    """Received before its baseline due date."""
    return Q(received_on__isnull=False, received_on__lt=F("baseline_due_date"))


def _due_payments(projects, period: P.Period, today: datetime.date) -> QuerySet[PaymentMilestone]:
    """The payment milestones the timeliness rate counts (its denominator), see
    _payment_timeliness_rate: one received early in the period of its receipt, any other in
    the period of its baseline due date once that date has come."""
    last = min(period.last_day, today)
    early = _received_early()
    received_early_here = early & Q(received_on__gte=period.start, received_on__lte=last)
    due_here = Q(baseline_due_date__gte=period.start, baseline_due_date__lte=last) & ~early
    return (
        in_scope(PaymentMilestone.objects.all(), projects)
        .filter(received_early_here | due_here)
        .exclude(baseline_due_date=today, received_on__isnull=True)
    )


def _payment_timeliness_rate(projects, period: P.Period, today: datetime.date) -> Live:
    """Payment milestones counted in the period / those received on or before their baseline
    due date (回款及时率, joint: a delivery slip that moves a payment counts against both
    departments). Counted in a period: a payment received before its baseline due date, in
    the period of its receipt; any other in the period of its baseline due date, once that
    date has come. Not counted: a payment due today and not received yet (docs/kpi.md)."""
    due = _due_payments(projects, period, today)
    aggregates = {
        "due": Count("pk"),
        "timely": Count(
            "pk", filter=Q(received_on__isnull=False, received_on__lte=F("baseline_due_date"))
        ),
    }
    return Live([(due, aggregates)], lambda r: ratio(r[0]["timely"], r[0]["due"], HUNDRED))


PROMISE_GAP_EXCLUDED_STAGES = [Stage.CANCELLED, Stage.CLOSED]


def _quoted_projects(projects) -> QuerySet[Project]:
    """The promise-gap rate's denominator: projects with a current quote, not closed or
    cancelled."""
    quoted = Project.objects.filter(quotes__is_current=True).exclude(
        stage__in=PROMISE_GAP_EXCLUDED_STAGES
    )
    return quoted if projects is None else quoted.filter(pk__in=projects.values("pk"))


def _promise_gap_rate(projects, period: P.Period, today: datetime.date) -> Live:
    """Share of open quoted projects whose quote leaves an open promise gap (current state).
    Quoted = has a current quote; closed and cancelled projects are left out (a gap there
    can no longer be closed), on-hold ones count. The gaps are found in Python
    (projects.presales.promise_gaps), only when some project is quoted."""
    quoted = _quoted_projects(projects)

    def finish(rows):
        if not rows[0]["quoted"]:
            return ratio(0, 0, HUNDRED)
        gaps = promise_gaps.promise_gaps_bulk(quoted.distinct())
        return ratio(sum(1 for found in gaps.values() if found), len(gaps), HUNDRED)

    return Live([(quoted, {"quoted": Count("pk", distinct=True)})], finish)


LIVE: dict[str, Callable[[QuerySet | None, P.Period, datetime.date], Live | KpiValue]] = {
    "on_time_delivery_rate": _on_time_delivery_rate,
    "customer_satisfaction": _customer_satisfaction,
    "customer_complaint_rate": _customer_complaint_rate,
    "cross_department_complaints": _cross_department_complaints,
    "delivery_cycle_time": _delivery_cycle_time,
    "handover_lead_time": _handover_lead_time,
    "change_request_cycle_time": _change_request_cycle_time,
    "promise_gap_rate": _promise_gap_rate,
    "payment_timeliness_rate": _payment_timeliness_rate,
    "complaint_closure_time": _complaint_closure_time,
}
