"""Tasks: every write (create, edit, move, status, delete, dependencies, forecast shifts).

Pages, the API and the admin call these functions. Each write locks the project's task rows
it changes (`select_for_update`), checks the caller, writes, rolls the parents up, records an
audit event and notifies a new owner. A write to a task may name the version its caller read
(`expected_version`): another version refuses it with StaleWrite (coordination.core.concurrency).

Forecasts: a task's forecast starts as its plan. Moving a task (its forecast start, from the
Gantt, the page or the API) reschedules the forecasts of every task downstream of it through
its dependencies (schedule.reschedule); the baseline (planned dates) stays.
"""

from __future__ import annotations

import datetime
from typing import Any

import networkx as nx
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import reasons, workdays
from coordination.core.concurrency import Expected, bump, check_version
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import department_of
from coordination.core.services import notify, record_audit, record_audit_many, snapshot
from coordination.core.text import join_list
from projects.core.models import CLOSED_STAGES, Milestone, Project
from projects.core.selectors import project_roles
from projects.tasks import schedule
from projects.tasks.models import ALLOWED_MOVES, Task, TaskDependency
from projects.tasks.selectors import can_plan, can_report, project_links

Status = Task.Status
User = get_user_model()

PLAN_FIELDS = ["title", "description", "parent", "milestone", "owner", "department"]
DATE_FIELDS = ["planned_start", "duration_days"]
REPORT_FIELDS = [
    "forecast_start",
    "forecast_finish",
    "actual_start",
    "actual_finish",
    "progress",
    "status",
]
EDITABLE_FIELDS = [*PLAN_FIELDS, *DATE_FIELDS, *REPORT_FIELDS]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "planned_finish"]
ROLLED_UP = ["planned_start", "duration_days", "planned_finish"]


# ---------------------------------------------------------------- rules


def require_planner(user, project: Project) -> None:
    """PermissionDenied unless `user` plans the project's tasks (asked before a body is read,
    so a refusal never looks like bad input)."""
    if not can_plan(user, project):
        raise PermissionDenied(_("只有项目经理、部门负责人、技术负责人或PMO可以修改任务计划。"))


def require_reporter(user, task: Task) -> None:
    if not can_report(user, task):
        raise PermissionDenied(_("只有任务负责人或项目计划人员可以修改任务。"))


# ---------------------------------------------------------------- helpers


def _url(task: Task) -> str:
    try:
        return reverse("tasks:detail", args=[task.pk])
    except Exception:  # URLs not loaded (a management command)
        return ""


def _lock(task_id: int) -> Task:
    try:
        return (
            Task.objects.select_for_update(of=("self",))
            .select_related("project", "owner")
            .get(pk=task_id)
        )
    except Task.DoesNotExist as exc:
        raise Conflict(_("任务不存在。")) from exc


def _open_project(project: Project) -> None:
    if project.stage in CLOSED_STAGES:
        raise Conflict(_("项目已关闭或取消，不能再修改任务。"))


def _has_children(task: Task) -> bool:
    return task.pk is not None and Task.objects.filter(parent_id=task.pk).exists()


def _has_links(task: Task) -> bool:
    return task.pk is not None and (
        TaskDependency.objects.filter(predecessor_id=task.pk).exists()
        or TaskDependency.objects.filter(successor_id=task.pk).exists()
    )


def _member(project: Project, user) -> bool:
    return bool(project_roles(user, project))


