"""The rows behind one KPI cell (scope × period), so a PM can check the number by hand: the
same querysets the KPI aggregates (kpi.selectors.formulas), listed instead of counted."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kpi import periods as P
from kpi.models import Complaint, SatisfactionSurvey
from kpi.selectors.formulas import LIVE, SOURCE_ALL, SOURCED, Live
from kpi.selectors.scopes import Scope, scope_projects
from projects.core.models import Milestone, Project
from projects.payments.models import PaymentMilestone
from projects.presales import promise_gaps

LIMIT = 500


def _days(later, earlier) -> str | None:
    if later is None or earlier is None:
        return None
    delta = later - earlier
    return f"{delta.total_seconds() / 86400:.4f}".rstrip("0").rstrip(".")


def _row(code: str, obj, part: int, tz) -> dict:
    """{project, record, date, in_numerator, days} for one counted row."""
    if isinstance(obj, Milestone):
        on_time = obj.status == Milestone.Status.DONE and obj.actual_date <= obj.baseline_date
        early = on_time and obj.actual_date < obj.baseline_date
        return {
            "project": obj.project.code,
            "record": f"{obj.name} ({obj.get_status_display()}, {obj.actual_date or '—'})",
            # the date it is counted by: done early, its actual date; else its baseline date
            "date": obj.actual_date if early else obj.baseline_date,
            "in_numerator": on_time,
            "days": None,
        }
    if isinstance(obj, PaymentMilestone):
        early = obj.received_on is not None and obj.received_on < obj.baseline_due_date
        return {
            "project": obj.project.code,
            "record": f"{obj.name} ({obj.amount:,.2f}, {obj.baseline_due_date} → "
            f"{obj.due_date}, {obj.received_on or '—'})",
            # the date it is counted by: received early, its receipt; else its baseline
            "date": obj.received_on if early else obj.baseline_due_date,
            "in_numerator": obj.received_on_time,
            "days": None,
        }
    if isinstance(obj, SatisfactionSurvey):
        return {
            "project": obj.project.code,
            "record": f"{obj.respondent}: {obj.overall_score} ({obj.get_source_display()})",
            "date": obj.surveyed_on,
            "in_numerator": obj.overall_score >= 4,
            "days": None,
        }
    if isinstance(obj, Complaint) and code == "complaint_closure_time":
        return {
            "project": obj.project.code,
            "record": f"{obj.get_source_display()} · {obj.description[:80]}",
            "date": obj.closed_on,
            "in_numerator": None,
            "days": _days(obj.closed_on, obj.opened_on),
        }
    if isinstance(obj, Complaint):
        return {
            "project": obj.project.code,
            "record": f"{obj.get_source_display()} · {obj.description[:80]}",
            "date": obj.opened_on,
            "in_numerator": True,
            "days": None,
        }
    if isinstance(obj, Project):
        if code == "delivery_cycle_time":
            return {
                "project": obj.code,
                "record": obj.name,
                "date": obj.actual_end,
                "in_numerator": None,
                "days": _days(obj.actual_end, obj.contract_signed_on),
            }
        return {
            "project": obj.code,
            "record": f"{obj.name} ({obj.get_stage_display()})",
            "date": obj.contract_signed_on,
            "in_numerator": getattr(obj, "has_gap", None) if part == 0 else None,
            "days": None,
        }
    # a handover (accepted) or a change request (decided)
    if hasattr(obj, "accepted_at"):
        accepted = timezone.localtime(obj.accepted_at, tz).date()
        return {
            "project": obj.project.code,
            "record": str(obj),
            "date": accepted,
            "in_numerator": None,
            "days": _days(accepted, obj.project.contract_signed_on),
        }
    return {
        "project": obj.project.code,
        "record": f"{obj.number} {obj.title}",
        "date": timezone.localtime(obj.decided_at, tz).date(),
        "in_numerator": None,
        "days": _days(obj.decided_at, obj.submitted_at),
    }


def rows_behind(
    code: str,
    scope: Scope,
    period: P.Period,
    today: datetime.date | None = None,
    source: str = SOURCE_ALL,
) -> list[dict]:
    """[{"rows": [...], "truncated": bool}] per aggregate of the KPI: e.g. the milestones due
    (in_numerator: done on time), the complaints and then the active projects of the complaint
    rate, the projects with a current quote (in_numerator: an open promise gap)."""
    today = today or timezone.localdate()
    live = LIVE[code](scope_projects(scope), period, today)
    if not isinstance(live, Live):
        return []
    tz = timezone.get_default_timezone()
    out = []
    for part, (qs, _aggregates) in enumerate(live.parts):
        qs = qs.order_by("pk").distinct()
        if code in SOURCED and source != SOURCE_ALL:
            qs = qs.filter(source=source)
        if qs.model is not Project:
            qs = qs.select_related("project")
        found = list(qs[: LIMIT + 1])
        if code == "promise_gap_rate":
            gaps = promise_gaps.promise_gaps_bulk(found[:LIMIT])
            for project in found:
                project.has_gap = bool(gaps.get(project.pk))
        out.append(
            {
                "rows": [_row(code, obj, part, tz) for obj in found[:LIMIT]],
                "truncated": len(found) > LIMIT,
            }
        )
    return out
