"""The iCalendar document of one feed (RFC 5545, library `icalendar`), from the sources of
coordination.calendars.sources. Times are written in UTC, all-day events as dates."""

from __future__ import annotations

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.calendars.models import CalendarFeed
from coordination.calendars.sources import SOURCES, Scope
from coordination.core import workdays

# The window of a feed: the recent past (what was held) and the months ahead.
PAST_DAYS = 30
AHEAD_DAYS = 90


def scope_of(feed: CalendarFeed, *, today: datetime.date | None = None) -> Scope:
    today = today or timezone.localdate()
    return Scope(
        start=today - datetime.timedelta(days=PAST_DAYS),
        end=today + datetime.timedelta(days=AHEAD_DAYS),
        today=today,
        workcal=workdays.calendar(),  # one calendar for every day of the feed: one query
        user=feed.user,
        project=feed.project,
    )


def feed_language(feed: CalendarFeed) -> str:
    if feed.user_id:
        profile = getattr(feed.user, "profile", None)
        if profile is not None and profile.language:
            return profile.language
    return settings.LANGUAGE_CODE


def feed_name(feed: CalendarFeed) -> str:
    if feed.project_id:
        return _("协同中心 · %(code)s %(name)s") % {
            "code": feed.project.code,
            "name": feed.project.name,
        }
    return _("协同中心 · %(user)s 的日程") % {"user": feed.user.get_username()}


def build(feed: CalendarFeed, *, base_url: str, today: datetime.date | None = None) -> bytes:
    """The feed as iCalendar bytes, in the owner's language. `base_url` makes the events'
    links absolute (calendar clients open them outside the site)."""
    with translation.override(feed_language(feed)):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Coordination Hub//calendar feed//ZH")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", feed_name(feed))
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
        scope = scope_of(feed, today=today)
        for source in SOURCES:
            for event in source(scope):
                cal.add_component(_vevent(event, stamp=stamp, base_url=base_url))
        return cal.to_ical()


def _as_utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC)
    return value  # a date: all day


def _vevent(event, *, stamp: datetime.datetime, base_url: str) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", event.summary)
    vevent.add("dtstart", _as_utc(event.start))
    vevent.add("dtend", _as_utc(event.end))
    if isinstance(event.start, datetime.datetime):
        vevent.add("transp", "OPAQUE")
    else:
        vevent.add("transp", "TRANSPARENT")
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", base_url.rstrip("/") + event.url)
    if event.categories:
        vevent.add("categories", event.categories)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return vevent
