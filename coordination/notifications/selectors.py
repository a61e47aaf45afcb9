"""Reads of the notification centre: a user's own notifications, filtered."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.core import channels_rule
from coordination.core.models import Notification


def inbox(
    user, *, unread: bool = False, kind: str | None = None, project: str | None = None
) -> QuerySet[Notification]:
    """`user`'s notifications, newest first; only unread ones with `unread`; of one `kind`;
    about one `project` (its code)."""
    qs = Notification.unread_of(user) if unread else Notification.objects.filter(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    if project:
        qs = qs.filter(project_code=project)
    return qs.order_by("-created_at", "-id")


def projects(user) -> list[str]:
    """The codes of the projects `user`'s notifications are about (the project filter), in
    one query. Only the user's own notifications are read, so a code tells nothing about
    projects they were never told of."""
    return list(
        Notification.objects.filter(user=user)
        .exclude(project_code="")
        .order_by("project_code")
        .values_list("project_code", flat=True)
        .distinct()
    )


def has_project(user, code: str) -> bool:
    """Whether any of `user`'s notifications is about project `code` (one query)."""
    return Notification.objects.filter(user=user, project_code=code).exists()


def counts(user) -> dict[str, int]:
    """{"unread": n}: the live counters' one query (the navigation's badge)."""
    return {"unread": Notification.unread_of(user).count()}


def kinds(user) -> list[tuple[str, str]]:
    """The kinds of `user`'s notifications (the page's filter) as (code, label), in one
    query; a reminder kind is labelled as a reminder, an unknown code by itself."""
    codes = (
        Notification.objects.filter(user=user)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
    return [(code, channels_rule.kind_label(code)) for code in codes]
