"""HTML pages for change requests: the project's list (tab panel and page), create and edit,
engineering's assessment, the decision buttons, and the "awaiting my approval" inbox.

Every write goes through projects.changes.services (the same functions the API calls).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import add_version_field, apply_errors, edit_conflict, expected_version
from coordination.core.roles import department_of
from projects.changes import rules
from projects.changes import services as changes
from projects.changes.forms import AssessForm, ChangeRequestForm, DecisionForm
from projects.changes.models import ChangeRequest
from projects.changes.selectors import (
    awaiting,
    awaiting_assessment,
    change_request_queryset,
    project_change_requests,
    project_drift,
    visible_change_requests,
)
from projects.core.models import CLOSED_STAGES
from projects.core.selectors import visible_projects
from projects.tasks.selectors import open_tasks


def _project(user, code: str):
    qs = visible_projects(user).select_related("customer", "business_pm", "engineering_pm")
    return get_object_or_404(qs, code=code)


def _cr(user, pk: int) -> ChangeRequest:
    return get_object_or_404(visible_change_requests(user), pk=pk)


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, Conflict):
        return exc.detail + ("".join(f" {u}" for u in exc.unmet) if exc.unmet else "")
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or _("你没有执行此操作的权限。")


def _refusal(request, exc: Exception) -> None:
    messages.error(request, _refusal_text(exc))


def panel_context(project, user) -> dict:
    rows = list(project_change_requests(project))
    return {
        "project": project,
        "change_requests": rows,
        "measures": project_drift(project),
        "can_create": changes.can_create(user, project) and project.stage not in CLOSED_STAGES,
    }


@login_required
def project_page(request, code: str):
    project = _project(request.user, code)
    return render(request, "projects/changes/page.html", panel_context(project, request.user))


@login_required
def project_panel(request, code: str):
    """The tab's content, for htmx (hx-get)."""
    project = _project(request.user, code)
    return render(request, "projects/changes/panel.html", panel_context(project, request.user))


