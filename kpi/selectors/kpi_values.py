"""KPI values for a scope and periods: computed live (one KPI, or many in one statement), or
read from the frozen KpiSnapshot rows of a closed period."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.db.models import QuerySet
from django.utils import timezone

from kpi import periods as P
from kpi.definitions import CURRENT_STATE
from kpi.models import KpiDefinition, KpiSnapshot, ScopeType
from kpi.selectors.config import active_kpis, closed_period_keys
from kpi.selectors.formulas import LIVE, SOURCE_ALL, KpiValue, Live, for_source
from kpi.selectors.restatements import pending_counts
from kpi.selectors.scopes import Scope, scope_projects
from kpi.selectors.statements import plan, run_together
from projects.core.models import Project


def _one_by_one(live: Live | KpiValue) -> KpiValue:
    if isinstance(live, KpiValue):
        return live
    return live.finish([qs.aggregate(**aggregates) for qs, aggregates in live.parts])


def _calculator(code: str) -> Callable[[QuerySet | None, P.Period, datetime.date], KpiValue]:
    def calculate(projects, period: P.Period, today: datetime.date) -> KpiValue:
        return _one_by_one(LIVE[code](projects, period, today))

    calculate.__name__, calculate.__doc__ = code, LIVE[code].__doc__
    return calculate


CALCULATORS = {code: _calculator(code) for code in LIVE}


def compute(code: str, scope: Scope, period: P.Period, today: datetime.date | None = None):
    """Compute one KPI live from the data (ignores snapshots)."""
    calc = CALCULATORS.get(code)
    if calc is None:
        return KpiValue(extra={"unavailable": True})
    result = calc(scope_projects(scope), period, today or timezone.localdate())
    result.computed_at = timezone.now()
    return result


def compute_many(
    wanted: list[tuple[str, P.Period]], scope: Scope, today: datetime.date | None = None
) -> dict[tuple[str, str], KpiValue]:
    """{(code, period key): compute(code, scope, period, today)} with the aggregates of
    every pair in one statement (plus what a KPI computes in Python)."""
    lives, statement = plan(wanted, scope, today or timezone.localdate())
    answers = iter(run_together(statement))
    now = timezone.now()
    out = {}
    for key, live in lives.items():
        if live is None:  # no such KPI: as compute() answers it
            out[key] = KpiValue(extra={"unavailable": True})
            continue
        if isinstance(live, Live):
            result = live.finish([next(answers) for _part in live.parts])
        else:  # answered when planned (unavailable): a copy per call
            result = dataclasses.replace(live, extra=dict(live.extra))
        result.computed_at = now
        out[key] = result
    return out


def values(
    kpis: list[KpiDefinition],
    scope: Scope,
    period_list: list[P.Period],
    closed: set[str] | None = None,
) -> dict[tuple[str, str], KpiValue]:
    """{(kpi code, period key): value}: frozen snapshot for closed periods, live otherwise.
    At most three statements (closed periods unless given, snapshots if any is closed, the
    live aggregates together), plus what a KPI computes in Python (promise gaps)."""
    keys = [p.key for p in period_list]
    if closed is None:
        closed = closed_period_keys(keys)
    frozen: dict[tuple[str, str], KpiValue] = {}
    if closed and kpis:
        for snap in KpiSnapshot.objects.filter(
            period__in=closed,
            scope_type=scope.type,
            scope_key=scope.key,
            kpi__in=[k.pk for k in kpis],
        ).select_related("kpi"):
            frozen[(snap.kpi.code, snap.period)] = KpiValue(
                snap.numerator, snap.denominator, snap.value, snap.extra, True, snap.computed_at
            )
    live = [
        (kpi.code, period)
        for period in period_list
        for kpi in kpis
        if (kpi.code, period.key) not in frozen
    ]
    found = compute_many(live, scope) if live else {}
    return {
        (kpi.code, period.key): frozen.get((kpi.code, period.key)) or found[(kpi.code, period.key)]
        for period in period_list
        for kpi in kpis
    }


def value_rows(
    kpis: list[KpiDefinition],
    scope: Scope,
    periods: list[P.Period],
    today: datetime.date | None = None,
    source: str = SOURCE_ALL,
) -> list[dict]:
    """`values` as one row per period and KPI (the API's results, the trend charts).

    A period that has not ended is marked `open` (its value is so far, as of `today`); a
    closed one says how many restatements are pending for it. `no_cases`: nothing to count
    in the period (so far), the value is null, shown as “—”, never 0. A current-state KPI (the
    promise-gap rate) has a value only for the period containing today (as of today) and for
    closed periods (the state frozen at close), never a live value under another period.
    `source` (staff, customer) counts only the surveys of that source for a survey-based KPI
    (formulas.for_source)."""
    today = today or timezone.localdate()
    found = values(kpis, scope, periods)
    pending = pending_counts(p.key for p in periods)
    rows = []
    for period in periods:
        is_open = period.end > today
        for kpi in kpis:
            v = for_source(kpi.code, found[(kpi.code, period.key)], source)
            if kpi.code in CURRENT_STATE and not v.frozen and not period.contains(today):
                v = KpiValue(extra={"current_state": True})
            rows.append(
                {
                    "kpi": kpi.code,
                    "period": period.key,
                    "start": period.start,
                    "end": period.last_day,
                    "numerator": v.numerator,
                    "denominator": v.denominator,
                    "value": v.value,
                    "extra": v.extra,
                    "frozen": v.frozen,
                    "computed_at": v.computed_at,
                    "open": is_open,
                    "as_of": min(today, period.last_day) if is_open else None,
                    "no_cases": v.no_cases,
                    "current_state": kpi.code in CURRENT_STATE,
                    "pending_restatements": pending.get(period.key, 0),
                }
            )
    return rows


def project_kpi_panel(project: Project, today: datetime.date | None = None) -> dict:
    """The project KPI tab: current-year values for the project scope (the rows of
    value_rows: open, as of today, no cases), surveys, complaints."""
    today = today or timezone.localdate()
    period = P.current(P.YEAR, today)
    kpis = active_kpis()
    found = value_rows(kpis, Scope(ScopeType.PROJECT, project.code), [period], today)
    return {
        "period": period,
        "open": period.end > today,
        "as_of": min(today, period.last_day),
        "rows": list(zip(kpis, found, strict=True)),
        "surveys": list(project.satisfaction_surveys.all()[:50]),
        "complaints": list(project.complaints.all()[:50]),
    }
