"""KPI reads: every value is an SQL aggregation over the project data, never typed in.

Scopes: `company` (every project); `department:<business|engineering|pmo>` (every project:
each one has a business PM and an engineering PM, so the joint KPIs are identical on both
scorecards — shared fate); `department:finance` (projects with a finance representative);
`project:<code>`; `pm:<username>` (projects where the user is business or engineering PM).
Periods: see kpi/periods.py. A closed period answers from its frozen KpiSnapshot rows.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.models import Department
from kpi import periods as P
from kpi.models import (
    ClosedPeriod,
    Complaint,
    KpiDefinition,
    KpiSnapshot,
    SatisfactionSurvey,
    ScopeType,
    Scorecard,
    ScorecardWeight,
)
from projects.core.models import Milestone, Project, ProjectMembership, Stage

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


# Each KPI is described as aggregates over querysets (`_Live`: what `.aggregate()` would be
# asked) plus a finish turning their rows into a KpiValue, so that a scorecard runs the
# aggregates of all its KPIs in one statement (`_aggregate_together`) and a single KPI
# runs them one by one, with the same SQL and the same Python types either way.
@dataclass
class _Live:
    parts: list[tuple[QuerySet, dict]]  # [(rows, {alias: aggregate})]
    finish: Callable[[list[dict]], KpiValue]


def _on_time_delivery_rate(projects, period: P.Period, today: datetime.date) -> _Live:
    """Milestones due (baseline date) in the period and already due / those done by that date."""
    last_due = min(period.last_day, today)
    due = (
        _in_scope(Milestone.objects.all(), projects)
        .filter(baseline_date__gte=period.start, baseline_date__lte=last_due)
        .exclude(status=Milestone.Status.CANCELLED)
    )
    aggregates = {
        "due": Count("pk"),
        "on_time": Count(
            "pk", filter=Q(status=Milestone.Status.DONE, actual_date__lte=F("baseline_date"))
        ),
    }
    return _Live([(due, aggregates)], lambda r: _ratio(r[0]["on_time"], r[0]["due"], HUNDRED))


def _customer_satisfaction(projects, period: P.Period, today: datetime.date) -> _Live:
    """Share of surveys with overall score ≥ 4 (value, %) and the average overall score."""
    surveys = _in_scope(SatisfactionSurvey.objects.all(), projects).filter(
        surveyed_on__gte=period.start, surveyed_on__lt=period.end
    )
    aggregates = {
        "n": Count("pk"),
        "satisfied": Count("pk", filter=Q(overall_score__gte=4)),
        "avg": Avg("overall_score"),
    }

    def finish(rows):
        row = rows[0]
        result = _ratio(row["satisfied"], row["n"], HUNDRED)
        result.extra = (
            {"average_score": str(_dec(row["avg"]).quantize(Decimal("0.01")))}
            if row["avg"] is not None
            else {"average_score": None}
        )
        return result

    return _Live([(surveys, aggregates)], finish)


def _active_projects(projects, period: P.Period) -> QuerySet[Project]:
    """Signed before the period ends and not delivered before it starts."""
    qs = Project.objects.filter(contract_signed_on__lt=period.end).exclude(
        stage__in=[Stage.OPPORTUNITY, Stage.CANCELLED]
    )
    qs = qs.filter(Q(actual_end__isnull=True) | Q(actual_end__gte=period.start))
    return qs if projects is None else qs.filter(pk__in=projects.values("pk"))


def _customer_complaint_rate(projects, period: P.Period, today: datetime.date) -> _Live:
    """Customer complaints opened in the period per active or delivered project."""
    complaints = _in_scope(Complaint.objects.all(), projects).filter(
        source=Complaint.Source.CUSTOMER,
        opened_on__gte=period.start,
        opened_on__lt=period.end,
    )
    return _Live(
        [(complaints, {"n": Count("*")}), (_active_projects(projects, period), {"n": Count("*")})],
        lambda r: _ratio(r[0]["n"], r[1]["n"]),
    )


def _cross_department_complaints(projects, period: P.Period, today: datetime.date) -> _Live:
    """Internal (cross-department) complaints opened in the period."""
    complaints = _in_scope(Complaint.objects.all(), projects).filter(
        source=Complaint.Source.INTERNAL,
        opened_on__gte=period.start,
        opened_on__lt=period.end,
    )

    def finish(rows):
        n = rows[0]["n"]
        return KpiValue(_dec(n), None, _dec(n))

    return _Live([(complaints, {"n": Count("*")})], finish)


def _delivery_cycle_time(projects, period: P.Period, today: datetime.date) -> _Live:
    """Days from contract signing to actual end, for projects delivered in the period."""
    qs = Project.objects.filter(
        actual_end__gte=period.start,
        actual_end__lt=period.end,
        contract_signed_on__isnull=False,
    )
    if projects is not None:
        qs = qs.filter(pk__in=projects.values("pk"))
    aggregates = {"total": Sum(_days_between("actual_end", "contract_signed_on")), "n": Count("pk")}
    return _Live([(qs, aggregates)], lambda r: _days(r[0]["total"], r[0]["n"]))


def _model(module: str, name: str):
    """A model another app is still building: None until it exists."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _handover_lead_time(projects, period: P.Period, today: datetime.date) -> _Live | KpiValue:
    """Days from contract signing to handover acceptance (local date), accepted in the period."""
    Handover = _model("handover.models", "Handover")
    if Handover is None or not hasattr(Handover, "accepted_at"):
        return KpiValue(extra={"unavailable": True})
    qs = (
        _in_scope(Handover.objects.all(), projects)
        .filter(
            accepted_at__gte=period.start_at,
            accepted_at__lt=period.end_at,
            project__contract_signed_on__isnull=False,
        )
        .annotate(accepted_on=TruncDate("accepted_at", tzinfo=timezone.get_default_timezone()))
    )
    aggregates = {
        "total": Sum(_days_between("accepted_on", "project__contract_signed_on")),
        "n": Count("pk"),
    }
    return _Live([(qs, aggregates)], lambda r: _days(r[0]["total"], r[0]["n"]))