def _resolve(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids and usernames into objects; 400 naming the field when one does not fit."""
    values = dict(data)
    errors: dict[str, list[str]] = {}
    if "owner" in values:
        owner = values["owner"]
        if not isinstance(owner, User):
            owner = User.objects.filter(username=str(owner or ""), is_active=True).first()
        if owner is None or not _member(project, owner):
            errors["owner"] = [_("负责人必须是本项目的成员。")]
        values["owner"] = owner
    if values.get("parent") not in (None, ""):
        parent = values["parent"]
        pk = parent.pk if isinstance(parent, Task) else parent
        values["parent"] = Task.objects.filter(pk=pk, project=project).first()
        if values["parent"] is None:
            errors["parent"] = [_("上级任务必须属于本项目。")]
    elif "parent" in values:
        values["parent"] = None
    if values.get("milestone") not in (None, ""):
        ms = values["milestone"]
        pk = ms.pk if isinstance(ms, Milestone) else ms
        values["milestone"] = Milestone.objects.filter(pk=pk, project=project).first()
        if values["milestone"] is None:
            errors["milestone"] = [_("里程碑必须属于本项目。")]
    elif "milestone" in values:
        values["milestone"] = None
    if "department" in values and values["department"] not in Department.values:
        errors["department"] = [_("无效的部门。")]
    if "title" in values and not str(values["title"] or "").strip():
        errors["title"] = [_("请填写任务名称。")]
    if "duration_days" in values:
        d = values["duration_days"]
        if not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 5000:
            errors["duration_days"] = [_("工期为 1 至 5000 个工作日。")]
    if "progress" in values:
        p = values["progress"]
        if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= 100:
            errors["progress"] = [_("进度为 0 至 100。")]
    if "status" in values and values["status"] not in Status.values:
        errors["status"] = [_("无效的状态。")]
    for name in ("planned_start", *REPORT_FIELDS[:4]):
        if values.get(name) is not None and not isinstance(values[name], datetime.date):
            errors[name] = [_("请输入有效日期。")]
    if errors:
        raise ValidationError(errors)
    return values


def _check_dates(task: Task) -> None:
    errors = {}
    if task.forecast_start and task.forecast_finish and task.forecast_finish < task.forecast_start:
        errors["forecast_finish"] = [_("预测完成不能早于预测开始。")]
    if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
        errors["actual_finish"] = [_("实际完成不能早于实际开始。")]
    if task.actual_finish and not task.actual_start:
        errors["actual_start"] = [_("有实际完成日期时请填写实际开始日期。")]
    if errors:
        raise ValidationError(errors)


def _check_parent(task: Task, parent: Task | None) -> None:
    if parent is None:
        return
    if task.pk is not None:
        if parent.pk == task.pk:
            raise ValidationError({"parent": [_("任务不能是自己的上级任务。")]})
        ancestor = parent
        seen = set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == task.pk:
                raise ValidationError({"parent": [_("上级任务不能是本任务的子任务。")]})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
    if _has_links(parent):
        raise ValidationError(
            {"parent": [_("上级任务“%s”有依赖关系：汇总任务不能有依赖，请先删除其依赖。") % parent]}
        )


def _forecast_days(task: Task, cal: workdays.WorkCalendar) -> int:
    if task.forecast_start and task.forecast_finish:
        return max(cal.working_days_between(task.forecast_start, task.forecast_finish), 1)
    return task.duration_days


def _apply_move(task: Task, target: str, today: datetime.date) -> None:
    """One status move from the table (ALLOWED_MOVES); Conflict naming the allowed ones."""
    if target == task.status:
        return
    allowed = ALLOWED_MOVES[task.status]
    if target not in allowed:
        raise Conflict(
            _("任务“%(task)s”不能从“%(from)s”改为“%(to)s”。")
            % {
                "task": task.title,
                "from": Status(task.status).label,
                "to": Status(target).label,
            },
            [_("可改为：%s") % join_list(str(Status(s).label) for s in sorted(allowed))],
        )
    if target == Status.IN_PROGRESS and task.actual_start is None:
        task.actual_start = today
    if target == Status.DONE:
        task.progress = 100
        task.actual_start = task.actual_start or today
        task.actual_finish = task.actual_finish or today
    if task.status == Status.DONE and target != Status.DONE:
        task.actual_finish = None
    task.status = target


# ---------------------------------------------------------------- roll-up and forecasts


def roll_up(parent_ids, cal: workdays.WorkCalendar | None = None) -> None:
    """Recompute the stored roll-up of each parent in `parent_ids` and its ancestors:
    earliest start, latest finish, working days between, duration-weighted progress of the
    children that are not cancelled."""
    cal = cal or workdays.calendar()
    pending = [pk for pk in parent_ids if pk]
    seen: set[int] = set()
    while pending:
        pk = pending.pop(0)
        if pk in seen:
            continue
        seen.add(pk)
        parent = Task.objects.select_for_update().filter(pk=pk).first()
        if parent is None:
            continue
        kids = list(
            Task.objects.filter(parent_id=pk)
            .exclude(status=Status.CANCELLED)
            .values(
                "planned_start",
                "planned_finish",
                "forecast_start",
                "forecast_finish",
                "actual_start",
                "actual_finish",
                "duration_days",
                "progress",
            )
        )
        if kids:
            start = min(k["planned_start"] for k in kids)
            finish = max(k["planned_finish"] for k in kids)
            weight = sum(k["duration_days"] for k in kids)
            values = {
                "planned_start": start,
                "planned_finish": finish,
                "duration_days": max(cal.working_days_between(start, finish), 1),
                "forecast_start": min(k["forecast_start"] or k["planned_start"] for k in kids),
                "forecast_finish": max(k["forecast_finish"] or k["planned_finish"] for k in kids),
                "progress": round(sum(k["duration_days"] * k["progress"] for k in kids) / weight),
                "actual_start": min(
                    (k["actual_start"] for k in kids if k["actual_start"]), default=None
                ),
                "actual_finish": (
                    max(k["actual_finish"] for k in kids)
                    if all(k["actual_finish"] for k in kids)
                    else None
                ),
            }
            changed = {k: v for k, v in values.items() if getattr(parent, k) != v}
            if changed:
                Task.objects.filter(pk=pk).update(**changed, **bump(), updated_at=timezone.now())
        if parent.parent_id:
            pending.append(parent.parent_id)


def _reschedule_downstream(
    project: Project, moved: list[int], *, by, cal, reason: str = ""
) -> list[int]:
    """Forecasts of every task downstream of `moved` (through dependencies) follow their
    predecessors' forecasts; tasks elsewhere keep theirs. Returns the ids that changed."""
    links = project_links(project)
    g = schedule.graph((), links)
    downstream: set[int] = set()
    for tid in moved:
        if tid in g:
            downstream |= nx.descendants(g, tid)
    downstream -= set(moved)
    if not downstream:
        return []
    tasks = {
        t.pk: t
        for t in Task.objects.select_for_update()
        .filter(project=project)
        .exclude(status=Status.CANCELLED)
        .exclude(Exists(Task.objects.filter(parent=OuterRef("pk"))))
        .order_by("pk")
    }
    nodes, fixed = [], {}
    for tid, t in tasks.items():
        if tid in downstream and t.actual_start is None:
            start = t.planned_start
        else:  # upstream, elsewhere, or already started: stays where it is
            start = t.actual_start or t.forecast_start or t.planned_start
            fixed[tid] = start
        nodes.append(schedule.Node(tid, start, _forecast_days(t, cal)))
    new = schedule.reschedule(nodes, links, cal, fixed=fixed)
    changes, parents = [], set()
    for tid in sorted(downstream & set(tasks)):
        t = tasks[tid]
        if tid in fixed:
            continue
        fs, ff = new[tid]
        if (t.forecast_start, t.forecast_finish) == (fs, ff):
            continue
        before = snapshot(t, ["forecast_start", "forecast_finish"])
        t.forecast_start, t.forecast_finish = fs, ff
        t.save(update_fields=["forecast_start", "forecast_finish", "updated_at"])
        changes.append((t, before, snapshot(t, ["forecast_start", "forecast_finish"])))
        parents.add(t.parent_id)
    record_audit_many(
        actor=by,
        action="task.rescheduled",
        changes=changes,
        reason=reason or reasons.PREDECESSOR_MOVED,
    )
    roll_up(parents, cal)
    return [t.pk for t, _b, _a in changes]


# ---------------------------------------------------------------- writes


def _notify_owner(task: Task, by) -> None:
    if task.owner_id == getattr(by, "pk", None):
        return
    notify(
        [task.owner],
        kind="task.assigned",
        project=task.project.code,
        subject=lambda: _("你被指派了任务：%(title)s") % {"title": task.title},
        body=lambda: (
            _("项目 %(project)s，计划 %(start)s 至 %(finish)s。")
            % {
                "project": task.project.code,
                "start": task.planned_start,
                "finish": task.planned_finish,
            }
        ),
        url=_url(task),
    )


@transaction.atomic
def create_task(
    project: Project, *, by, data: dict[str, Any], action_item_id: int | None = None
) -> Task:
    """A new task; its forecast is its plan. The owner (a project member) is notified."""
    if not can_plan(by, project):
        raise PermissionDenied(_("只有项目经理、部门负责人、技术负责人或PMO可以新建任务。"))
    _open_project(project)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("不能设置此字段。")] for name in sorted(unknown)})
    missing = [n for n in ("title", "owner", "planned_start") if data.get(n) in (None, "")]
    if missing:
        raise ValidationError({n: [_("此项为必填项。")] for n in missing})
    values = _resolve(project, data)
    status = values.pop("status", Status.TODO)
    task = Task(project=project, action_item_id=action_item_id, **values)
    if not task.department:
        task.department = department_of(task.owner) or Department.ENGINEERING
    _check_parent(task, task.parent)
    cal = workdays.calendar()
    task.planned_start = cal.roll_forward(task.planned_start)
    task.planned_finish = cal.finish_of(task.planned_start, task.duration_days)
    task.forecast_start = task.forecast_start or task.planned_start
    task.forecast_finish = task.forecast_finish or cal.finish_of(
        task.forecast_start, task.duration_days
    )
    if status != Status.TODO:
        _apply_move(task, status, timezone.localdate())
    _check_dates(task)
    task.save()
    record_audit(actor=by, action="task.created", target=task, after=snapshot(task, AUDIT_FIELDS))
    roll_up([task.parent_id], cal)
    _notify_owner(task, by)
    return task