@login_required
def create(request, code: str):
    project = _project(request.user, code)
    if not changes.can_create(request.user, project):
        messages.error(request, _("只有项目成员可以提出变更申请。"))
        return redirect("changes:project", code=project.code)
    form = ChangeRequestForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            cr = changes.create_change_request(project, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:  # shown on the form, so what was typed stays
            form.add_error(None, _refusal_text(exc))
        except PermissionDenied as exc:
            _refusal(request, exc)
            return redirect("changes:project", code=project.code)
        else:
            messages.success(request, _("已创建变更申请草稿 %(n)s。") % {"n": cr.number})
            return redirect("changes:detail", pk=cr.pk)
    return render(
        request, "projects/changes/form.html", {"project": project, "form": form, "cr": None}
    )


@login_required
def edit(request, pk: int):
    cr = _cr(request.user, pk)
    if not changes.can_edit(request.user, cr):
        messages.error(request, _("只有申请人或项目经理可以修改变更申请。"))
        return redirect("changes:detail", pk=cr.pk)
    form = ChangeRequestForm(request.POST or None, instance=cr, project=cr.project)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            changes.update_change_request(
                cr.pk,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            saved = ChangeRequestForm(instance=exc.record, project=cr.project)
            conflict, status = edit_conflict(form, exc, saved), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:  # e.g. submitted meanwhile: shown on the form, input kept
            form.add_error(None, _refusal_text(exc))
        except PermissionDenied as exc:
            _refusal(request, exc)
            return redirect("changes:detail", pk=cr.pk)
        else:
            messages.success(request, _("变更申请已保存。"))
            return redirect("changes:detail", pk=cr.pk)
    return render(
        request,
        "projects/changes/form.html",
        {"project": cr.project, "form": form, "cr": cr, "conflict": conflict},
        status=status,
    )


@login_required
def assess(request, pk: int):
    cr = _cr(request.user, pk)
    if not changes.can_assess(request.user, cr.project):
        messages.error(request, _("只有工程管理部的项目成员可以评估变更影响。"))
        return redirect("changes:detail", pk=cr.pk)
    form = _assess_form(cr, request.POST or None)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            data = {
                k: v for k, v in form.cleaned_data.items() if v is not None and k != "edit_version"
            }
            changes.assess_change_request(
                cr.pk, by=request.user, data=data, expected_version=expected_version(form)
            )
        except StaleWrite as exc:
            conflict, status = edit_conflict(form, exc, _assess_form(exc.record)), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:  # e.g. assessed meanwhile: shown on the form, input kept
            form.add_error(None, _refusal_text(exc))
        except PermissionDenied as exc:
            _refusal(request, exc)
            return redirect("changes:detail", pk=cr.pk)
        else:
            messages.success(request, _("影响评估已提交，等待各部门审批。"))
            return redirect("changes:detail", pk=cr.pk)
    return render(
        request,
        "projects/changes/assess.html",
        {"project": cr.project, "form": form, "cr": cr, "conflict": conflict},
        status=status,
    )


def _assess_form(cr: ChangeRequest, data=None) -> AssessForm:
    form = AssessForm(
        data,
        initial={
            "effort_days": cr.effort_days,
            "assessment_risks": cr.assessment_risks,
            "schedule_impact_days": cr.schedule_impact_days,
        },
    )
    add_version_field(form, cr)
    return form


def detail_context(cr: ChangeRequest, user) -> dict:
    project = cr.project
    decided = {d.department: d for d in cr.decisions.all()}
    mine = rules.deciding_departments(cr, user)
    return {
        "project": project,
        "cr": cr,
        "decisions": list(cr.decisions.all()),
        "required": [
            {"department": d, "label": changes.DEPARTMENT_LABELS[d], "decision": decided.get(d)}
            for d in rules.required_departments(cr)
        ],
        "history": list(cr.milestone_changes.select_related("milestone").order_by("id")),
        "decision_form": DecisionForm(),
        "my_departments": [d for d in mine if d not in decided],
        "can_edit": cr.status == ChangeRequest.Status.DRAFT and changes.can_edit(user, cr),
        "can_assess": cr.status == ChangeRequest.Status.SUBMITTED
        and changes.can_assess(user, project),
        "can_decide": cr.status == ChangeRequest.Status.ASSESSED
        and any(d not in decided for d in mine),
        "barred_as_requester": cr.status == ChangeRequest.Status.ASSESSED
        and department_of(user) not in decided
        and changes.barred_as_requester(cr, user, department_of(user)),
        "can_withdraw": cr.status in ChangeRequest.WITHDRAWABLE and changes.can_withdraw(user, cr),
        "can_implement": cr.status == ChangeRequest.Status.APPROVED
        and changes.can_implement(user, project),
        **_tasks_impact(cr, user),
    }


def _tasks_impact(cr: ChangeRequest, user) -> dict:
    """The PMs' form to apply the approved schedule impact to chosen tasks (once)."""
    show = (
        cr.status in (ChangeRequest.Status.APPROVED, ChangeRequest.Status.IMPLEMENTED)
        and bool(cr.schedule_impact_days)
        and cr.tasks_impact_applied_at is None
        and changes.can_implement(user, cr.project)
    )
    return {
        "can_apply_to_tasks": show,
        "impact_tasks": list(open_tasks(cr.project)) if show else [],
    }


@login_required
def detail(request, pk: int):
    cr = _cr(request.user, pk)
    return render(request, "projects/changes/detail.html", detail_context(cr, request.user))


# each action names the version of the request the page showed (`seen`)
ACTIONS = {
    "submit": lambda cr, user, form, seen: changes.submit_change_request(
        cr.pk, by=user, expected_version=seen
    ),
    "approve": lambda cr, user, form, seen: changes.approve_change_request(
        cr.pk,
        by=user,
        comment=form.cleaned_data["comment"],
        department=form.cleaned_data["department"] or None,
        expected_version=seen,
    ),
    "reject": lambda cr, user, form, seen: changes.reject_change_request(
        cr.pk,
        by=user,
        comment=form.cleaned_data["comment"],
        department=form.cleaned_data["department"] or None,
        expected_version=seen,
    ),
    "withdraw": lambda cr, user, form, seen: changes.withdraw_change_request(
        cr.pk, by=user, expected_version=seen
    ),
    "implement": lambda cr, user, form, seen: changes.implement_change_request(
        cr.pk, by=user, expected_version=seen
    ),
}
DONE = {
    "submit": gettext_lazy("变更申请已提交，等待工程管理部评估。"),
    "approve": gettext_lazy("已记录你的审批意见。"),
    "reject": gettext_lazy("已驳回变更申请。"),
    "withdraw": gettext_lazy("变更申请已撤回。"),
    "implement": gettext_lazy("变更已标记为已实施。"),
}


@login_required
@require_POST
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    cr = _cr(request.user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        ACTIONS[action](cr, request.user, form, expected_version(form))
    except PermissionDenied as exc:
        _refusal(request, exc)
    except (Conflict, ValidationError) as exc:
        # the page again, with the request as it is now and the comment as typed
        if isinstance(exc, StaleWrite):
            messages.error(request, _("变更申请在你打开页面之后已被修改，请核对最新内容后再操作。"))
        else:
            _refusal(request, exc)
        context = detail_context(_cr(request.user, pk), request.user)
        context["decision_form"] = form
        return render(
            request,
            "projects/changes/detail.html",
            context,
            status=400 if isinstance(exc, ValidationError) else 409,
        )
    else:
        messages.success(request, str(DONE[action]))
    return redirect("changes:detail", pk=cr.pk)


@login_required
def inbox(request):
    """Change requests waiting for my decision, and those waiting for my assessment."""
    base = change_request_queryset().filter(project__in=visible_projects(request.user))
    decide = base.filter(pk__in=awaiting(request.user).values("pk")).order_by("assessed_at", "id")
    assess_rows = base.filter(pk__in=awaiting_assessment(request.user).values("pk")).order_by(
        "submitted_at", "id"
    )
    return render(
        request,
        "projects/changes/inbox.html",
        {"to_decide": list(decide), "to_assess": list(assess_rows)},
    )


@login_required
@require_POST
def apply_to_tasks(request, pk: int):
    cr = _cr(request.user, pk)
    try:
        tasks = changes.apply_impact_to_tasks(
            cr.pk,
            by=request.user,
            task_ids=[int(t) for t in request.POST.getlist("tasks") if t.isdigit()],
        )
    except (Conflict, ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _("已将工期影响应用到 %(n)s 个任务，后续任务的预测已顺延。") % {"n": len(tasks)},
        )
    return redirect("changes:detail", pk=cr.pk)