def _change_request_cycle_time(
    projects, period: P.Period, today: datetime.date
) -> _Live | KpiValue:
    """Days from submission to decision, for change requests decided in the period."""
    ChangeRequest = _model("projects.core.models", "ChangeRequest")
    if ChangeRequest is None or not hasattr(ChangeRequest, "decided_at"):
        return KpiValue(extra={"unavailable": True})
    qs = _in_scope(ChangeRequest.objects.all(), projects).filter(
        decided_at__gte=period.start_at,
        decided_at__lt=period.end_at,
        submitted_at__isnull=False,
    )
    aggregates = {"total": Sum(_days_between("decided_at", "submitted_at")), "n": Count("pk")}
    return _Live([(qs, aggregates)], lambda r: _days(r[0]["total"], r[0]["n"]))


def _promise_gap_rate(projects, period: P.Period, today: datetime.date) -> _Live | KpiValue:
    """Share of quoted projects whose quote leaves an open promise gap (current state).
    Quoted = has a current quote; closed and cancelled projects carry no open gap. The
    gaps are found in Python (projects.presales.promise_gaps), only when some project is quoted."""
    try:
        module = importlib.import_module("projects.presales.promise_gaps")
    except ImportError:
        return KpiValue(extra={"unavailable": True})
    bulk = getattr(module, "promise_gaps_bulk", None)
    if bulk is None:
        return KpiValue(extra={"unavailable": True})
    quoted = Project.objects.filter(quotes__is_current=True).exclude(stage=Stage.CANCELLED)
    if projects is not None:
        quoted = quoted.filter(pk__in=projects.values("pk"))

    def finish(rows):
        if not rows[0]["quoted"]:
            return _ratio(0, 0, HUNDRED)
        gaps = bulk(quoted.distinct())
        return _ratio(sum(1 for found in gaps.values() if found), len(gaps), HUNDRED)

    return _Live([(quoted, {"quoted": Count("pk", distinct=True)})], finish)


LIVE: dict[str, Callable[[QuerySet | None, P.Period, datetime.date], _Live | KpiValue]] = {
    "on_time_delivery_rate": _on_time_delivery_rate,
    "customer_satisfaction": _customer_satisfaction,
    "customer_complaint_rate": _customer_complaint_rate,
    "cross_department_complaints": _cross_department_complaints,
    "delivery_cycle_time": _delivery_cycle_time,
    "handover_lead_time": _handover_lead_time,
    "change_request_cycle_time": _change_request_cycle_time,
    "promise_gap_rate": _promise_gap_rate,
}


def _one_by_one(live: _Live | KpiValue) -> KpiValue:
    if isinstance(live, KpiValue):
        return live
    return live.finish([qs.aggregate(**aggregates) for qs, aggregates in live.parts])


