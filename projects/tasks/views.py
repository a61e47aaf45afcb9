"""HTML pages for tasks: the project's list with filters, the board (drag between status
columns), the Gantt (baseline and forecast, milestones, dependencies, the critical path; drag
moves the forecast), the task page (edit with edit-version conflicts, dependencies, subtasks).

Every write goes through projects.tasks.services, the functions the API calls.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from coordination.core.workdays import beyond_data
from projects.core.models import CLOSED_STAGES
from projects.core.selectors import visible_projects
from projects.tasks import selectors, services
from projects.tasks.forms import DependencyForm, TaskFilterForm, TaskForm
from projects.tasks.models import ALLOWED_MOVES, Task, TaskDependency


def _project(user, code: str):
    return get_object_or_404(visible_projects(user), code=code)


def _task(user, pk: int) -> Task:
    qs = selectors.with_relations(selectors.visible_tasks(user))
    return get_object_or_404(qs, pk=pk)


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, Conflict):
        return exc.detail + ("".join(f" {u}" for u in exc.unmet) if exc.unmet else "")
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or _("你没有执行此操作的权限。")


def _common(project, user) -> dict:
    return {
        "project": project,
        "can_plan": selectors.can_plan(user, project) and project.stage not in CLOSED_STAGES,
    }


@login_required
def task_list(request, code: str):
    project = _project(request.user, code)
    form = TaskFilterForm(request.GET or None, project=project)
    qs = form.apply(selectors.project_tasks(project))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/tasks/list.html",
        {**_common(project, request.user), "form": form, "page": page, "tasks": page},
    )


@login_required
def task_board(request, code: str):
    project = _project(request.user, code)
    moves = {k: sorted(v) for k, v in ALLOWED_MOVES.items()}
    return render(
        request,
        "projects/tasks/board.html",
        {**_common(project, request.user), "columns": selectors.board(project), "moves": moves},
    )


def _gantt_rows(data: dict) -> list[dict]:
    """frappe-gantt's tasks: each task's forecast bar (draggable), its baseline bar below
    it, and each milestone as a one-day bar. `classes` go on each bar's group (department,
    status, critical, baseline, milestone); frappe-gantt takes one class, tasks.js the rest."""
    rows = []
    for r in data["tasks"]:
        classes = [f"dept-{r['department']}", f"status-{r['status']}"]
        if r["id"] in data["critical"]:
            classes.append("is-critical")
        if r["has_children"]:
            classes.append("is-summary")
        start = r["forecast_start"] or r["planned_start"]
        finish = r["forecast_finish"] or r["planned_finish"]
        rows.append(
            {
                "id": f"t{r['id']}",
                "name": r["title"],
                "start": start.isoformat(),
                "end": finish.isoformat(),
                "progress": r["progress"],
                "dependencies": ", ".join(f"t{p}" for p in data["preds"].get(r["id"], [])),
                "classes": classes,
                "task": r["id"],
                "owner": r["owner__username"],
                "department": r["department"],
                "critical": r["id"] in data["critical"],
            }
        )
        rows.append(
            {
                "id": f"b{r['id']}",
                "name": _("%(title)s（基线）") % {"title": r["title"]},
                "start": r["planned_start"].isoformat(),
                "end": r["planned_finish"].isoformat(),
                "progress": 0,
                "dependencies": "",
                "classes": ["is-baseline"],
                "baseline": True,
            }
        )
    for m in data["milestones"]:
        rows.append(
            {
                "id": f"m{m['id']}",
                "name": "◆ " + m["name"],
                "start": m["forecast_date"].isoformat(),
                "end": m["forecast_date"].isoformat(),
                "progress": 100 if m["status"] == "done" else 0,
                "dependencies": "",
                "classes": ["is-milestone"],
                "milestone": True,
            }
        )
    return rows


@login_required
def task_gantt(request, code: str):
    project = _project(request.user, code)
    data = selectors.gantt(project)
    return render(
        request,
        "projects/tasks/gantt.html",
        {
            **_common(project, request.user),
            "rows": _gantt_rows(data),
            "finish": data["finish"],
            "flagged": data["flagged"],
            "critical_count": len(data["critical"]),
            "task_count": len(data["tasks"]),
        },
    )


@login_required
def task_create(request, code: str):
    project = _project(request.user, code)
    if not selectors.can_plan(request.user, project):
        messages.error(request, _("只有项目经理、部门负责人、技术负责人或PMO可以新建任务。"))
        return redirect("tasks:list", code=project.code)
    initial = {"planned_start": datetime.date.today(), "duration_days": 1}
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = TaskForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(project, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        except (Conflict, PermissionDenied) as exc:  # shown on the form, input kept
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("已新建任务“%(title)s”。") % {"title": task.title})
            return redirect("tasks:detail", pk=task.pk)
    return render(
        request, "projects/tasks/form.html", {"project": project, "form": form, "task": None}
    )


def _detail_context(task: Task, user, form=None, dep_form=None, conflict=None) -> dict:
    project = task.project
    plan = selectors.can_plan(user, project) and project.stage not in CLOSED_STAGES
    report = selectors.can_report(user, task) and project.stage not in CLOSED_STAGES
    if form is None and report:
        form = TaskForm(instance=task, project=project, report_only=not plan)
    if dep_form is None and plan:
        dep_form = DependencyForm(task=task)
    dates = [task.planned_start, task.planned_finish, task.forecast_start, task.forecast_finish]
    return {
        "project": project,
        "task": task,
        "form": form,
        "dep_form": dep_form,
        "conflict": conflict,
        "can_plan": plan,
        "can_report": report,
        "predecessors": list(task.predecessor_links.select_related("predecessor").order_by("id")),
        "successors": list(task.successor_links.select_related("successor").order_by("id")),
        "children": list(task.children.select_related("owner").order_by("planned_start", "id")),
        "beyond_data": any(d and beyond_data(d) for d in dates),
    }


@login_required
def task_detail(request, pk: int):
    task = _task(request.user, pk)
    if request.method != "POST":
        return render(request, "projects/tasks/detail.html", _detail_context(task, request.user))
    project = task.project
    if not selectors.can_report(request.user, task):
        messages.error(request, _("只有任务负责人或项目计划人员可以修改任务。"))
        return redirect("tasks:detail", pk=task.pk)
    plan = selectors.can_plan(request.user, project)
    form = TaskForm(request.POST, instance=task, project=project, report_only=not plan)
    conflict, status = None, 200
    if form.is_valid():
        try:
            services.update_task(
                task.pk,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            saved = TaskForm(instance=exc.record, project=project, report_only=not plan)
            conflict, status = edit_conflict(form, exc, saved), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("任务已保存。"))
            return redirect("tasks:detail", pk=task.pk)
    task = _task(request.user, pk)
    context = _detail_context(task, request.user, form=form, conflict=conflict)
    return render(request, "projects/tasks/detail.html", context, status=status)


@login_required
@require_POST
def dependency_add(request, pk: int):
    task = _task(request.user, pk)
    if not selectors.can_plan(request.user, task.project):
        messages.error(request, _("只有项目计划人员可以修改任务依赖。"))
        return redirect("tasks:detail", pk=task.pk)
    form = DependencyForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.add_dependency(
                task.pk,
                by=request.user,
                predecessor=form.cleaned_data["predecessor"].pk,
                type=form.cleaned_data["type"],
                lag_days=form.cleaned_data["lag_days"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("已添加前置任务。"))
            return redirect("tasks:detail", pk=task.pk)
    context = _detail_context(task, request.user, dep_form=form)
    return render(request, "projects/tasks/detail.html", context, status=400)


@login_required
@require_POST
def dependency_remove(request, pk: int):
    link = get_object_or_404(
        TaskDependency.objects.filter(successor__in=selectors.visible_tasks(request.user)), pk=pk
    )
    try:
        services.remove_dependency(link.pk, by=request.user)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("已删除依赖。"))
    return redirect("tasks:detail", pk=link.successor_id)


@login_required
@require_POST
def task_delete(request, pk: int):
    task = _task(request.user, pk)
    try:
        services.delete_task(task.pk, by=request.user)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return redirect("tasks:detail", pk=task.pk)
    messages.success(request, _("已删除任务“%(title)s”。") % {"title": task.title})
    return redirect("tasks:list", code=task.project.code)


@login_required
@require_POST
def task_status(request, pk: int):
    """The board's drop (htmx): 204 when the move is made; otherwise 409 (or 403) with the
    message to show, and the card goes back to its column."""
    task = _task(request.user, pk)
    try:
        services.set_status(task.pk, by=request.user, status=request.POST.get("status", ""))
    except (Conflict, ValidationError, PermissionDenied) as exc:
        code = 403 if isinstance(exc, PermissionDenied) else 409
        if isinstance(exc, ValidationError):
            code = 400
        return HttpResponse(refusal_text(exc), status=code, content_type="text/plain")
    return HttpResponse(status=204)


@login_required
@require_POST
def task_move(request, pk: int):
    """The Gantt's drag: the task's forecast starts on `start`; its successors follow."""
    task = _task(request.user, pk)
    if not selectors.can_report(request.user, task):
        return JsonResponse({"detail": _("只有任务负责人或项目计划人员可以修改任务。")}, status=403)
    start = parse_date(request.POST.get("start", "") or "")
    if start is None:
        return JsonResponse({"start": [_("请输入有效日期。")]}, status=400)
    try:
        services.move_task(task.pk, by=request.user, start=start)
    except (Conflict, ValidationError, PermissionDenied) as exc:
        code = 403 if isinstance(exc, PermissionDenied) else 409
        return JsonResponse({"detail": refusal_text(exc)}, status=code)
    return JsonResponse({"ok": True, "url": reverse("tasks:gantt", args=[task.project.code])})
