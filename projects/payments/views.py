"""HTML pages of payment milestones: the project tab's panel (htmx), create and edit, and the
buttons recording an invoice, a receipt or a deletion.

Every write goes through projects.payments.services (the functions the API calls).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from projects.core.models import CLOSED_STAGES
from projects.core.selectors import visible_projects
from projects.payments import selectors, services
from projects.payments.forms import PaymentForm, RecordForm
from projects.payments.models import PaymentMilestone


def _project(user, code: str):
    return get_object_or_404(visible_projects(user), code=code)


def _payment(user, pk: int) -> PaymentMilestone:
    return get_object_or_404(selectors.visible_payments(user), pk=pk)


def _back(project) -> str:
    return reverse("projects:detail", args=[project.code]) + "#pane-payments"


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    if isinstance(exc, Conflict):
        return exc.detail
    return str(exc) or _("你没有执行此操作的权限。")


def panel_context(project, user) -> dict:
    payments = list(selectors.project_payments(project))
    today = timezone.localdate()
    for p in payments:
        p.status_now = p.status_on(today)
    return {
        "project": project,
        "payments": payments,
        "totals": selectors.totals(payments, project),
        "can_edit": selectors.can_edit_payments(user, project)
        and project.stage not in CLOSED_STAGES,
        "today": today,
    }


@login_required
def panel(request, code: str):
    """The tab's content, for htmx (hx-get); a page of its own without it."""
    project = _project(request.user, code)
    context = panel_context(project, request.user)
    if request.headers.get("HX-Request") == "true":
        return render(request, "projects/payments/panel.html", context)
    return render(request, "projects/payments/page.html", context)


def _form_page(request, project, instance=None):
    services.require_editor(request.user, project)
    form = PaymentForm(request.POST or None, instance=instance, project=project)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                services.create_payment(project, by=request.user, data=form.service_data())
            else:
                services.update_payment(
                    instance.pk,
                    by=request.user,
                    data=form.service_data(),
                    expected_version=expected_version(form),
                )
        except StaleWrite as exc:
            saved = PaymentForm(instance=exc.record, project=project)
            conflict, status = edit_conflict(form, exc, saved), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_back(project))
    heading = _("编辑收款节点") if instance else _("新增收款节点")
    context = {
        "form": form,
        "project": project,
        "object": instance,
        "heading": heading,
        "conflict": conflict,
    }
    return render(request, "projects/plan_form.html", context, status=status)


@login_required
def create(request, code: str):
    return _form_page(request, _project(request.user, code))


@login_required
def edit(request, pk: int):
    payment = _payment(request.user, pk)
    return _form_page(request, payment.project, payment)


def _record(request, pk: int, write) -> object:
    payment = _payment(request.user, pk)
    services.require_editor(request.user, payment.project)  # a refusal is a 403, not a message
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(_back(payment.project))
    try:
        write(payment, form.cleaned_data)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect(_back(payment.project))


@login_required
@require_POST
def invoiced(request, pk: int):
    return _record(
        request,
        pk,
        lambda p, data: services.mark_invoiced(p.pk, by=request.user, on=data["on"]),
    )


@login_required
@require_POST
def received(request, pk: int):
    return _record(
        request,
        pk,
        lambda p, data: services.mark_received(
            p.pk, by=request.user, on=data["on"], amount=data["amount"]
        ),
    )


@login_required
@require_POST
def delete(request, pk: int):
    payment = _payment(request.user, pk)
    services.require_editor(request.user, payment.project)  # a refusal is a 403, not a message
    try:
        services.delete_payment(payment.pk, by=request.user)
    except Conflict as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("已删除收款节点：%(name)s") % {"name": payment.name})
    return redirect(_back(payment.project))
