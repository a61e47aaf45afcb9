"""Writes of the calendar feeds: issuing and resetting the secret tokens (audited). The HTML
pages and the admin call these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.calendars.models import CalendarFeed, new_token
from coordination.calendars.permissions import can_reset_project_feed, can_see_project_feed
from coordination.core.services import record_audit
from projects.core.models import Project


def _issue(*, by, **owner) -> CalendarFeed:
    """The owner's feed, created on first use. A concurrent first use loses its insert to
    the unique owner and reads the winner's row."""
    feed = CalendarFeed.objects.filter(**owner).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(**owner)
            record_audit(actor=by, action="calendar_feed.created", target=feed)
    except IntegrityError:
        feed = CalendarFeed.objects.get(**owner)
    return feed


def user_feed(user) -> CalendarFeed:
    """The user's own feed (their reviews, the milestones of their projects)."""
    return _issue(by=user, user=user)


def project_feed(project: Project, *, by) -> CalendarFeed:
    """The project's feed, for whoever may see the project."""
    if not can_see_project_feed(by, project):
        raise PermissionDenied(_("你无权查看该项目的日历订阅。"))
    return _issue(by=by, project=project)


@transaction.atomic
def _reset(feed: CalendarFeed, *, by) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.token = new_token()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "reset_at"])
    # The token itself never goes into the trail: it is a secret.
    record_audit(
        actor=by,
        action="calendar_feed.reset",
        target=feed,
        after={"reset_at": feed.reset_at.isoformat()},
        project_code=feed.project.code if feed.project_id else "",
    )
    return feed


def reset_user_feed(user) -> CalendarFeed:
    """A new secret address for the user's own feed; the old URL answers 404 from now on."""
    return _reset(user_feed(user), by=user)


def reset_project_feed(project: Project, *, by) -> CalendarFeed:
    """A new secret address for the project's feed (its PMs and PMO); the old URL is 404."""
    if not can_reset_project_feed(by, project):
        raise PermissionDenied(_("只有项目经理和PMO可以重置项目的日历订阅地址。"))
    return _reset(project_feed(project, by=by), by=by)


def reset_feed_admin(feed: CalendarFeed, *, by) -> CalendarFeed:
    """PMO's reset from the admin (a leaked URL)."""
    return _reset(feed, by=by)
