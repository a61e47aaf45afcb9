"""HTML pages: the handover list, a project's checklist, the project-tab panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict
from coordination.core.paging import paginate
from coordination.core.text import join_messages, with_items
from coordination.core.uploads import allowed_extensions
from handover import selectors, services
from handover.forms import ListFilterForm, ProvideForm, RejectForm
from handover.models import HandoverItem
from handover.permissions import sides
from projects.core.selectors import visible_projects
from projects.documents.files import file_response


@login_required
def handover_list(request):
    form = ListFilterForm(request.GET or None)
    overdue = None
    status = ""
    if form.is_valid():
        overdue = {"1": True, "0": False}.get(form.cleaned_data["overdue"])
        status = form.cleaned_data["status"]
    handovers = selectors.handover_list(request.user, overdue=overdue, status=status)
    return render(
        request,
        "handover/list.html",
        {
            "form": form,
            **paginate(request, handovers),
            "measures": selectors.measures(selectors.visible_handovers(request.user)),
        },
    )


def _checklist_context(request, project) -> dict:
    handover = selectors.handover_detail(project)
    side = sides(request.user, project)
    measures = None
    if handover is not None:
        measures = selectors.measures(
            selectors.visible_handovers(request.user).filter(pk=handover.pk)
        )
    return {
        "project": project,
        "handover": handover,
        "side": side,
        "measures": measures,
        "overdue": handover is not None and selectors.is_overdue(handover),
        "lead_time_days": selectors.lead_time_days(handover) if handover else None,
        "accept_extensions": ",".join(f".{e}" for e in allowed_extensions()),
        "can_edit": handover is not None
        and side["business"]
        and handover.status in ("draft", "returned"),
        "can_review": handover is not None
        and side["engineering"]
        and handover.status in ("submitted", "returned"),
        # the prefetched items: no query of its own
        "provided_count": sum(1 for i in handover.items.all() if i.status == "provided")
        if handover is not None
        else 0,
    }


def _project_for(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


@login_required
def checklist(request, code: str):
    project = _project_for(request, code)
    return render(request, "handover/checklist.html", _checklist_context(request, project))


@login_required
def panel(request, code: str):
    """The project page's handover tab (loaded with htmx)."""
    project = _project_for(request, code)
    return render(request, "handover/_panel.html", _checklist_context(request, project))


def _after_action(request, project):
    if request.headers.get("HX-Request"):
        return render(request, "handover/_checklist.html", _checklist_context(request, project))
    return redirect("handover:checklist", code=project.code)


def _run(request, project, action, success: str):
    try:
        action()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
    except Conflict as exc:
        detail = with_items(exc.detail, exc.unmet or [])
        messages.error(request, detail)
    except ValidationError as exc:
        text = join_messages(m for ms in getattr(exc, "message_dict", {}).values() for m in ms)
        messages.error(request, text or join_messages(exc.messages))
    else:
        messages.success(request, success)
    return _after_action(request, project)


def _item_for(request, item_id: int) -> HandoverItem:
    return get_object_or_404(
        selectors.visible_items(request.user).select_related("handover__project"), pk=item_id
    )


@login_required
@require_POST
def submit(request, code: str):
    return _on_handover(
        request,
        code,
        services.submit_handover,
        _("合同移交已提交，等待工程方审核。"),
    )


@login_required
@require_POST
def accept_all(request, code: str):
    """The reviewer accepts every provided item at once."""
    return _on_handover(
        request, code, services.accept_all_provided, _("已接收全部已提供的清单项。")
    )


def _on_handover(request, code: str, service, success: str):
    """Run `service(handover id, by=user)` on the project's handover (404 without one)."""
    project = _project_for(request, code)
    handover = getattr(project, "handover", None)
    if handover is None:
        raise Http404
    return _run(request, project, lambda: service(handover.pk, by=request.user), success)


@login_required
@require_POST
def provide(request, item_id: int):
    item = _item_for(request, item_id)
    form = ProvideForm(request.POST, request.FILES)
    form.is_valid()
    data = form.cleaned_data
    return _run(
        request,
        item.handover.project,
        lambda: services.provide_item(
            item.pk,
            by=request.user,
            file=data.get("file"),
            link=data.get("link", ""),
            text=data.get("text", ""),
        ),
        _("已提供：%(item)s") % {"item": item.title},
    )


@login_required
@require_POST
def accept(request, item_id: int):
    item = _item_for(request, item_id)
    return _run(
        request,
        item.handover.project,
        lambda: services.accept_item(item.pk, by=request.user),
        _("已接收：%(item)s") % {"item": item.title},
    )


@login_required
@require_POST
def reject(request, item_id: int):
    item = _item_for(request, item_id)
    form = RejectForm(request.POST)
    reason = form.data.get("reason", "")
    return _run(
        request,
        item.handover.project,
        lambda: services.reject_item(item.pk, by=request.user, reason=reason),
        _("已驳回：%(item)s") % {"item": item.title},
    )


@login_required
def evidence_file(request, item_id: int):
    """Download an evidence file (only for users who can see the project)."""
    item = _item_for(request, item_id)
    if item.evidence_version is None:
        raise Http404
    return file_response(item.evidence_version, by=request.user, preview=False)