@transaction.atomic
def update_task(
    task_id: int, *, by, data: dict[str, Any], expected_version: Expected = None
) -> Task:
    """Edit a task. Planners change everything; the owner reports progress, status, actual
    and forecast dates. A new forecast start reschedules the tasks downstream."""
    task = _lock(task_id)
    project = task.project
    if not can_report(by, task):
        raise PermissionDenied(_("只有任务负责人或项目计划人员可以修改任务。"))
    check_version(task, expected_version)
    _open_project(project)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("不能修改此字段。")] for name in sorted(unknown)})
    planning = set(data) & {*PLAN_FIELDS, *DATE_FIELDS}
    if planning and not can_plan(by, project):
        raise PermissionDenied(
            _("任务负责人只能更新进度、状态和日期；其他内容由项目计划人员修改。")
        )
    values = _resolve(project, data)
    if set(values) & set(DATE_FIELDS) and _has_children(task):
        raise ValidationError(
            {
                name: [_("汇总任务的日期由子任务汇总得出，请修改子任务。")]
                for name in sorted(set(values) & set(DATE_FIELDS))
            }
        )
    if "parent" in values:
        _check_parent(task, values["parent"])
    before = snapshot(task, AUDIT_FIELDS)
    old_parent, old_owner = task.parent_id, task.owner_id
    old_plan = (task.planned_start, task.planned_finish)
    old_forecast = (task.forecast_start, task.forecast_finish)
    status = values.pop("status", None)
    for name, value in values.items():
        setattr(task, name, value)
    cal = workdays.calendar()
    task.planned_start = cal.roll_forward(task.planned_start)
    task.planned_finish = cal.finish_of(task.planned_start, task.duration_days)
    if (task.planned_start, task.planned_finish) != old_plan and old_forecast == old_plan:
        # the forecast followed the plan: it still does unless the edit names a forecast
        if "forecast_start" not in values:
            task.forecast_start = task.planned_start
        if "forecast_finish" not in values:
            task.forecast_finish = None
    if "forecast_start" in values and task.forecast_start:
        task.forecast_start = cal.roll_forward(task.forecast_start)
        if "forecast_finish" not in values:
            task.forecast_finish = None
    if task.forecast_start and task.forecast_finish is None:
        task.forecast_finish = cal.finish_of(task.forecast_start, task.duration_days)
    if status is not None:
        _apply_move(task, status, timezone.localdate())
    _check_dates(task)
    task.save()
    record_audit(
        actor=by,
        action="task.updated",
        target=task,
        before=before,
        after=snapshot(task, AUDIT_FIELDS),
    )
    roll_up({old_parent, task.parent_id}, cal)
    if (task.forecast_start, task.forecast_finish) != old_forecast:
        _reschedule_downstream(project, [task.pk], by=by, cal=cal)
    if task.owner_id != old_owner:
        _notify_owner(task, by)
    return task


