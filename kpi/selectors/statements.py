"""Several aggregate queries answered by one SQL statement, and the per-process cache of the
statements that compute_many() runs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, Value
from django.utils import timezone

from kpi import periods as P
from kpi.selectors.formulas import LIVE, Live
from kpi.selectors.scopes import Scope, scope_projects


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


def prepare_together(parts: list[tuple[QuerySet, dict]]) -> list[_Together]:
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


def run_together(statements: list[_Together]) -> list[dict]:
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
    return run_together(prepare_together(parts))


# The statement of a compute_many() call is a pure function of its arguments (scope, the
# (code, period) pairs, today): kept per process, so a repeated scorecard only executes it
# (building and compiling nine querysets costs about as much as a small query). No data is
# kept, only SQL and its parameters.
_PLANS: dict = {}
_PLANS_MAX = 512


def plan(wanted: list[tuple[str, P.Period]], scope: Scope, today: datetime.date):
    """({(code, period key): Live, KpiValue or None (no such KPI)}, the statements of the
    Live parts), from this process's cache when the same call was planned before."""
    tz = timezone.get_default_timezone_name()  # local dates and midnights are in the SQL
    key = (scope.type, scope.key, tuple(wanted), today, tz)
    found = _PLANS.get(key)
    if found is None:
        projects = scope_projects(scope)
        lives = {
            (code, period.key): LIVE[code](projects, period, today) if code in LIVE else None
            for code, period in wanted
        }
        parts = [part for live in lives.values() if isinstance(live, Live) for part in live.parts]
        found = (lives, prepare_together(parts))
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[key] = found
    return found
