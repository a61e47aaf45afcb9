"""Before/after comparison of delivery cycle, satisfaction and complaints: around a split
date, or a set of projects against every other project."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.models import Complaint, SatisfactionSurvey
from kpi.selectors.formulas import HUNDRED, average_days, days_between, dec, ratio
from kpi.selectors.scopes import in_scope
from projects.core.models import Project, Stage


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
        total=Sum(days_between("actual_end", "contract_signed_on")), n=Count("pk")
    )
    cycle = average_days(d["total"], d["n"]).value
    s = window(in_scope(SatisfactionSurvey.objects.all(), group.projects), "surveyed_on").aggregate(
        n=Count("pk"),
        satisfied=Count("pk", filter=Q(overall_score__gte=4)),
        avg=Avg("overall_score"),
    )
    c = window(in_scope(Complaint.objects.all(), group.projects), "opened_on").aggregate(
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
        "satisfaction_share": _round(ratio(s["satisfied"], s["n"], HUNDRED).value, "0.1"),
        "satisfaction_average": _round(dec(s["avg"]), "0.01"),
        "customer_complaints": c["customer"],
        "cross_department_complaints": c["internal"],
        "customer_complaints_per_project": ratio_per_project(c["customer"], project_count),
        "cross_department_complaints_per_project": ratio_per_project(c["internal"], project_count),
    }


def _round(x: Decimal | None, q: str) -> Decimal | None:
    return None if x is None else x.quantize(Decimal(q), rounding=ROUND_HALF_UP)


def ratio_per_project(n: int | None, projects: int | None) -> Decimal | None:
    """`n` per project, two places (None without projects or without `n`)."""
    if n is None or not projects:
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


def _add_months(day: datetime.date, months: int) -> datetime.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def split_windows(
    split: datetime.date, months: int = 12, today: datetime.date | None = None
) -> tuple[tuple[datetime.date, datetime.date], tuple[datetime.date, datetime.date], int]:
    """The two windows of a split comparison, in real calendar months: after = [split,
    split + n months), before = [split − n months, split), where n is `months`, or fewer when
    the after window has not ended: the whole months from split to today (the month in
    progress is left out, so both windows hold finished months only). ValueError when not
    one whole month has passed since split."""
    today = today or timezone.localdate()
    n = months
    while n > 0 and _add_months(split, n) > today + datetime.timedelta(days=1):
        n -= 1
    if n <= 0:
        raise ValueError(_("分割日期之后至少要有一个完整的月份。"))
    return (_add_months(split, -n), split), (split, _add_months(split, n)), n


def compare_split(
    split: datetime.date, months: int = 12, today: datetime.date | None = None
) -> dict:
    """Before/after a date in two windows of the same number of calendar months (see
    split_windows), so counts compare directly."""
    before_w, after_w, n = split_windows(split, months, today)
    before = _group_figures(Group(_("之前"), None, *before_w))
    after = _group_figures(Group(_("之后"), None, *after_w))
    return {
        "mode": "split",
        "split": split,
        "window_months": n,
        "window_days": (after_w[1] - after_w[0]).days,
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
