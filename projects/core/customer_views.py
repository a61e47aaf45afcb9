"""Customers in the UI: list (paged, searched), create, edit contacts. Who may create or edit
is projects.core.permissions (can_create_customer, can_edit_customer), asked again by the
services; an ERP customer's ERP-owned fields are read-only (services.CUSTOMER_ERP_FIELDS)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coordination.core.exceptions import StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from coordination.core.paging import paginate
from coordination.core.roles import sees_everything
from projects.core import permissions, selectors, services
from projects.core.forms import CustomerFilterForm, CustomerForm
from projects.core.models import Customer


@login_required
@require_GET
def customer_list(request):
    form = CustomerFilterForm(request.GET or None)
    qs = form.apply(Customer.objects.annotate(project_count=Count("projects"))).order_by(
        "name", "id"
    )
    return render(
        request,
        "projects/customers/list.html",
        {
            "form": form,
            **paginate(request, qs),
            "can_create": permissions.can_create_customer(request.user),
        },
    )


@login_required
def customer_create(request):
    if not permissions.can_create_customer(request.user):
        raise PermissionDenied(permissions.CREATE_CUSTOMER_REFUSED)
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("客户“%(name)s”已创建。") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "projects/customers/form.html", {"form": form, "customer": None})


@login_required
def customer_detail(request, pk: int):
    """The customer, its projects the user sees, and (for who may edit it) its form."""
    customer = get_object_or_404(Customer, pk=pk)
    can_edit = permissions.can_edit_customer(request.user, customer)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(permissions.EDIT_CUSTOMER_REFUSED)
    form = CustomerForm(request.POST or None, instance=customer) if can_edit else None
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(
                customer.pk,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            conflict, status = edit_conflict(form, exc, CustomerForm(instance=exc.record)), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("客户已保存。"))
            return redirect("customers:detail", pk=customer.pk)
    elif request.method == "POST":
        status = 400
    visible = (
        customer.projects.all()
        if sees_everything(request.user)
        else selectors.visible_projects(request.user).filter(customer=customer)
    )
    projects = visible.order_by("-created_at", "-id")[:50]
    return render(
        request,
        "projects/customers/detail.html",
        {
            "customer": customer,
            "form": form,
            "can_edit": can_edit,
            "conflict": conflict,
            "projects": projects,
            "erp_fields": services.CUSTOMER_ERP_FIELDS if customer.erp_id else [],
        },
        status=status,
    )