@dataclass(frozen=True)
class _Together:
    """One statement answering several aggregate queries (see _aggregate_together)."""

    using: str | None
    sql: str
    params: tuple
    shapes: tuple  # (answer index, aggregate names, compiler: its converters)
    answers: tuple  # fixed answers of the parts that cannot match (None: from the row)


# PostgreSQL takes any number of sub-selects in one statement; SQLite (make run) joins at most
# 64 tables, so there the parts go in statements of a few each.
_PARTS_PER_STATEMENT_ELSEWHERE = 12


def _prepare_together(parts: list[tuple[QuerySet, dict]]) -> list[_Together]:
    """The parts' aggregates as one statement on PostgreSQL (a few elsewhere)."""
    if not parts:
        return []
    size = len(parts)
    if connections[parts[0][0].db].vendor != "postgresql":
        size = _PARTS_PER_STATEMENT_ELSEWHERE
    return [_prepare_one(parts[i : i + size]) for i in range(0, len(parts), size)]


def _prepare_one(parts: list[tuple[QuerySet, dict]]) -> _Together:
    selects, params, shapes = [], [], []
    answers: list[dict | None] = []
    using = None
    for qs, aggregates in parts:
        # values() of a constant, then the aggregates: no GROUP BY, always one row
        query = qs.order_by().values(_one=Value(1)).annotate(**aggregates).values(*aggregates)
        compiler = query.query.get_compiler(using=query.db)
        try:
            sql, part_params = compiler.as_sql()
        except EmptyResultSet:  # nothing can match: what aggregate() answers without SQL
            answers.append(qs.aggregate(**aggregates))
            continue
        using = using or query.db
        selects.append(f"({sql}) AS _kpi{len(selects)}")
        params.extend(part_params)
        shapes.append((len(answers), list(aggregates), compiler))
        answers.append(None)
    sql = "SELECT * FROM " + ", ".join(selects) if selects else ""  # noqa: S608  # nosec B608 (ORM-compiled)
    return _Together(using, sql, tuple(params), tuple(shapes), tuple(answers))


def _run_together(statements: list[_Together]) -> list[dict]:
    return [answer for statement in statements for answer in _run_one(statement)]


def _run_one(statement: _Together) -> list[dict]:
    answers = [dict(a) if a is not None else None for a in statement.answers]
    if statement.sql:
        with connections[statement.using].cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            row = cursor.fetchone()
        offset = 0
        for index, names, compiler in statement.shapes:
            values_ = list(row[offset : offset + len(names)])
            offset += len(names)
            converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
            if converters:
                values_ = next(iter(compiler.apply_converters([values_], converters)))
            answers[index] = dict(zip(names, values_, strict=True))
    return answers


def _aggregate_together(parts: list[tuple[QuerySet, dict]]) -> list[dict]:
    """`[qs.aggregate(**aggregates) for qs, aggregates in parts]` in one statement: each
    aggregate query becomes a one-row sub-select of `SELECT * FROM (…) a0, (…) a1, …`,
    its columns converted as the ORM converts them."""
    return _run_together(_prepare_together(parts))


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


# The statement of a compute_many() call is a pure function of its arguments (scope, the
# (code, period) pairs, today): kept per process, so a repeated scorecard only executes it
# (building and compiling nine querysets costs about as much as a small query). No data is
# kept, only SQL and its parameters.
_PLANS: dict = {}
_PLANS_MAX = 512


def _plan(wanted: list[tuple[str, P.Period]], scope: Scope, today: datetime.date):
    tz = timezone.get_default_timezone_name()  # local dates and midnights are in the SQL
    key = (scope.type, scope.key, tuple(wanted), today, tz)
    plan = _PLANS.get(key)
    if plan is None:
        projects = scope_projects(scope)
        lives = {
            (code, period.key): LIVE[code](projects, period, today) if code in LIVE else None
            for code, period in wanted
        }
        parts = [part for live in lives.values() if isinstance(live, _Live) for part in live.parts]
        plan = (lives, _prepare_together(parts))
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def compute_many(
    wanted: list[tuple[str, P.Period]], scope: Scope, today: datetime.date | None = None
) -> dict[tuple[str, str], KpiValue]:
    """{(code, period key): compute(code, scope, period, today)} with the aggregates of
    every pair in one statement (plus what a KPI computes in Python)."""
    lives, statement = _plan(wanted, scope, today or timezone.localdate())
    answers = iter(_run_together(statement))
    now = timezone.now()
    out = {}
    for key, live in lives.items():
        if live is None:  # no such KPI: as compute() answers it
            out[key] = KpiValue(extra={"unavailable": True})
            continue
        if isinstance(live, _Live):
            result = live.finish([next(answers) for _part in live.parts])
        else:  # answered when planned (unavailable): a copy per call
            result = dataclasses.replace(live, extra=dict(live.extra))
        result.computed_at = now
        out[key] = result
    return out