def move_task(task_id: int, *, by, start: datetime.date, expected_version: Expected = None) -> Task:
    """The Gantt's drag: the task's forecast starts on `start` (its forecast length kept);
    its successors' forecasts follow, the baseline stays."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Conflict(_("任务不存在。"))
    cal = workdays.calendar()
    days = _forecast_days(task, cal)
    start = cal.roll_forward(start)
    return update_task(
        task_id,
        by=by,
        data={"forecast_start": start, "forecast_finish": cal.finish_of(start, days)},
        expected_version=expected_version,
    )


def set_status(task_id: int, *, by, status: str, expected_version: Expected = None) -> Task:
    """One move of the status table (the board's drag)."""
    return update_task(task_id, by=by, data={"status": status}, expected_version=expected_version)


@transaction.atomic
def delete_task(task_id: int, *, by, expected_version: Expected = None) -> None:
    """Delete a task with its subtasks and dependencies (planners)."""
    task = _lock(task_id)
    if not can_plan(by, task.project):
        raise PermissionDenied(_("只有项目计划人员可以删除任务。"))
    check_version(task, expected_version)
    _open_project(task.project)
    parent_id = task.parent_id
    record_audit(actor=by, action="task.deleted", target=task, before=snapshot(task, AUDIT_FIELDS))
    task.delete()
    roll_up([parent_id])


@transaction.atomic
def add_dependency(
    successor_id: int, *, by, predecessor: int | Task, type: str = "FS", lag_days: int = 0
) -> TaskDependency:
    """predecessor → successor. Refused (400) across projects, onto itself, twice, on a
    summary task, or when it would close a loop (the loop's tasks are named)."""
    successor = _lock(successor_id)
    project = successor.project
    if not can_plan(by, project):
        raise PermissionDenied(_("只有项目计划人员可以修改任务依赖。"))
    _open_project(project)
    if type not in TaskDependency.Type.values:
        raise ValidationError({"type": [_("依赖类型为 FS、SS、FF 或 SF。")]})
    if not isinstance(lag_days, int) or isinstance(lag_days, bool) or abs(lag_days) > 1000:
        raise ValidationError({"lag_days": [_("间隔为 -1000 至 1000 个工作日。")]})
    pk = predecessor.pk if isinstance(predecessor, Task) else predecessor
    pred = Task.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if pred is None or pred.project_id != project.pk:
        raise ValidationError({"predecessor": [_("前置任务必须是本项目的任务。")]})
    if pred.pk == successor.pk:
        raise ValidationError({"predecessor": [_("任务不能依赖自己。")]})
    if _has_children(pred) or _has_children(successor):
        raise ValidationError({"predecessor": [_("汇总任务（有子任务的任务）不能有依赖关系。")]})
    if TaskDependency.objects.filter(predecessor=pred, successor=successor).exists():
        raise ValidationError({"predecessor": [_("这条依赖已存在。")]})
    links = project_links(project)
    g = schedule.graph((), links)
    g.add_edge(pred.pk, successor.pk)
    loop = schedule.find_loop(g)
    if loop:
        titles = dict(Task.objects.filter(pk__in=loop).values_list("pk", "title"))
        named = " → ".join(f"#{tid} {titles.get(tid, '')}" for tid in [*loop, loop[0]])
        raise ValidationError(
            {"predecessor": [_("这条依赖会形成循环：%(loop)s") % {"loop": named}]}
        )
    link = TaskDependency.objects.create(
        predecessor=pred, successor=successor, type=type, lag_days=lag_days
    )
    record_audit(
        actor=by,
        action="task.dependency_added",
        target=successor,
        after={"predecessor": pred.pk, "type": type, "lag_days": lag_days},
    )
    _reschedule_downstream(project, [pred.pk], by=by, cal=workdays.calendar())
    return link


@transaction.atomic
def remove_dependency(dependency_id: int, *, by) -> None:
    link = (
        TaskDependency.objects.select_for_update(of=("self",))
        .select_related("successor__project")
        .filter(pk=dependency_id)
        .first()
    )
    if link is None:
        raise Conflict(_("任务依赖不存在。"))
    project = link.successor.project
    if not can_plan(by, project):
        raise PermissionDenied(_("只有项目计划人员可以修改任务依赖。"))
    _open_project(project)
    record_audit(
        actor=by,
        action="task.dependency_removed",
        target=link.successor,
        before={
            "predecessor": link.predecessor_id,
            "type": link.type,
            "lag_days": link.lag_days,
        },
    )
    link.delete()


@transaction.atomic
def shift_forecasts(
    project: Project, *, by, task_ids: list[int], days: int, reason: str
) -> list[Task]:
    """Move the forecasts of `task_ids` by `days` working days (an approved change request's
    schedule impact, in working days like the project's forecast end); their length in
    working days stays and their downstream tasks follow. The caller checks who may."""
    cal = workdays.calendar()
    tasks = list(
        Task.objects.select_for_update()
        .filter(project=project, pk__in=task_ids)
        .exclude(status__in=[Status.DONE, Status.CANCELLED])
        .order_by("pk")
    )
    if len(tasks) != len(set(task_ids)):
        raise ValidationError({"tasks": [_("只能选择本项目未完成的任务。")]})
    changes = []
    for t in tasks:
        before = snapshot(t, ["forecast_start", "forecast_finish"])
        length = _forecast_days(t, cal)
        t.forecast_start = cal.add_working_days(t.forecast_start or t.planned_start, days)
        t.forecast_finish = cal.finish_of(t.forecast_start, length)
        t.save(update_fields=["forecast_start", "forecast_finish", "updated_at"])
        changes.append((t, before, snapshot(t, ["forecast_start", "forecast_finish"])))
    record_audit_many(actor=by, action="task.forecast_shifted", changes=changes, reason=reason)
    roll_up({t.parent_id for t in tasks}, cal)
    _reschedule_downstream(project, [t.pk for t in tasks], by=by, cal=cal, reason=reason)
    return tasks
