"""Reads of the calendar feeds shared by the pages and the feed endpoint."""

from __future__ import annotations

from django.http import Http404

from coordination.calendars.models import CalendarFeed


def feed_by_token(token: str) -> CalendarFeed:
    """The feed whose secret is `token` (one query), else 404: an unknown or reset token, or
    the feed of a deactivated user, reveals nothing."""
    feed = (
        CalendarFeed.objects.select_related("user__profile", "project").filter(token=token).first()
    )
    if feed is None or (feed.user_id and not feed.user.is_active):
        raise Http404
    return feed
