"""A complaint's page: assign an owner, answer with the cause, confirm the closure."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.core.moves import run_move
from kpi.complaints import selectors, services
from kpi.complaints.forms import AssignForm, RespondForm
from kpi.models import Complaint


def _complaint_for(request, pk: int) -> Complaint:
    return get_object_or_404(selectors.visible_complaints(request.user), pk=pk)


def _page(request, complaint, assign_form=None, respond_form=None, status=200):
    return render(
        request,
        "kpi/complaints/detail.html",
        {
            "complaint": complaint,
            "project": complaint.project,
            "status": services.status_of(complaint),
            "overdue": services.is_overdue(complaint),
            "can_handle": services.can_handle(request.user, complaint),
            "can_respond": services.may_respond(request.user, complaint),
            "can_close": services.may_confirm_closure(request.user, complaint),
            "assign_form": assign_form or AssignForm(initial={"owner": complaint.owner_id}),
            "respond_form": respond_form
            or RespondForm(
                initial={
                    "response": complaint.response,
                    "root_cause": complaint.root_cause,
                    "corrective_actions": complaint.corrective_actions,
                }
            ),
        },
        status=status,
    )


def _refused(request, complaint, check):
    try:
        check(request.user, complaint)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _page(request, complaint, status=403)
    return None


@login_required
@require_GET
def detail(request, pk: int):
    return _page(request, _complaint_for(request, pk))


def _run(request, complaint, move, success: str, **forms):
    return run_move(
        request,
        move,
        page=lambda status: _page(request, complaint, status=status, **forms),
        success=success,
        done=lambda: redirect("complaints:detail", pk=complaint.pk),
    )


@login_required
@require_POST
def assign(request, pk: int):
    complaint = _complaint_for(request, pk)
    form = AssignForm(request.POST)
    refused = _refused(request, complaint, services.check_handle)
    if refused:
        return refused
    if not form.is_valid():
        messages.error(request, _("请检查输入。"))
        return _page(request, complaint, assign_form=form, status=400)
    return _run(
        request,
        complaint,
        lambda: services.assign_complaint(
            complaint.pk, owner_id=form.cleaned_data["owner"].pk, by=request.user
        ),
        _("已指派负责人。"),
        assign_form=form,
    )


@login_required
@require_POST
def respond(request, pk: int):
    complaint = _complaint_for(request, pk)
    form = RespondForm(request.POST)
    refused = _refused(request, complaint, services.check_respond)
    if refused:
        return refused
    if not form.is_valid():
        messages.error(request, _("请检查输入。"))
        return _page(request, complaint, respond_form=form, status=400)
    return _run(
        request,
        complaint,
        lambda: services.respond_to_complaint(complaint.pk, by=request.user, **form.cleaned_data),
        _("已答复投诉。"),
        respond_form=form,
    )


@login_required
@require_POST
def close(request, pk: int):
    complaint = _complaint_for(request, pk)
    return _run(
        request,
        complaint,
        lambda: services.close_complaint(complaint.pk, by=request.user),
        _("投诉已确认关闭。"),
    )
