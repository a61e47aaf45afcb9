"""Department scorecards: each KPI scored against its target, weighted into one score."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coordination.core.models import Department
from kpi import periods as P
from kpi.models import KpiDefinition, ScopeType
from kpi.selectors.config import scorecard_config
from kpi.selectors.formulas import HUNDRED
from kpi.selectors.kpi_values import values
from kpi.selectors.scopes import Scope


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
    """One department's scorecard for one period: constant number of queries (the
    configuration, see kpi.selectors.config, then `values`: the live aggregates in one
    statement)."""
    card, weights, closed = scorecard_config(department, period.key)
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
