"""HTML views: parse, authorize, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.concurrency import VERSION_FIELD
from coordination.core.exceptions import Conflict, GateRefused, StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from coordination.core.paging import paginate
from coordination.core.roles import is_pmo, sees_everything
from coordination.core.text import with_items
from projects.core import permissions, selectors, services, stages
from projects.core.forms import (
    MilestoneForm,
    ProjectFilterForm,
    ProjectForm,
    RiskForm,
    TransitionForm,
)
from projects.core.models import STAGE_ORDER, Milestone, Project, Risk, Stage, StageTransition


def _visible_project(user, code: str) -> Project:
    qs = selectors.visible_projects(user).select_related(
        "customer", "business_pm", "engineering_pm"
    )
    return get_object_or_404(qs, code=code)


@login_required
def project_list(request):
    visible = None if sees_everything(request.user) else selectors.visible_projects(request.user)
    form = ProjectFilterForm(request.GET or None, visible=visible)
    qs = form.apply(selectors.project_list(request.user)).order_by("code")
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            **paginate(request, selectors.CountedProjects(qs)),
            "can_create": permissions.can_create_project(request.user),
        },
    )


@login_required
def project_create(request):
    if not permissions.can_create_project(request.user):
        raise PermissionDenied
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目 %(code)s 已创建。") % {"code": project.code})
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/form.html", {"form": form, "project": None})


@login_required
def project_edit(request, code):
    project = _visible_project(request.user, code)
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=project)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                project.pk,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            conflict, status = edit_conflict(form, exc, ProjectForm(instance=exc.record)), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("projects:detail", code=project.code)
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "conflict": conflict},
        status=status,
    )


def _timeline(project: Project) -> list[dict]:
    current = project.stage_before_hold if project.stage == Stage.ON_HOLD else project.stage
    index = STAGE_ORDER.index(current) if current in STAGE_ORDER else -1
    return [
        {
            "value": stage.value,
            "label": stage.label,
            "state": "done"
            if i < index
            else "current"
            if i == index
            else "next"
            if i == index + 1
            else "todo",
        }
        for i, stage in enumerate(STAGE_ORDER)
    ]


@login_required
def project_detail(request, code):
    project = _visible_project(request.user, code)
    milestones = list(project.milestones.all())
    risks = list(project.risks.select_related("owner"))
    next_stage = stages.next_stage(project)
    hard, soft = stages.evaluate(project, next_stage) if next_stage else ([], [])
    can_move = permissions.can_transition(request.user, project)
    targets = stages.allowed_targets(project) if can_move else set()
    context = {
        "project": project,
        "timeline": _timeline(project),
        "next_stage": Stage(next_stage) if next_stage else None,
        "next_unmet_hard": hard,
        "next_unmet_soft": soft,
        "can_advance": can_move and next_stage in targets,
        "can_hold": Stage.ON_HOLD in targets,
        "can_cancel": Stage.CANCELLED in targets,
        "can_resume": bool(project.stage_before_hold) and project.stage_before_hold in targets,
        "resume_stage": Stage(project.stage_before_hold) if project.stage_before_hold else None,
        "can_edit": permissions.can_edit_project(request.user, project),
        "can_edit_plan": permissions.can_edit_plan(request.user, project),
        "is_pmo": is_pmo(request.user),
        "milestones": milestones,
        "risks": risks,
        "transitions": StageTransition.objects.filter(project=project).select_related("actor"),
    }
    return render(request, "projects/detail.html", context)


@login_required
@require_POST
def project_transition(request, code):
    project = _visible_project(request.user, code)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("阶段变更请求无效。"))
        return redirect("projects:detail", code=code)
    to = form.cleaned_data["to"]
    try:
        project = services.transition_project(
            project.pk,
            to=to,
            by=request.user,
            reason=form.cleaned_data["reason"],
            override=form.cleaned_data["override"],
        )
    except GateRefused as exc:
        messages.error(
            request,
            with_items(
                _("无法进入“%(stage)s”，未满足的条件") % {"stage": Stage(to).label}, exc.unmet
            ),
        )
    except Conflict as exc:
        detail = with_items(exc.detail, exc.unmet or [])
        messages.error(request, detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("项目已进入“%(stage)s”阶段。") % {"stage": project.get_stage_display()}
        )
    return redirect("projects:detail", code=code)


def _plan_form(request, code, form_class, model, service_create, service_update, pk, headings):
    """A milestone or a risk of a project, created or edited through its service; `headings`
    is (editing, adding)."""
    project = _visible_project(request.user, code)
    if not permissions.can_edit_plan(request.user, project):
        raise PermissionDenied
    instance = get_object_or_404(model, pk=pk, project=project) if pk else None
    form = form_class(request.POST or None, instance=instance)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                service_create(project, by=request.user, data=form.service_data())
            else:
                # a versioned record's form carries the version it was filled from
                versioned = (
                    {"expected_version": expected_version(form)}
                    if VERSION_FIELD in form.fields
                    else {}
                )
                service_update(instance.pk, by=request.user, data=form.service_data(), **versioned)
        except StaleWrite as exc:
            conflict, status = edit_conflict(form, exc, form_class(instance=exc.record)), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("已保存。"))
            return redirect("projects:detail", code=project.code)
    heading = headings[0] if instance else headings[1]
    context = {"form": form, "project": project, "object": instance, "heading": heading}
    return render(
        request, "projects/plan_form.html", {**context, "conflict": conflict}, status=status
    )


@login_required
def milestone_form(request, code, pk=None):
    return _plan_form(
        request,
        code,
        MilestoneForm,
        Milestone,
        services.create_milestone,
        services.update_milestone,
        pk,
        (_("编辑里程碑"), _("新增里程碑")),
    )


@login_required
def risk_form(request, code, pk=None):
    return _plan_form(
        request,
        code,
        RiskForm,
        Risk,
        services.create_risk,
        services.update_risk,
        pk,
        (_("编辑风险"), _("新增风险")),
    )
