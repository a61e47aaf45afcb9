"""HTML pages of the review loop (namespace 'reviews'): list, occurrence page, my action
items, my reminders, and the project tab's panel. Writes call
coordination.reviews.services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from coordination.core.text import join_list
from coordination.reviews import selectors, services
from coordination.reviews.cadence_views import project_people as _project_people
from coordination.reviews.forms import (
    ActionItemForm,
    ActionItemStatusForm,
    ProjectCadenceForm,
    ReviewMinutesForm,
)
from coordination.reviews.models import ActionItem, Review, ReviewAttendance, ReviewCadence
from coordination.reviews.proposal_services import possible_owners, proposals_for
from projects.core.selectors import visible_projects

User = get_user_model()


def _errors(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    elif isinstance(exc, Conflict):
        messages.error(request, exc.detail)
    else:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))


def _visible_project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


@login_required
def review_list(request):
    today = services.local_today()
    mine = request.GET.get("mine") == "1"
    upcoming = selectors.review_list(
        request.user, date_from=today, date_to=today + datetime.timedelta(days=14), mine=mine
    )
    recent = selectors.review_list(
        request.user, date_from=today - datetime.timedelta(days=30), date_to=today, mine=mine
    ).exclude(date=today)
    return render(
        request,
        "coordination/reviews/list.html",
        {
            "mine": mine,
            "upcoming": list(upcoming[:200]),
            "recent": list(recent.order_by("-starts_at")[:50]),
            "my_open_items": selectors.action_item_list(
                request.user, mine=True, status="open"
            ).count(),
            "my_overdue_items": selectors.action_item_list(
                request.user, mine=True, overdue=True
            ).count(),
        },
    )


def _attendance_rows(review) -> list:
    """One row per participant (and per anyone already recorded), recorded or not yet."""
    rows = {a.user_id: a for a in review.attendance.all()}
    for user in review.cadence.participants.all():
        if user.pk not in rows:
            rows[user.pk] = ReviewAttendance(review=review, user=user, attended=None)
    return sorted(rows.values(), key=lambda a: a.user.get_username())


def _minutes_form(review, data=None) -> ReviewMinutesForm:
    return ReviewMinutesForm(
        data,
        review=review,
        initial={"status": review.status, "minutes": review.minutes, "decisions": review.decisions},
    )


def _detail_page(
    request, review, *, form=None, item_form=None, ticked=None, conflict=None, status=200
):
    """The review page; `form`, `item_form` and `ticked` (who was ticked as attending) carry
    what the user typed when a save is refused, so nothing typed is lost."""
    attendance = _attendance_rows(review)
    can_edit = services.can_edit_review(request.user, review)
    if ticked is not None:
        for row in attendance:
            row.attended = row.user_id in ticked
    return render(
        request,
        "coordination/reviews/detail.html",
        {
            "review": review,
            "form": form if form is not None else _minutes_form(review),
            "can_edit": can_edit,
            "attendance": attendance,
            "action_items": _action_items(request.user, review, can_edit),
            "item_form": item_form
            if item_form is not None
            else ActionItemForm(owners=possible_owners(review)),
            "today": services.local_today(),
            "is_retro": review.kind == "monthly_retrospective",
            "conflict": conflict,
            "proposals": proposals_for(review) if can_edit else [],
            "owners": list(possible_owners(review)) if can_edit else [],
        },
        status=status,
    )


def _action_items(user, review, can_edit: bool) -> list:
    items = list(review.action_items.select_related("task"))
    for item in items:
        # who keeps these minutes updates every item of the review; anyone else their own
        item.can_update = can_edit or (
            item.owner_id == user.pk and services.can_edit_action_item(user, item)
        )
    return items


def _minutes_conflict(form, exc: StaleWrite, ticked: set[int]) -> dict:
    """Both sides of a refused save of the minutes, attendance included."""
    saved = exc.record
    conflict = edit_conflict(form, exc, _minutes_form(saved))
    rows = _attendance_rows(saved)
    were = {a.user_id for a in rows if a.attended}
    if were != ticked:
        names = {a.user_id: a.user.get_username() for a in rows}

        def listed(ids):
            return join_list(sorted(names[i] for i in ids if i in names)) or "—"

        conflict["rows"].append(
            {
                "name": "attendance",
                "label": _("出席情况"),
                "yours": listed(ticked),
                "saved": listed(were),
            }
        )
    return conflict


@login_required
def review_detail(request, pk: int):
    try:
        review = selectors.review_detail(request.user, pk)
    except Review.DoesNotExist as exc:
        raise Http404 from exc
    if request.method != "POST":
        return _detail_page(request, review)
    if not services.can_edit_review(request.user, review):
        raise PermissionDenied
    form = _minutes_form(review, request.POST)
    ticked = {
        a.user_id for a in _attendance_rows(review) if f"attended_{a.user_id}" in request.POST
    }
    if form.is_valid():
        attendance = [
            {"user": a.user.get_username(), "attended": a.user_id in ticked}
            for a in _attendance_rows(review)
        ]
        try:
            services.update_review(
                review.pk,
                by=request.user,
                attendance=attendance,
                expected_version=expected_version(form),
                status=form.cleaned_data["status"],
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
                **form.retro_entries(),
            )
        except StaleWrite as exc:
            conflict = _minutes_conflict(form, exc, ticked)
            return _detail_page(
                request, exc.record, form=form, ticked=ticked, conflict=conflict, status=409
            )
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("会议记录已保存。"))
            return redirect("reviews:detail", pk=review.pk)
    return _detail_page(request, review, form=form, ticked=ticked)


@login_required
@require_POST
def action_item_create(request, pk: int):
    """Add an action item; a refused one shows the page again with what was typed."""
    try:
        review = selectors.review_detail(request.user, pk)
    except Review.DoesNotExist as exc:
        raise Http404 from exc
    if not services.can_edit_review(request.user, review):
        raise PermissionDenied
    form = ActionItemForm(request.POST, owners=possible_owners(review))
    if form.is_valid():
        try:
            services.create_action_item(
                review.pk,
                by=request.user,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("待办事项已添加。"))
            return redirect("reviews:detail", pk=review.pk)
    return _detail_page(request, review, item_form=form)


@login_required
@require_POST
def action_item_status(request, item_id: int):
    item = get_object_or_404(selectors.visible_action_items(request.user), pk=item_id)
    form = ActionItemStatusForm(request.POST)
    if form.is_valid():
        try:
            services.update_action_item(
                item.pk, by=request.user, status=form.cleaned_data["status"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("待办事项已更新。"))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("reviews:my_action_items")


@login_required
@require_POST
def action_item_to_task(request, item_id: int):
    """The action item's "转为任务" button: a task of the project, then its page."""
    item = get_object_or_404(selectors.visible_action_items(request.user), pk=item_id)
    try:
        task = services.task_from_action_item(item.pk, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已将待办事项转为任务。"))
        return redirect("tasks:detail", pk=task.pk)
    if item.review_id:
        return redirect("reviews:detail", item.review_id)
    return redirect("reviews:my_action_items")


@login_required
def my_action_items(request):
    show = request.GET.get("show", "open")
    items = selectors.action_item_list(request.user, mine=True)
    if show == "open":
        items = items.filter(status=ActionItem.Status.OPEN)
    elif show == "overdue":
        items = selectors.action_item_list(request.user, mine=True, overdue=True)
    rows = list(items[:500])
    for item in rows:
        item.can_update = services.can_edit_action_item(request.user, item)  # their own
    return render(
        request,
        "coordination/reviews/my_action_items.html",
        {"items": rows, "show": show, "today": services.local_today()},
    )


@login_required
def my_reminders(request):
    return render(
        request,
        "coordination/reviews/my_reminders.html",
        {"reminders": list(selectors.reminder_list(request.user, mine=True)[:200])},
    )


def _panel_context(request, project) -> dict:
    today = services.local_today()
    cadences = list(
        ReviewCadence.objects.filter(project=project)
        .prefetch_related("participants")
        .order_by("kind", "id")
    )
    reviews = list(
        selectors.review_list(
            request.user,
            project_code=project.code,
            date_from=today - datetime.timedelta(days=14),
            date_to=today + datetime.timedelta(days=14),
        )
    )
    return {
        "project": project,
        "cadences": cadences,
        "reviews": reviews,
        "today": today,
        "can_manage": services.can_manage_cadence(request.user, project),
        "cadence_form": ProjectCadenceForm(
            initial={"time_of_day": "09:00", "timezone": "Asia/Shanghai"},
            people=_project_people(project),
        ),
        "open_items": selectors.action_item_list(
            request.user, project_code=project.code, status="open"
        )[:20],
    }


@login_required
def project_panel(request, code: str):
    project = _visible_project(request, code)
    return render(
        request, "coordination/reviews/_project_panel.html", _panel_context(request, project)
    )


@login_required
@require_POST
def cadence_create(request, code: str):
    project = _visible_project(request, code)
    form = ProjectCadenceForm(request.POST, people=_project_people(project))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_cadence(
                by=request.user,
                project=project,
                participants=list(data["participants"]),
                kind=data["kind"],
                title=data["title"],
                time_of_day=data["time_of_day"],
                duration_minutes=data["duration_minutes"],
                weekday=data["weekday"],
                day_of_month=data["day_of_month"],
                tz=data["timezone"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("例会机制已创建。"))
    else:
        messages.error(request, _("请检查例会机制的填写。"))
    return redirect(f"{_project_url(project)}#reviews")


def _project_url(project) -> str:
    for name in ("projects:detail", "project-detail", "project_detail"):
        try:
            return reverse(name, args=[project.code])
        except NoReverseMatch:
            continue
    return reverse("reviews:project", args=[project.code])


@login_required
def project_reviews(request, code: str):
    """The project's meeting calendar on its own page (the tab shows the same panel)."""
    project = _visible_project(request, code)
    return render(request, "coordination/reviews/project.html", _panel_context(request, project))
