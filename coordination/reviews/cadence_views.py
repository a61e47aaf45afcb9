"""HTML pages of company-wide and department cadences (namespace 'reviews'), and who may
take part in a project's cadence. Writes call coordination.reviews.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from coordination.core.forms import apply_errors
from coordination.reviews import selectors, services
from coordination.reviews.forms import CompanyCadenceForm
from projects.core.team import people


def project_people(project):
    """Who may take part in a project's cadence: its PMs and members."""
    return (
        people()
        .filter(
            Q(project_memberships__project=project)
            | Q(pk__in=[project.business_pm_id, project.engineering_pm_id])
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _company_people():
    return people().select_related("profile").order_by("last_name", "first_name", "username")


def _company_cadence_args(form) -> dict:
    data = form.cleaned_data
    chosen = list(data["participants"])
    if data.get("everyone_of_departments"):
        chosen += list(_company_people().filter(profile__department__in=data["departments"]))
    return {
        "kind": data["kind"],
        "title": data["title"],
        "time_of_day": data["time_of_day"],
        "duration_minutes": data["duration_minutes"],
        "weekday": data["weekday"],
        "day_of_month": data["day_of_month"],
        "departments": list(data["departments"]),
        "participants": list({u.pk: u for u in chosen}.values()),
        "is_active": data["is_active"],
    }


@login_required
def cadences(request):
    """Company-wide and department cadences (the monthly cross-department retrospective):
    everyone sees those they take part in, PMO sees and sets up all of them."""
    can_manage = services.can_manage_cadence(request.user, None)
    form = None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = CompanyCadenceForm(request.POST, people=_company_people())
        if form.is_valid():
            args = _company_cadence_args(form)
            try:
                cadence = services.create_cadence(
                    by=request.user, tz=form.cleaned_data["timezone"], **args
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("例会机制已创建。"))
                return redirect("reviews:cadence", pk=cadence.pk)
        status = 400
    rows = list(
        selectors.visible_cadences(request.user)
        .filter(project__isnull=True)
        .order_by("-is_active", "kind", "id")
    )
    return render(
        request,
        "coordination/reviews/cadences.html",
        {
            "cadences": rows,
            "can_manage": can_manage,
            "form": form
            or CompanyCadenceForm(
                people=_company_people(),
                initial={
                    "kind": "monthly_retrospective",
                    "time_of_day": "14:00",
                    "duration_minutes": 90,
                    "day_of_month": 25,
                    "timezone": "Asia/Shanghai",
                    "departments": ["business", "engineering"],
                },
            ),
        },
        status=status,
    )


@login_required
def cadence(request, pk: int):
    """One company or department cadence: its occurrences; PMO changes it and its
    participants."""
    found = get_object_or_404(
        selectors.visible_cadences(request.user).filter(project__isnull=True), pk=pk
    )
    can_manage = services.can_manage_cadence(request.user, None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = CompanyCadenceForm(request.POST, people=_company_people())
        if form.is_valid():
            args = _company_cadence_args(form)
            try:
                services.update_cadence(
                    found.pk, by=request.user, tz=form.cleaned_data["timezone"], **args
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("例会机制已保存。"))
                return redirect("reviews:cadence", pk=found.pk)
        status = 400
    else:
        form = CompanyCadenceForm(
            people=_company_people(),
            initial={
                **{name: getattr(found, name) for name in services.CADENCE_FIELDS},
                "participants": list(found.participants.all()),
            },
        )
    today = services.local_today(found.timezone)
    reviews = selectors.review_list(request.user).filter(cadence=found)
    return render(
        request,
        "coordination/reviews/cadence.html",
        {
            "cadence": found,
            "form": form,
            "can_manage": can_manage,
            "upcoming": list(reviews.filter(date__gte=today)[:12]),
            "past": list(reviews.filter(date__lt=today).order_by("-starts_at")[:12]),
        },
        status=status,
    )
