"""Promise gaps (承诺缺口): where business's quote is not backed by engineering's estimate.

The ONE place gaps are computed. `promise_gaps(project)` for one project,
`promise_gaps_bulk(projects)` for a list in two queries whatever its length, and
`attach_promise_gaps(projects)` to put the result on each project as `.promise_gaps`
(read by the badge template tag without further queries).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Stage
from projects.presales.models import FeasibilityAssessment, Quote

NO_ASSESSMENT = "no_approved_assessment"
NO_QUOTE = "no_quote"
INFEASIBLE = "infeasible_verdict"
MARGIN_BELOW_FLOOR = "margin_below_floor"
DATE_BEFORE_ESTIMATE = "promised_date_too_early"
ASSESSMENT_SUPERSEDED = "quote_on_superseded_assessment"
ASSESSMENT_UNAPPROVED = "quote_on_unapproved_assessment"

GAP_CODES = [
    NO_ASSESSMENT,
    NO_QUOTE,
    INFEASIBLE,
    MARGIN_BELOW_FLOOR,
    DATE_BEFORE_ESTIMATE,
    ASSESSMENT_SUPERSEDED,
    ASSESSMENT_UNAPPROVED,
]
# Stages where a project no longer makes promises: nothing to check.
_QUIET_STAGES = {Stage.CLOSED, Stage.CANCELLED}


@dataclass(frozen=True)
class Gap:
    code: str
    message: str
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "figures": self.figures}


def margin_floor() -> Decimal:
    return Decimal(str(getattr(settings, "PROMISE_GAP_MARGIN_FLOOR", 0.10)))


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def compute_gaps(
    project,
    approved: FeasibilityAssessment | None,
    quote: Quote | None,
    *,
    today: datetime.date | None = None,
) -> list[Gap]:
    """The rules, on data already loaded (no queries)."""
    if project.stage in _QUIET_STAGES:
        return []
    gaps: list[Gap] = []
    # Missing inputs only matter while the promise is still being made.
    if project.stage == Stage.OPPORTUNITY:
        if approved is None:
            gaps.append(Gap(NO_ASSESSMENT, _("尚无已批准的工程可行性评估。")))
        if quote is None:
            gaps.append(Gap(NO_QUOTE, _("尚无业务报价。")))

    if approved is not None and approved.verdict == FeasibilityAssessment.Verdict.INFEASIBLE:
        gaps.append(
            Gap(
                INFEASIBLE,
                _("工程评估结论为不可行（第%(version)s版）。") % {"version": approved.version},
                {"assessment_version": approved.version},
            )
        )
    if quote is None:
        return gaps

    relied = quote.assessment
    if relied is None or relied.status in (
        FeasibilityAssessment.Status.DRAFT,
        FeasibilityAssessment.Status.SUBMITTED,
        FeasibilityAssessment.Status.RETURNED,
    ):
        gaps.append(
            Gap(
                ASSESSMENT_UNAPPROVED,
                _("报价依据的可行性评估未经批准。"),
                {"assessment_version": relied.version if relied else None},
            )
        )
    elif approved is None or relied.pk != approved.pk:
        gaps.append(
            Gap(
                ASSESSMENT_SUPERSEDED,
                _("报价依据的是已被取代的评估（第%(old)s版），当前有效为第%(new)s版。")
                % {"old": relied.version, "new": approved.version if approved else "-"},
                {
                    "assessment_version": relied.version,
                    "current_version": approved.version if approved else None,
                },
            )
        )

    # Engineering's word that counts: the current approved estimate, else what the quote cites.
    estimate = approved or relied
    if estimate is None:
        return gaps

    price = quote.quoted_price
    cost = estimate.total_cost
    floor = margin_floor()
    margin = (price - cost) / price if price else Decimal("-1")
    if margin < floor:
        gaps.append(
            Gap(
                MARGIN_BELOW_FLOOR,
                _("报价毛利率%(margin)s低于底线%(floor)s（报价%(price)s，估算成本%(cost)s）。")
                % {"margin": _pct(margin), "floor": _pct(floor), "price": price, "cost": cost},
                {
                    "quoted_price": str(price),
                    "estimated_cost": str(cost),
                    "margin": str(margin.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
                    "floor": str(floor),
                    "currency": quote.currency,
                },
            )
        )

    start = project.planned_start or today or timezone.localdate()
    earliest = start + datetime.timedelta(days=estimate.estimated_duration_days)
    if quote.promised_delivery_date < earliest:
        short = (earliest - quote.promised_delivery_date).days
        gaps.append(
            Gap(
                DATE_BEFORE_ESTIMATE,
                _("承诺交付日期%(promised)s早于工程估算的最早完成日期%(earliest)s，差%(days)s天。")
                % {
                    "promised": quote.promised_delivery_date.isoformat(),
                    "earliest": earliest.isoformat(),
                    "days": short,
                },
                {
                    "promised_delivery_date": quote.promised_delivery_date.isoformat(),
                    "earliest_delivery_date": earliest.isoformat(),
                    "start": start.isoformat(),
                    "estimated_duration_days": estimate.estimated_duration_days,
                    "days_short": short,
                },
            )
        )
    return gaps


def promise_gaps_bulk(projects: Iterable) -> dict[int, list[Gap]]:
    """{project id: gaps} for many projects in two queries."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    if not ids:
        return {}
    approved = {
        a.project_id: a
        for a in FeasibilityAssessment.objects.filter(
            project_id__in=ids, status=FeasibilityAssessment.Status.APPROVED
        )
    }
    quotes = {
        q.project_id: q
        for q in Quote.objects.filter(project_id__in=ids, is_current=True).select_related(
            "assessment"
        )
    }
    today = timezone.localdate()
    return {
        p.pk: compute_gaps(p, approved.get(p.pk), quotes.get(p.pk), today=today) for p in projects
    }


def promise_gaps(project) -> list[Gap]:
    return promise_gaps_bulk([project])[project.pk]


def attach_promise_gaps(projects: Iterable) -> list:
    """Set `.promise_gaps` on each project (for lists and the badge tag)."""
    projects = list(projects)
    result = promise_gaps_bulk(projects)
    for p in projects:
        p.promise_gaps = result.get(p.pk, [])
    return projects


def open_gap_messages(project) -> list[str]:
    return [g.message for g in promise_gaps(project)]
