"""Projects whose PM rotated against those whose PMs did not (互换岗位体验 and the joint KPIs).

The groups: every contracted project (a contract date, not an opportunity, not cancelled).
"Rotated": its business PM or its engineering PM completed a job rotation (closed) whose
actual end is before the project's contract date (coordination.rotations.selectors); "not
rotated": the others. Each group's figures are the joint KPIs of the period, computed by
the KPIs' own formulas (kpi.selectors.formulas.LIVE, the scorecards' rules) over that
group's projects, plus the change requests submitted in the period per project. All of one
group's aggregates run in one statement (kpi.selectors.statements).

A group of fewer than MIN_GROUP projects is flagged: its figures are shown, but a
comparison of so few projects says little."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.rotations.selectors import completed_rotation_before_contract
from kpi import periods as P
from kpi.definitions import CURRENT_STATE
from kpi.selectors.comparison import ratio_per_project
from kpi.selectors.config import active_kpis
from kpi.selectors.formulas import LIVE, KpiValue, Live
from kpi.selectors.scopes import in_scope
from kpi.selectors.statements import prepare_together, run_together
from projects.changes.models import ChangeRequest
from projects.core.models import Project, Stage

MIN_GROUP = 5
ROTATED, OTHERS = "rotated", "others"


def rotated_q() -> Q:
    """Either PM completed a rotation before the project's contract date."""
    return Q(completed_rotation_before_contract("business_pm")) | Q(
        completed_rotation_before_contract("engineering_pm")
    )


def groups() -> dict[str, QuerySet[Project]]:
    contracted = Project.objects.filter(contract_signed_on__isnull=False).exclude(
        stage__in=[Stage.OPPORTUNITY, Stage.CANCELLED]
    )
    return {ROTATED: contracted.filter(rotated_q()), OTHERS: contracted.exclude(rotated_q())}


def _figures(projects: QuerySet[Project], codes: list[str], period: P.Period, today) -> dict:
    """{"projects": n, code: KpiValue, …, "change_requests": n} for one group."""
    lives = {code: LIVE[code](projects, period, today) for code in codes}
    parts = [(projects, {"n": Count("pk")})]
    changes = in_scope(ChangeRequest.objects.all(), projects).filter(
        submitted_at__gte=period.start_at, submitted_at__lt=period.end_at
    )
    parts.append((changes, {"n": Count("pk")}))
    for live in lives.values():
        if isinstance(live, Live):
            parts += live.parts
    answers = iter(run_together(prepare_together(parts)))
    found: dict = {"projects": next(answers)["n"], "change_requests": next(answers)["n"]}
    for code, live in lives.items():
        if isinstance(live, Live):
            found[code] = live.finish([next(answers) for _part in live.parts])
        else:
            found[code] = live
    return found


def _cell(value: KpiValue, projects: int, count_kpi: bool) -> dict:
    return {
        "value": value.value,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "no_cases": value.no_cases or value.extra.get("unavailable", False),
        # a count (no denominator) is compared per project: the groups differ in size
        "per_project": ratio_per_project(value.value, projects) if count_kpi else None,
    }


def rotation_comparison(period: P.Period, today: datetime.date | None = None) -> dict:
    """The joint KPIs of `period` for projects with a rotated PM and for the others."""
    today = today or timezone.localdate()
    kpis = [
        k for k in active_kpis() if k.is_joint and k.code in LIVE and k.code not in CURRENT_STATE
    ]
    codes = [k.code for k in kpis]
    found = {name: _figures(qs, codes, period, today) for name, qs in groups().items()}
    sizes = {name: found[name]["projects"] for name in found}
    rows = []
    for kpi in kpis:
        count_kpi = found[ROTATED][kpi.code].denominator is None
        rows.append(
            {
                "kpi": kpi.code,
                "name": kpi.name,
                "unit": kpi.unit_label,
                "direction": kpi.direction,
                "per_project": count_kpi,
                **{
                    name: _cell(found[name][kpi.code], sizes[name], count_kpi)
                    for name in (ROTATED, OTHERS)
                },
            }
        )
    rows.append(
        {
            "kpi": "change_requests",
            "name": _("变更申请数"),
            "unit": _("次/项目"),
            "direction": "lower",
            "per_project": True,
            **{
                name: {
                    "value": Decimal(found[name]["change_requests"]),
                    "numerator": Decimal(found[name]["change_requests"]),
                    "denominator": None,
                    "no_cases": False,
                    "per_project": ratio_per_project(found[name]["change_requests"], sizes[name]),
                }
                for name in (ROTATED, OTHERS)
            },
        }
    )
    too_few = [name for name in (ROTATED, OTHERS) if sizes[name] < MIN_GROUP]
    return {
        "period": period.key,
        "start": period.start,
        "end": period.last_day,
        "min_group": MIN_GROUP,
        "groups": {
            ROTATED: {"label": _("项目经理参加过互换岗位体验"), "projects": sizes[ROTATED]},
            OTHERS: {"label": _("项目经理未参加"), "projects": sizes[OTHERS]},
        },
        "too_few": too_few,
        "comparable": not too_few,
        "rows": rows,
    }
