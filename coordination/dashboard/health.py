"""Project health (项目健康度): red / amber / green with the reasons, for many projects at once.

The ONE place health is computed. `health_bulk(projects)` reads everything it needs for the
whole list in a fixed number of queries (ten, whatever the number of projects);
`attach_health(projects)` puts the result on each project as `.health`; `project_health(project)`
is the same for one project.

Rules (each reason has its own level; the project takes the worst):
1. Milestone overdue: forecast date passed and not done → red.
2. Milestone slipped: forecast later than baseline (not done) → amber, red when the slip is
   more than HEALTH_SLIP_RED_DAYS (14) days.
3. Promise gap (projects.presales.promise_gaps): a missing assessment or quote → amber; a real gap
   (margin below floor, date earlier than the estimate, infeasible, stale assessment) →
   amber, red on a key project (it blocks the contract gate there).
4. Handover past its due date and not accepted → red.
5. Change requests waiting for assessment or decision → amber.
6. Overdue open action items → amber, red from HEALTH_ACTION_ITEMS_RED (3) items.
7. Open complaints (kpi.Complaint with closed_on null) → amber, red when one is high severity.
8. A slipping critical task (projects.tasks.selectors.slipping_critical_bulk: zero float in
   the planned schedule, and its forecast finish is after its planned finish → amber, red
   beyond HEALTH_SLIP_RED_DAYS; or it has not started by its planned start → amber).
Closed and cancelled projects are not rated (level "none").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.reviews.models import ActionItem
from handover.models import Handover
from kpi.models import Complaint
from projects.changes.models import ChangeRequest
from projects.core.models import Milestone, Stage
from projects.presales import promise_gaps as gaps_module
from projects.tasks.selectors import slipping_critical_bulk

RED = "red"
AMBER = "amber"
GREEN = "green"
NONE = "none"
_RANK = {NONE: -1, GREEN: 0, AMBER: 1, RED: 2}
LEVELS = [RED, AMBER, GREEN]
LEVEL_LABELS = {
    RED: gettext_lazy("红灯"),
    AMBER: gettext_lazy("黄灯"),
    GREEN: gettext_lazy("绿灯"),
    NONE: gettext_lazy("不评估"),
}
UNRATED_STAGES = {Stage.CLOSED, Stage.CANCELLED}
PENDING_CR = (ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.ASSESSED)
MISSING_INPUT_GAPS = {gaps_module.NO_ASSESSMENT, gaps_module.NO_QUOTE}


def slip_red_days() -> int:
    return int(getattr(settings, "HEALTH_SLIP_RED_DAYS", 14))


def action_items_red() -> int:
    return int(getattr(settings, "HEALTH_ACTION_ITEMS_RED", 3))


@dataclass(frozen=True)
class Reason:
    code: str
    level: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "level": self.level, "message": self.message}


@dataclass
class Health:
    level: str = GREEN
    reasons: list[Reason] = field(default_factory=list)

    def add(self, code: str, level: str, message: str) -> None:
        self.reasons.append(Reason(code, level, message))
        if _RANK[level] > _RANK[self.level]:
            self.level = level

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def rank(self) -> int:
        return _RANK[self.level]

    def as_dict(self) -> dict:
        return {"level": self.level, "reasons": [r.as_dict() for r in self.reasons]}


def _milestones(ids: list[int], today: datetime.date) -> dict[int, list[dict]]:
    rows = (
        Milestone.objects.filter(project_id__in=ids)
        .exclude(status__in=[Milestone.Status.DONE, Milestone.Status.CANCELLED])
        .filter(Q(forecast_date__gt=F("baseline_date")) | Q(forecast_date__lt=today))
        .order_by("forecast_date", "id")
        .values("project_id", "name", "baseline_date", "forecast_date")
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["project_id"]].append(r)
    return out


def _overdue_handovers(ids: list[int], today: datetime.date) -> dict[int, datetime.date]:
    rows = (
        Handover.objects.filter(project_id__in=ids, due_date__lt=today)
        .exclude(status=Handover.Status.ACCEPTED)
        .values_list("project_id", "due_date")
    )
    return dict(rows)


def _pending_change_requests(ids: list[int]) -> dict[int, dict]:
    rows = (
        ChangeRequest.objects.filter(project_id__in=ids, status__in=PENDING_CR)
        .values("project_id")
        .annotate(
            n=Count("pk"),
            to_assess=Count("pk", filter=Q(status=ChangeRequest.Status.SUBMITTED)),
        )
        .order_by()
    )
    return {r["project_id"]: r for r in rows}


def _overdue_action_items(ids: list[int], today: datetime.date) -> dict[int, dict]:
    rows = (
        ActionItem.objects.filter(
            project_id__in=ids, status=ActionItem.Status.OPEN, due_date__lt=today
        )
        .values("project_id")
        .annotate(n=Count("pk"), oldest=Min("due_date"))
        .order_by()
    )
    return {r["project_id"]: r for r in rows}


def _open_complaints(ids: list[int]) -> dict[int, dict]:
    rows = (
        Complaint.objects.filter(project_id__in=ids, closed_on__isnull=True)
        .values("project_id")
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(severity=Complaint.Severity.HIGH)))
        .order_by()
    )
    return {r["project_id"]: r for r in rows}


def _rate(project, today: datetime.date, data: dict) -> Health:
    health = Health()
    pk = project.pk
    red_days = slip_red_days()
    for m in data["milestones"].get(pk, []):
        slip = (m["forecast_date"] - m["baseline_date"]).days
        if m["forecast_date"] < today:
            health.add(
                "milestone_overdue",
                RED,
                _("里程碑“%(name)s”已逾期（预测 %(date)s，未完成）")
                % {"name": m["name"], "date": m["forecast_date"].isoformat()},
            )
        elif slip > 0:
            health.add(
                "milestone_slipped",
                RED if slip > red_days else AMBER,
                _("里程碑“%(name)s”比基线推迟 %(days)s 天") % {"name": m["name"], "days": slip},
            )
    for gap in data["gaps"].get(pk, []):
        if gap.code in MISSING_INPUT_GAPS:
            level = AMBER
        else:
            level = RED if project.is_key_project else AMBER
        health.add("promise_gap", level, _("承诺缺口：%(msg)s") % {"msg": gap.message})
    due = data["handovers"].get(pk)
    if due is not None:
        health.add(
            "handover_overdue",
            RED,
            _("合同移交已超过截止日期 %(date)s 仍未接收") % {"date": due.isoformat()},
        )
    cr = data["changes"].get(pk)
    if cr:
        health.add(
            "change_requests_pending",
            AMBER,
            _("%(n)s 个变更申请待评估或审批") % {"n": cr["n"]},
        )
    items = data["action_items"].get(pk)
    if items:
        health.add(
            "action_items_overdue",
            RED if items["n"] >= action_items_red() else AMBER,
            _("%(n)s 个待办事项逾期（最早截止 %(date)s）")
            % {"n": items["n"], "date": items["oldest"].isoformat()},
        )
    complaints = data["complaints"].get(pk)
    if complaints:
        health.add(
            "complaints_open",
            RED if complaints["high"] else AMBER,
            _("%(n)s 个投诉未关闭") % {"n": complaints["n"]}
            if not complaints["high"]
            else _("%(n)s 个投诉未关闭，其中 %(high)s 个严重")
            % {"n": complaints["n"], "high": complaints["high"]},
        )
    for task, reasons in data["tasks"].get(pk, []):
        for kind, first, second in reasons:
            if kind == "finish":
                slip = (first - second).days
                health.add(
                    "critical_task_slipping",
                    RED if slip > red_days else AMBER,
                    _("关键任务“%(task)s”预测 %(forecast)s 完成，晚于计划 %(planned)s")
                    % {
                        "task": task["title"],
                        "forecast": first.isoformat(),
                        "planned": second.isoformat(),
                    },
                )
            else:
                health.add(
                    "critical_task_late_start",
                    AMBER,
                    _("关键任务“%(task)s”计划 %(date)s 开始，尚未开始")
                    % {"task": task["title"], "date": first.isoformat()},
                )
    health.reasons.sort(key=lambda r: -_RANK[r.level])
    return health


def health_bulk(projects: Iterable, *, today: datetime.date | None = None) -> dict[int, Health]:
    """{project id: Health} for every project given, in ten queries whatever their number.

    The projects must be loaded model instances (pk, stage, is_key_project, planned_start)."""
    projects = list(projects)
    rated = [p for p in projects if p.stage not in UNRATED_STAGES]
    result = {p.pk: Health(level=NONE) for p in projects if p.stage in UNRATED_STAGES}
    ids = [p.pk for p in rated]
    today = today or timezone.localdate()
    data = {
        "milestones": _milestones(ids, today),
        "gaps": gaps_module.promise_gaps_bulk(rated),
        "handovers": _overdue_handovers(ids, today),
        "changes": _pending_change_requests(ids),
        "action_items": _overdue_action_items(ids, today),
        "complaints": _open_complaints(ids),
        "tasks": slipping_critical_bulk(ids, today),
    }
    for p in rated:
        result[p.pk] = _rate(p, today, data)
    return result


def attach_health(projects: Iterable, *, today: datetime.date | None = None) -> list:
    """Set `.health` on each project (and return them as a list)."""
    projects = list(projects)
    result = health_bulk(projects, today=today)
    for p in projects:
        p.health = result[p.pk]
    return projects


def project_health(project, *, today: datetime.date | None = None) -> Health:
    return health_bulk([project], today=today)[project.pk]


def summary(projects: Iterable) -> dict[str, int]:
    """How many projects per level, for projects that already carry `.health`."""
    counts = {RED: 0, AMBER: 0, GREEN: 0, NONE: 0}
    for p in projects:
        counts[p.health.level] += 1
    return counts
