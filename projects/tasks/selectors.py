"""Reads of tasks shared by the pages, the API, the dashboard and the schedule."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from coordination.core import workdays
from coordination.core.roles import can_write, is_pmo
from projects.core.models import MemberRole, Milestone, Project
from projects.core.roles import LEAD_ROLES
from projects.core.selectors import project_roles, visible_projects
from projects.tasks import schedule
from projects.tasks.models import Task, TaskDependency

# Who plans the work (creates, edits, deletes tasks and dependencies): both PMs, the
# department leads and the tech lead, i.e. both departments; PMO too.
PLANNER_ROLES = LEAD_ROLES | {MemberRole.TECH_LEAD}


def can_plan(user, project: Project) -> bool:
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & PLANNER_ROLES))


def can_report(user, task: Task) -> bool:
    """Progress, status, actual and forecast dates: a planner, or the task's own owner."""
    return can_write(user) and (task.owner_id == user.pk or can_plan(user, task.project))


def visible_tasks(user) -> QuerySet[Task]:
    """Tasks of the projects `user` may see (404 for the others)."""
    return Task.objects.filter(project__in=visible_projects(user))


def with_relations(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("project", "owner", "milestone", "parent").annotate(
        has_children=Exists(Task.objects.filter(parent=OuterRef("pk")))
    )


def project_tasks(project: Project) -> QuerySet[Task]:
    """A project's tasks, in plan order: one query whatever their number."""
    return with_relations(Task.objects.filter(project=project)).order_by("planned_start", "id")


def open_tasks(project: Project) -> QuerySet[Task]:
    """The project's leaf tasks not done or cancelled (what a forecast shift may move)."""
    return (
        Task.objects.filter(project=project)
        .exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        .exclude(Exists(Task.objects.filter(parent=OuterRef("pk"))))
        .select_related("owner")
        .order_by("planned_start", "id")
    )


def latest_open_date(project: Project) -> datetime.date | None:
    """The latest date the project's open work is forecast to end: milestones not done or
    cancelled (their forecast) and open tasks (forecast finish, else planned finish). A
    project's forecast end is never earlier (projects.changes.services._apply_impact)."""
    milestone = (
        Milestone.objects.filter(project=project)
        .exclude(status__in=[Milestone.Status.DONE, Milestone.Status.CANCELLED])
        .aggregate(d=Max("forecast_date"))["d"]
    )
    task = open_tasks(project).aggregate(d=Max(Coalesce("forecast_finish", "planned_finish")))["d"]
    return max((d for d in (milestone, task) if d is not None), default=None)


def my_tasks(user) -> QuerySet[Task]:
    """Open tasks `user` owns on projects they still see, soonest first."""
    return (
        visible_tasks(user)
        .filter(owner=user)
        .exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        .select_related("project")
        .order_by("forecast_finish", "planned_finish", "id")
    )


def project_links(project: Project) -> list[schedule.Link]:
    return [
        schedule.Link(p, s, t, lag)
        for p, s, t, lag in TaskDependency.objects.filter(successor__project=project).values_list(
            "predecessor_id", "successor_id", "type", "lag_days"
        )
    ]


def leaf_nodes(project: Project, *, forecast: bool = False) -> list[schedule.Node]:
    """The project's scheduled tasks (leaves, not cancelled) as schedule nodes."""
    rows = (
        Task.objects.filter(project=project)
        .exclude(status=Task.Status.CANCELLED)
        .exclude(Exists(Task.objects.filter(parent=OuterRef("pk"))))
        .values_list("id", "planned_start", "duration_days", "forecast_start")
    )
    return [
        schedule.Node(tid, (fs or start) if forecast else start, duration)
        for tid, start, duration, fs in rows
    ]


def project_schedule(project: Project, cal=None) -> schedule.Schedule:
    """The critical path of the project's plan (three queries: tasks, links, calendar)."""
    cal = cal or workdays.calendar()
    return schedule.compute(leaf_nodes(project), project_links(project), cal)


def board(project: Project) -> list[tuple[str, str, list[Task]]]:
    """The board's columns, one per status in the table's order, each with its tasks (one
    query)."""
    columns: dict[str, list[Task]] = {s: [] for s in Task.Status.values}
    for task in project_tasks(project):
        columns[task.status].append(task)
    return [(s, Task.Status(s).label, columns[s]) for s in Task.Status.values]


def gantt(project: Project) -> dict:
    """Everything the Gantt draws, in four queries whatever the number of tasks: the tasks,
    their dependencies, the milestones, the calendar. Baseline = planned dates, forecast =
    forecast dates; critical = zero total float in the planned schedule."""
    cal = workdays.calendar()
    rows = list(
        Task.objects.filter(project=project)
        .annotate(has_children=Exists(Task.objects.filter(parent=OuterRef("pk"))))
        .order_by("planned_start", "id")
        .values(
            "id",
            "title",
            "parent_id",
            "department",
            "status",
            "progress",
            "duration_days",
            "planned_start",
            "planned_finish",
            "forecast_start",
            "forecast_finish",
            "has_children",
            "actual_start",
            "owner__username",
        )
    )
    links = project_links(project)
    nodes = [
        schedule.Node(r["id"], r["planned_start"], r["duration_days"])
        for r in rows
        if not r["has_children"] and r["status"] != Task.Status.CANCELLED
    ]
    plan = schedule.compute(nodes, links, cal)
    critical = set(plan.critical_path)
    preds: dict[int, list[int]] = {}
    for link in links:
        preds.setdefault(link.successor, []).append(link.predecessor)
    milestones = list(
        project.milestones.order_by("forecast_date").values(
            "id", "name", "baseline_date", "forecast_date", "status"
        )
    )
    dates = [d for r in rows for d in (r["planned_finish"], r["forecast_finish"])]
    return {
        "tasks": rows,
        "critical": critical,
        "preds": preds,
        "milestones": milestones,
        "finish": plan.finish,
        "flagged": cal.flagged([*dates, *(m["forecast_date"] for m in milestones)]),
    }


SLIP_FIELDS = (
    "id",
    "project_id",
    "title",
    "status",
    "duration_days",
    "planned_start",
    "planned_finish",
    "forecast_finish",
    "actual_start",
)


def _slipping(row: dict, today: datetime.date) -> list[tuple]:
    """Why `row` slips: ("finish", forecast, planned) when its forecast finish is after its
    planned finish, ("start", planned start, today) when it has not started by then."""
    if row["status"] in (Task.Status.DONE, Task.Status.CANCELLED):
        return []
    reasons = []
    if row["forecast_finish"] and row["forecast_finish"] > row["planned_finish"]:
        reasons.append(("finish", row["forecast_finish"], row["planned_finish"]))
    if (
        row["status"] == Task.Status.TODO
        and row["actual_start"] is None
        and row["planned_start"] < today
    ):
        reasons.append(("start", row["planned_start"], today))
    return reasons


def slipping_critical_bulk(project_ids: list[int], today: datetime.date) -> dict[int, list]:
    """{project id: [(task row, reasons)]}: the critical tasks (zero float in the planned
    schedule) that slip, for many projects in three queries whatever their number (the tasks
    of the projects that have a slipping task at all, their links, the calendar)."""
    if not project_ids:
        return {}
    open_ = Task.objects.filter(project_id__in=project_ids).exclude(
        status__in=[Task.Status.DONE, Task.Status.CANCELLED]
    )
    late = open_.filter(
        Q(forecast_finish__gt=F("planned_finish"))
        | Q(status=Task.Status.TODO, actual_start__isnull=True, planned_start__lt=today)
    )
    candidates = late.values("project_id")
    leaf = ~Exists(Task.objects.filter(parent=OuterRef("pk")))
    rows = list(
        Task.objects.filter(project_id__in=candidates)
        .exclude(status=Task.Status.CANCELLED)
        .filter(leaf)
        .values(*SLIP_FIELDS)
    )
    links = list(
        TaskDependency.objects.filter(successor__project_id__in=candidates).values_list(
            "successor__project_id", "predecessor_id", "successor_id", "type", "lag_days"
        )
    )
    cal = workdays.calendar()
    by_project: dict[int, list[dict]] = {}
    for r in rows:
        by_project.setdefault(r["project_id"], []).append(r)
    project_links: dict[int, list[schedule.Link]] = {}
    for pid, p, s_, t, lag in links:
        project_links.setdefault(pid, []).append(schedule.Link(p, s_, t, lag))
    out: dict[int, list] = {}
    for pid, tasks in by_project.items():
        nodes = [schedule.Node(r["id"], r["planned_start"], r["duration_days"]) for r in tasks]
        critical = set(schedule.compute(nodes, project_links.get(pid, []), cal).critical_path)
        found = [
            (r, reasons) for r in tasks if r["id"] in critical and (reasons := _slipping(r, today))
        ]
        if found:
            out[pid] = found
    return out


def slipping_critical_tasks(project: Project, today: datetime.date) -> list:
    """[(task row, reasons)] of one project (slipping_critical_bulk)."""
    return slipping_critical_bulk([project.pk], today).get(project.pk, [])
