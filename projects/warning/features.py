"""Features as of a date (预警特征): each project as it stood on a past day, nothing later.

`build_features(project_ids, as_of)` reads, for many projects at once in a fixed number of
queries (twelve), only what was dated on or before `as_of`:
1. the project's contract attributes (size, key project, primary owner, baseline dates) for
   projects signed by then;
2. feasibility assessments submitted by then (how many versions) and the last one approved by
   then (cost, duration, contingency);
3. the last quote revision created by then: margin over engineering's cost, date buffer over
   engineering's duration;
4. the handover: its lead time so far (created → accepted, or → `as_of` while open) and the item
   rejections, counted from the audit trail (`handover_item.rejected` events);
5. change requests submitted by then, and the cost and schedule impact of those approved by then;
6. milestones: each forecast date as of then (the last MilestoneChange by then, else the
   baseline), the worst slip and the milestones overdue on that day;
7. action items open and past due on that day (done later, or not at all);
8. complaints open on that day, and the high-severity ones;
9. risks raised by then, by category (a risk's status today is not read: it may be later news);
10. the customer's history: its projects finished before `as_of`, and the share delivered late.

Rebuilding the same date after the future changed gives the same numbers
(tests/warning/test_features.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.models import AuditEvent
from coordination.reviews.models import ActionItem
from handover.models import Handover
from kpi.models import Complaint
from projects.changes.models import ChangeRequest, MilestoneChange
from projects.core.models import Milestone, PrimaryOwner, Project, Risk
from projects.presales.models import FeasibilityAssessment, Quote

LATE_DAYS = 14
RISK_CATEGORIES = [c for c, _label in Risk.Category.choices]
APPROVED_CR = (ChangeRequest.Status.APPROVED, ChangeRequest.Status.IMPLEMENTED)

# name: label shown to people (the reasons of a warning)
FEATURES: dict[str, object] = {
    "contract_value_m": _("合同金额(百万元)"),
    "is_key_project": _("重点项目"),
    "engineering_owned": _("工程主责"),
    "planned_duration_days": _("计划工期(天)"),
    "elapsed_share": _("已用工期占比"),
    "assessment_versions": _("可行性评估版本数"),
    "quote_margin": _("报价毛利率(相对工程估算)"),
    "date_buffer_days": _("承诺日期余量(天)"),
    "handover_lead_days": _("移交周期(天)"),
    "handover_rejections": _("移交驳回次数"),
    "change_requests": _("变更申请数"),
    "change_cost_share": _("已批变更成本占预算比"),
    "change_schedule_days": _("已批变更工期影响(天)"),
    "max_slip_days": _("里程碑最大延误(天)"),
    "overdue_milestones": _("逾期里程碑数"),
    "overdue_action_items": _("逾期待办数"),
    "open_complaints": _("未关闭投诉数"),
    "high_complaints": _("高严重度投诉数"),
    **{f"risks_{c}": label for c, label in Risk.Category.choices},
    "customer_finished": _("客户已完成项目数"),
    "customer_late_share": _("客户项目延期比例"),
}
FEATURE_NAMES = list(FEATURES)


def _day_end(day: datetime.date) -> datetime.datetime:
    """The last instant of `day` in the current time zone: a record stamped that day counts."""

    nxt = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(nxt)


def build_features(project_ids: Iterable[int], as_of: datetime.date) -> dict[int, dict]:
    """{project id: {feature: float}} for the projects signed on or before `as_of`."""
    ids = list(project_ids)
    cutoff = _day_end(as_of)  # strictly before this instant
    projects = list(
        Project.objects.filter(pk__in=ids, contract_signed_on__lte=as_of).values(
            "id",
            "code",
            "customer_id",
            "is_key_project",
            "primary_owner",
            "contract_value",
            "baseline_budget",
            "contract_signed_on",
            "planned_start",
            "planned_end",
        )
    )
    ids = [p["id"] for p in projects]
    if not ids:
        return {}
    codes = {p["code"]: p["id"] for p in projects}

    versions: dict[int, int] = defaultdict(int)
    approved: dict[int, dict] = {}
    for a in (
        FeasibilityAssessment.objects.filter(project_id__in=ids, submitted_at__lt=cutoff)
        .order_by("project_id", "version")
        .values(
            "project_id",
            "decided_at",
            "status",
            "total_cost",
            "contingency_cost",
            "estimated_duration_days",
        )
    ):
        versions[a["project_id"]] += 1
        # an assessment approved by then and superseded later still was the approved one then
        if a["decided_at"] is not None and a["decided_at"] < cutoff and a["status"] != "returned":
            approved[a["project_id"]] = a

    quotes: dict[int, dict] = {}
    for q in (
        Quote.objects.filter(project_id__in=ids, created_at__lt=cutoff)
        .order_by("project_id", "revision")
        .values("project_id", "quoted_price", "promised_delivery_date")
    ):
        quotes[q["project_id"]] = q

    handovers = {
        h["project_id"]: h
        for h in Handover.objects.filter(project_id__in=ids, created_at__lt=cutoff).values(
            "project_id", "created_at", "accepted_at"
        )
    }
    rejections: dict[int, int] = defaultdict(int)
    for row in (
        AuditEvent.objects.filter(
            action="handover_item.rejected", project_code__in=list(codes), created_at__lt=cutoff
        )
        .values("project_code")
        .annotate(n=Count("id"))
    ):
        rejections[codes[row["project_code"]]] = row["n"]

    crs: dict[int, list] = defaultdict(lambda: [0, 0.0, 0])
    for cr in ChangeRequest.objects.filter(project_id__in=ids, submitted_at__lt=cutoff).values(
        "project_id", "status", "decided_at", "cost_impact", "schedule_impact_days"
    ):
        acc = crs[cr["project_id"]]
        acc[0] += 1
        if cr["status"] in APPROVED_CR and cr["decided_at"] and cr["decided_at"] < cutoff:
            acc[1] += float(cr["cost_impact"] or 0)
            acc[2] += int(cr["schedule_impact_days"] or 0)

    forecast_then: dict[int, datetime.date] = {}
    for mc in (
        MilestoneChange.objects.filter(milestone__project_id__in=ids, created_at__lt=cutoff)
        .order_by("created_at", "id")
        .values("milestone_id", "new_forecast")
    ):
        forecast_then[mc["milestone_id"]] = mc["new_forecast"]
    slip: dict[int, int] = defaultdict(int)
    overdue_ms: dict[int, int] = defaultdict(int)
    for m in Milestone.objects.filter(project_id__in=ids, created_at__lt=cutoff).values(
        "id", "project_id", "baseline_date", "actual_date"
    ):
        done_then = m["actual_date"] is not None and m["actual_date"] <= as_of
        if done_then:
            days = (m["actual_date"] - m["baseline_date"]).days
        else:
            forecast = forecast_then.get(m["id"], m["baseline_date"])
            if forecast < as_of:  # overdue that day: its date passed and it was not done
                overdue_ms[m["project_id"]] += 1
                forecast = as_of
            days = (forecast - m["baseline_date"]).days
        slip[m["project_id"]] = max(slip[m["project_id"]], days)

    overdue_items = {
        r["project_id"]: r["n"]
        for r in ActionItem.objects.filter(
            project_id__in=ids, created_at__lt=cutoff, due_date__lt=as_of
        )
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=cutoff))
        .values("project_id")
        .annotate(n=Count("id"))
    }

    complaints: dict[int, list] = defaultdict(lambda: [0, 0])
    for c in (
        Complaint.objects.filter(project_id__in=ids, opened_on__lte=as_of)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values("project_id", "severity")
    ):
        complaints[c["project_id"]][0] += 1
        complaints[c["project_id"]][1] += c["severity"] == Complaint.Severity.HIGH

    risks: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for r in (
        Risk.objects.filter(project_id__in=ids, created_at__lt=cutoff)
        .values("project_id", "category")
        .annotate(n=Count("id"))
    ):
        risks[r["project_id"]][r["category"]] = r["n"]

    history: dict[int, list] = defaultdict(lambda: [0, 0])
    for h in Project.objects.filter(
        customer_id__in={p["customer_id"] for p in projects},
        actual_end__lt=as_of,
        planned_end__isnull=False,
    ).values("customer_id", "actual_end", "planned_end"):
        history[h["customer_id"]][0] += 1
        history[h["customer_id"]][1] += (h["actual_end"] - h["planned_end"]).days > LATE_DAYS

    out: dict[int, dict] = {}
    for p in projects:
        pid = p["id"]
        a = approved.get(pid)
        q = quotes.get(pid)
        start = p["planned_start"] or p["contract_signed_on"]
        duration = (p["planned_end"] - start).days if p["planned_end"] else 0
        budget = float(p["baseline_budget"] or (a and a["total_cost"]) or 0) or 1.0
        margin = buffer = 0.0
        if a and q and q["quoted_price"]:
            margin = float((q["quoted_price"] - a["total_cost"]) / q["quoted_price"])
            needed = p["contract_signed_on"] + datetime.timedelta(
                days=a["estimated_duration_days"] or 0
            )
            buffer = float((q["promised_delivery_date"] - needed).days)
        h = handovers.get(pid)
        lead = 0.0
        if h:
            end = h["accepted_at"] if h["accepted_at"] and h["accepted_at"] < cutoff else cutoff
            lead = (end - h["created_at"]).total_seconds() / 86400
        cr = crs[pid]
        hist = history[p["customer_id"]]
        row = {
            "contract_value_m": float(p["contract_value"] or 0) / 1e6,
            "is_key_project": float(p["is_key_project"]),
            "engineering_owned": float(p["primary_owner"] == PrimaryOwner.ENGINEERING),
            "planned_duration_days": float(duration),
            "elapsed_share": ((as_of - start).days / duration) if duration > 0 else 0.0,
            "assessment_versions": float(versions[pid]),
            "quote_margin": margin,
            "date_buffer_days": buffer,
            "handover_lead_days": lead,
            "handover_rejections": float(rejections[pid]),
            "change_requests": float(cr[0]),
            "change_cost_share": cr[1] / budget,
            "change_schedule_days": float(cr[2]),
            "max_slip_days": float(slip[pid]),
            "overdue_milestones": float(overdue_ms[pid]),
            "overdue_action_items": float(overdue_items.get(pid, 0)),
            "open_complaints": float(complaints[pid][0]),
            "high_complaints": float(complaints[pid][1]),
            **{f"risks_{c}": float(risks[pid][c]) for c in RISK_CATEGORIES},
            "customer_finished": float(hist[0]),
            "customer_late_share": hist[1] / hist[0] if hist[0] else 0.0,
        }
        out[pid] = row
    return out


def rule_level(row: dict) -> int:
    """The dashboard's fixed health rules (coordination/dashboard/health.py) on the as-of
    state: 2 red, 1 amber, 0 green. The backtest's baseline."""
    if row["overdue_milestones"] or row["max_slip_days"] > LATE_DAYS or row["high_complaints"]:
        return 2
    if row["overdue_action_items"] >= 3:
        return 2
    if row["max_slip_days"] > 0 or row["overdue_action_items"] or row["open_complaints"]:
        return 1
    return 0
