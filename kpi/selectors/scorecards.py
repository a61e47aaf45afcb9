"""Department scorecards: each KPI scored against its target, weighted into one score."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.models import Department
from kpi import periods as P
from kpi.definitions import CURRENT_STATE
from kpi.models import KpiDefinition, ScopeType, Scorecard
from kpi.selectors.config import scorecard_config
from kpi.selectors.formulas import HUNDRED, KpiValue
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


def weighted_score(rows: list[dict], missing: str = "reweight") -> Decimal | None:
    """Weighted mean of the KPI scores. A KPI without a value is left out and the other
    weights re-normalised (`reweight`), or counted as a score of 0 (`zero`)."""
    if missing == "zero":
        scored = [(r["weight"], r["score"] or Decimal(0)) for r in rows if r["weight"] > 0]
    else:
        scored = [
            (r["weight"], r["score"]) for r in rows if r["score"] is not None and r["weight"] > 0
        ]
    total_weight = sum((w for w, _s in scored), Decimal(0))
    if not total_weight or not any(r["score"] is not None for r in rows):
        return None
    total = sum((w * s for w, s in scored), Decimal(0))
    return (total / total_weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def coverage(rows: list[dict]) -> dict:
    """How much of the scorecard's weight had data, and which KPIs had none."""
    weight_total = sum((r["weight"] for r in rows), Decimal(0))
    without = [r for r in rows if r["score"] is None]
    weight_without = sum((r["weight"] for r in without), Decimal(0))
    return {
        "weight_total": weight_total,
        "weight_with_data": weight_total - weight_without,
        "without_data": [
            {"code": r["code"], "name": r["name"], "weight": r["weight"]} for r in without
        ],
    }


def scope_description(department: str, card) -> str:
    """Which projects a scorecard covers, and why (shown on the page and in the API)."""
    if department != Department.FINANCE:
        return _("全公司项目：每个项目都有业务项目经理和工程项目经理，联动指标在两个看板上相同。")
    if card is not None and card.project_scope == Scorecard.ProjectScope.COMPANY:
        return _("全公司项目（PMO在后台设定）。")
    return _(
        "有财务代表的项目（PMO在后台设定；也可改为全公司项目）：联动指标的值因此可能与业务部、"
        "工程管理部看板不同。"
    )


def scorecard(department: str, period: P.Period) -> dict:
    """One department's scorecard for one period: constant number of queries (the
    configuration, see kpi.selectors.config, then `values`: the live aggregates in one
    statement)."""
    card, weights, closed = scorecard_config(department, period.key)
    # the seeded titles are msgids (told in the reader's language); a title PMO typed is shown
    # as typed
    title = str(Department(department).label) if card is None else _(str(card))
    today = timezone.localdate()
    missing = card.missing_data if card is not None else Scorecard.MissingData.REWEIGHT
    scope = Scope(ScopeType.DEPARTMENT, department)
    found = values(
        [k for k, _w in weights], scope, [period], closed={period.key} if closed else set()
    )
    rows = []
    for kpi, weight in weights:
        v = found[(kpi.code, period.key)]
        if kpi.code in CURRENT_STATE and not v.frozen and not period.contains(today):
            # a current state (the promise-gap rate) has no live value under another period
            # (kpi.selectors.kpi_values.value_rows): no data, left out of the total as such
            v = KpiValue(extra={"current_state": True})
        rows.append(
            {
                "code": kpi.code,
                "name": kpi.name,
                "unit": kpi.unit_label,
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
                "no_cases": v.no_cases,
                "current_state": kpi.code in CURRENT_STATE,
            }
        )
    return {
        "department": department,
        "title": title,
        "period": period.key,
        "start": period.start,
        "end": period.last_day,
        "frozen": bool(rows) and all(r["frozen"] for r in rows),
        "score": weighted_score(rows, missing),
        "open": period.end > today,
        "as_of": min(today, period.last_day) if period.end > today else None,
        "missing_data": missing,
        "coverage": coverage(rows),
        "scope": scope_description(department, card),
        "kpis": rows,
    }


def scorecards_side_by_side(departments: list[str], period: P.Period) -> list[dict]:
    """The scorecards of a period, each joint KPI marked `differs` when its value is not the
    same on every card that shows it (a different project scope)."""
    cards = [scorecard(d, period) for d in departments]
    seen: dict[str, set] = {}
    for card in cards:
        for row in card["kpis"]:
            if row["is_joint"]:
                seen.setdefault(row["code"], set()).add(row["value"])
    for card in cards:
        for row in card["kpis"]:
            row["differs"] = row["is_joint"] and len(seen.get(row["code"], ())) > 1
    return cards