def closed_period_keys(keys: Iterable[str]) -> set[str]:
    return set(
        ClosedPeriod.objects.filter(
            period__in=list(keys), status=ClosedPeriod.Status.CLOSED
        ).values_list("period", flat=True)
    )


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


# The scorecard configuration (cards, weights, KPI definitions, closed periods) changes a
# few times a year but is read by every scorecard: each process keeps what it read, tagged
# with a version held in the shared cache. Every save or delete of those models sets a new
# version (kpi/signals.py: at once and when the transaction commits), so a process whose
# tag differs reads the database again. Nothing is kept from inside a transaction (it could
# still roll back), nor when the cache is not shared between processes (locmem), nor for
# more than CONFIG_MEMO_SECONDS (a bound should an invalidation ever be lost).
CONFIG_VERSION_KEY = "kpi:scorecard-config:version"
CONFIG_MEMO_SECONDS = 300
_config_memo: dict = {"version": None}


def config_changed() -> None:
    """Scorecards, weights, KPI definitions or closed periods changed: every process reads
    them from the database again."""
    caches[DEFAULT_CACHE_ALIAS].set(CONFIG_VERSION_KEY, uuid.uuid4().hex, None)


def _config_version() -> str | None:
    """The shared version of the configuration; None when it is not shared between
    processes (a process-local cache) or the cache cannot be reached (then: no memo)."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, LocMemCache | DummyCache):
        return None
    try:
        version = cache.get(CONFIG_VERSION_KEY)
        if version is None:
            cache.add(CONFIG_VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(CONFIG_VERSION_KEY)
    except Exception:  # noqa: BLE001  (an unreachable cache: read the database)
        return None
    return version


def _scorecard_config(department: str, period_key: str):
    """(card or None, [(kpi, weight)], period closed?) — from this process's memo when its
    version is current, else in one query (two for a card without weights or no card)."""
    version = None if connections[DEFAULT_DB_ALIAS].in_atomic_block else _config_version()
    memo = _config_memo
    now = time.monotonic()
    if version is None or memo["version"] != version or memo["until"] < now:
        memo = {"version": version, "until": now + CONFIG_MEMO_SECONDS, "cards": {}, "closed": {}}
    if department in memo["cards"] and period_key in memo["closed"]:
        card, weights = memo["cards"][department]
        return card, weights, memo["closed"][period_key]

    closed_now = ClosedPeriod.objects.filter(period=period_key, status=ClosedPeriod.Status.CLOSED)
    rows = list(
        ScorecardWeight.objects.filter(scorecard__department=department)
        .select_related("scorecard", "kpi")
        .annotate(period_closed=Exists(closed_now))
    )
    if rows:
        card, closed = rows[0].scorecard, rows[0].period_closed
    else:  # a card without weights, or none
        card = Scorecard.objects.filter(department=department).first()
        closed = closed_now.exists()
    if card is None:
        weights = [(k, Decimal(1)) for k in active_kpis() if k.is_joint]
    else:
        weights = [
            (w.kpi, w.weight)
            for w in sorted(rows, key=lambda w: (w.kpi.sequence, w.kpi.code))
            if w.kpi.is_active
        ]
    if version is not None:
        memo["cards"][department] = (card, weights)
        memo["closed"][period_key] = closed
        globals()["_config_memo"] = memo
    return card, weights, closed


def scorecard(department: str, period: P.Period) -> dict:
    """One department's scorecard for one period: constant number of queries (the
    configuration, see above, then `values`: the live aggregates in one statement)."""
    card, weights, closed = _scorecard_config(department, period.key)
    title = str(Department(department).label) if card is None else str(card)
    scope = Scope(ScopeType.DEPARTMENT, department)
    found = values(
        [k for k, _w in weights], scope, [period], closed={period.key} if closed else set()
    )
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
