"""Job rotation pages (namespace 'rotations', under /reviews/job-rotations/): the list with
the plan form, and a rotation's page with its moves. Every write calls services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.core.forms import apply_errors
from coordination.core.moves import run_move
from coordination.core.roles import is_pmo
from coordination.rotations import rules, selectors, services
from coordination.rotations.forms import (
    CheckInForm,
    CloseForm,
    DecisionForm,
    JobRotationForm,
    ReasonForm,
    StatusFilterForm,
)
from coordination.rotations.models import JobRotation, RotationStatus
from projects.core.selectors import visible_projects

LIST_LIMIT = 200


def _plan_form(request, data=None) -> JobRotationForm:
    return JobRotationForm(
        data,
        projects=visible_projects(request.user).order_by("code"),
        can_choose_user=is_pmo(request.user),
    )


@login_required
def rotation_list(request):
    """GET: the rotations the user sees (filter by status) and the plan form; POST: plan."""
    if request.method == "POST":
        form = _plan_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rotation = services.plan_rotation(
                    by=request.user,
                    user=data.get("user") or request.user,
                    from_department=data["from_department"],
                    host_department=data["host_department"],
                    to_project=data["to_project"],
                    to_site=data["to_site"],
                    mentor=data["mentor"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    reflection=data["reflection"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("轮岗计划已提交，等待双方部门负责人审批。"))
                return redirect("rotations:detail", pk=rotation.pk)
    else:
        form = _plan_form(request)
    status_form = StatusFilterForm(request.GET or None)
    status = status_form.cleaned_data["status"] if status_form.is_valid() else ""
    return render(
        request,
        "coordination/rotations/list.html",
        {
            "form": form,
            "status_form": status_form,
            "status": status,
            "can_record": rules.can_plan(request.user, request.user),
            "rotations": list(
                selectors.rotation_list(request.user, status=status or None)[:LIST_LIMIT]
            ),
        },
    )


def _rotation_for(request, pk: int) -> JobRotation:
    try:
        return selectors.rotation_detail(request.user, pk)
    except JobRotation.DoesNotExist:
        raise Http404 from None


def _page(request, rotation: JobRotation, status: int = 200, **forms):
    user = request.user
    approvals = selectors.current_approvals(rotation)
    open_sides = [
        side
        for side in rules.sides_for(user, rotation)
        if side not in approvals and rotation.status == RotationStatus.PLANNED
    ]
    return render(
        request,
        "coordination/rotations/detail.html",
        {
            "rotation": rotation,
            "approvals": [(side, approvals.get(side)) for side in rules.SIDES],
            "history": [a for a in rotation.approvals.all() if a.round != rotation.round],
            "check_ins": list(rotation.check_ins.all()),
            "open_sides": open_sides,
            "choose_side": len(open_sides) > 1,
            "can_resubmit": rotation.status == RotationStatus.RETURNED
            and rules.can_resubmit(user, rotation),
            "can_start": rotation.status == RotationStatus.APPROVED
            and rules.can_start(user, rotation),
            "can_check_in": rotation.status == RotationStatus.IN_PROGRESS
            and rules.can_check_in(user, rotation),
            "can_reflect": rotation.status == RotationStatus.IN_PROGRESS
            and rules.can_reflect(user, rotation),
            "can_assess": rotation.status == RotationStatus.IN_PROGRESS
            and rules.can_assess(user, rotation),
            "can_cancel": rotation.status
            in (RotationStatus.PLANNED, RotationStatus.RETURNED, RotationStatus.APPROVED)
            and rules.can_cancel(user, rotation),
            "decision_form": forms.get("decision_form") or DecisionForm(),
            "check_in_form": forms.get("check_in_form") or CheckInForm(),
            "close_form": forms.get("close_form")
            or CloseForm(initial={"reflection": rotation.reflection}),
            "reason_form": forms.get("reason_form") or ReasonForm(),
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    return _page(request, _rotation_for(request, pk))


def _run(request, rotation, name: str, move, success: str, form=None, form_name: str = ""):
    """Run one move; a refusal re-renders the page with its status (403 whatever the input,
    then 400 for bad input, 409 for a move the state does not allow)."""
    forms = {form_name: form} if form is not None else {}
    if not rules.may(name, request.user, rotation):
        messages.error(request, _("你没有执行此操作的权限。"))
        return _page(request, rotation, status=403, **forms)
    if form is not None and not form.is_valid():
        messages.error(request, _("请检查输入。"))
        return _page(request, rotation, status=400, **forms)
    return run_move(
        request,
        lambda: move(form.cleaned_data if form is not None else {}),
        page=lambda status: _page(request, rotation, status=status, **forms),
        success=success,
        done=lambda: redirect("rotations:detail", pk=rotation.pk),
        form=form,
    )


@login_required
@require_POST
def approve(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "approve",
        lambda d: services.approve_rotation(
            rotation.pk, by=request.user, side=d["side"] or None, comment=d["comment"]
        ),
        _("已批准。"),
        DecisionForm(request.POST),
        "decision_form",
    )


@login_required
@require_POST
def reject(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "reject",
        lambda d: services.reject_rotation(
            rotation.pk, by=request.user, side=d["side"] or None, reason=d["comment"]
        ),
        _("已退回，并已通知本人。"),
        DecisionForm(request.POST),
        "decision_form",
    )


@login_required
@require_POST
def resubmit(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "resubmit",
        lambda d: services.resubmit_rotation(rotation.pk, by=request.user),
        _("已重新提交审批。"),
    )


@login_required
@require_POST
def start(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "start",
        lambda d: services.start_rotation(rotation.pk, by=request.user),
        _("轮岗已开始。"),
    )


@login_required
@require_POST
def check_in(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "check_in",
        lambda d: services.add_check_in(rotation.pk, by=request.user, note=d["note"], on=d["date"]),
        _("已记录。"),
        CheckInForm(request.POST),
        "check_in_form",
    )


@login_required
@require_POST
def close(request, pk: int):
    rotation = _rotation_for(request, pk)
    user = request.user

    def move(d):
        parts = {}
        if rules.can_reflect(user, rotation):
            parts["reflection"] = d["reflection"]
        if rules.can_assess(user, rotation):
            parts["host_score"] = d["host_score"]
            parts["host_assessment"] = d["host_assessment"]
        services.close_rotation(rotation.pk, by=user, actual_end=d["actual_end"], **parts)

    return _run(
        request, rotation, "close", move, _("已保存。"), CloseForm(request.POST), "close_form"
    )


@login_required
@require_POST
def cancel(request, pk: int):
    rotation = _rotation_for(request, pk)
    return _run(
        request,
        rotation,
        "cancel",
        lambda d: services.cancel_rotation(rotation.pk, by=request.user, reason=d["reason"]),
        _("轮岗已取消。"),
        ReasonForm(request.POST),
        "reason_form",
    )
