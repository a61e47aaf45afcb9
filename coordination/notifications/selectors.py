"""Reads of the notification centre: a user's own notifications, filtered."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.core.models import Notification


def inbox(user, *, unread: bool = False, kind: str | None = None) -> QuerySet[Notification]:
    """`user`'s notifications, newest first; only unread ones with `unread`; of one `kind`."""
    qs = Notification.objects.filter(user=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def kinds(user) -> list[str]:
    """The kinds of `user`'s notifications (the page's filter), in one query."""
    return list(
        Notification.objects.filter(user=user)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
