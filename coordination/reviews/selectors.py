"""Reads of the review loop shared by the API, the HTML views and the tasks."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from coordination.core.queries import per_row
from coordination.core.roles import sees_everything
from coordination.reviews.models import (
    ActionItem,
    Reminder,
    Review,
    ReviewAttendance,
    ReviewCadence,
)
from coordination.reviews.services import local_today
from projects.core.selectors import visible_projects


def _visible_project_ids(user):
    return visible_projects(user).values("pk")


def _my_cadence_ids(user):
    return ReviewCadence.participants.through.objects.filter(user=user).values("reviewcadence_id")


# Visibility is "on a project the user sees, or taking part": each part is an index scan and
# the ids are their UNION ALL. An OR with EXISTS makes PostgreSQL test every review
# (docs/performance.md).
def visible_cadences(user) -> QuerySet[ReviewCadence]:
    qs = ReviewCadence.objects.select_related("project").prefetch_related("participants")
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    ids = (
        ReviewCadence.objects.filter(project__in=_visible_project_ids(user))
        .order_by()
        .values("pk")
        .union(_my_cadence_ids(user), all=True)
    )
    return qs.filter(pk__in=ids)


def _visible_review_ids(user):
    return (
        Review.objects.filter(project__in=_visible_project_ids(user))
        .order_by()
        .values("pk")
        .union(
            Review.objects.filter(cadence__in=_my_cadence_ids(user)).order_by().values("pk"),
            all=True,
        )
    )


def visible_reviews(user) -> QuerySet[Review]:
    """Reviews of the projects `user` sees, plus company-wide ones they take part in.
    PMO and executives see every review."""
    qs = Review.objects.select_related("project", "cadence")
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    return qs.filter(pk__in=_visible_review_ids(user))


def review_list(
    user,
    *,
    project_code: str | None = None,
    kind: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    updated_since: datetime.datetime | None = None,
    mine: bool = False,
    search: str | None = None,
) -> QuerySet[Review]:
    """The review list: constant query count (annotations, no per-row lookups)."""
    items = ActionItem.objects.all()
    qs = visible_reviews(user).annotate(
        action_item_count=per_row(items, "review", Count("pk")),
        open_action_item_count=per_row(
            items.filter(status=ActionItem.Status.OPEN), "review", Count("pk")
        ),
    )
    if project_code:
        qs = qs.filter(project__code=project_code)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if search:
        qs = qs.filter(
            Q(minutes__icontains=search)
            | Q(decisions__icontains=search)
            | Q(project__code__icontains=search)
            | Q(project__name__icontains=search)
        )
    if mine:
        qs = qs.filter(cadence__in=_my_cadence_ids(user))
    return qs.order_by("starts_at", "id")


def review_detail(user, review_id: int) -> Review:
    """One review the user may see (DoesNotExist → 404 otherwise)."""
    return (
        visible_reviews(user)
        .prefetch_related(
            "cadence__participants",
            "attendance__user",
            "action_items__owner",
        )
        .get(pk=review_id)
    )


def attendance_of(review: Review) -> list[ReviewAttendance]:
    return list(review.attendance.all())


def visible_action_items(user) -> QuerySet[ActionItem]:
    qs = ActionItem.objects.select_related("owner", "project", "review")
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    ids = (
        ActionItem.objects.filter(owner=user)
        .order_by()
        .values("pk")
        .union(
            ActionItem.objects.filter(project__in=_visible_project_ids(user))
            .order_by()
            .values("pk"),
            ActionItem.objects.filter(review__in=_visible_review_ids(user)).order_by().values("pk"),
            all=True,
        )
    )
    return qs.filter(pk__in=ids)


def action_item_list(
    user,
    *,
    mine: bool = False,
    overdue: bool = False,
    status: str | None = None,
    project_code: str | None = None,
    today: datetime.date | None = None,
    updated_since: datetime.datetime | None = None,
    search: str | None = None,
) -> QuerySet[ActionItem]:
    qs = visible_action_items(user)
    if mine:
        qs = qs.filter(owner=user)
    if overdue:
        qs = qs.filter(status=ActionItem.Status.OPEN, due_date__lt=today or local_today())
    if status:
        qs = qs.filter(status=status)
    if project_code:
        qs = qs.filter(project__code=project_code)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return qs.order_by("due_date", "id")


def reminder_list(user, *, mine: bool = True) -> QuerySet[Reminder]:
    """Reminders addressed to the user; PMO may list everyone's with mine=0."""
    qs = Reminder.objects.select_related("recipient")
    if not user or not user.is_authenticated:
        return qs.none()
    if mine or not sees_everything(user):
        qs = qs.filter(recipient=user)
    return qs.order_by("-due_at", "-id")
