"""Private calendar feeds: one secret URL per user and per project, readable without logging
in, showing only what the owner may see; resetting the token kills the old URL."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordination.calendars import ical, services
from coordination.calendars.models import CalendarFeed
from coordination.core.models import AuditEvent
from coordination.reviews.models import Review, ReviewKind
from projects.tasks.models import Task
from tests import factories
from tests.reviews.factories import CadenceFactory, ReviewAttendanceFactory, ReviewFactory
from tests.tasks import factories as task_factories

pytestmark = pytest.mark.django_db

D = datetime.date


def fetch(feed_or_token, client=None):
    token = getattr(feed_or_token, "token", feed_or_token)
    return (client or Client()).get(f"/calendar/{token}.ics")


def events(body: bytes) -> list:
    cal = icalendar.Calendar.from_ical(body)
    return [c for c in cal.walk("VEVENT")]


def summaries(body: bytes) -> list[str]:
    return [str(e["summary"]) for e in events(body)]


def standup_dates(body: bytes, cadence) -> set[datetime.date]:
    tz = cadence.tz
    return {
        e.decoded("dtstart").astimezone(tz).date()
        for e in events(body)
        if str(e["uid"]).startswith(f"review-{cadence.pk}-")
    }


# ---------------------------------------------------------------- content
def test_project_feed_is_valid_icalendar_with_reviews_and_milestones():
    project = factories.ProjectFactory()
    today = timezone.localdate()
    factories.MilestoneFactory(
        project=project, name="设备到货", forecast_date=today + datetime.timedelta(days=20)
    )
    cadence = CadenceFactory(
        project=project, kind=ReviewKind.WEEKLY_MEETING, weekday=today.weekday()
    )
    ReviewFactory(cadence=cadence, date=today)
    feed = services.project_feed(project, by=project.business_pm)

    response = fetch(feed)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["version"]) == "2.0" and cal["prodid"]
    found = events(response.content)
    milestone = next(e for e in found if str(e["uid"]).startswith("milestone-"))
    assert "设备到货" in str(milestone["summary"])
    assert milestone.decoded("dtstart") == today + datetime.timedelta(days=20)  # all day
    assert milestone["dtstart"].params.get("VALUE") == "DATE"
    meeting = next(
        e for e in found if str(e["uid"]) == f"review-{cadence.pk}-{today:%Y%m%d}@coordination-hub"
    )
    start = meeting.decoded("dtstart")
    assert start.utcoffset() == datetime.timedelta(0)  # written in UTC
    assert start.astimezone(cadence.tz).time() == cadence.time_of_day
    assert meeting.decoded("dtend") - start == datetime.timedelta(minutes=cadence.duration_minutes)
    assert str(meeting["url"]).startswith("http://testserver/reviews/")


def test_uids_are_stable_and_a_generated_meeting_replaces_its_forecast():
    project = factories.ProjectFactory()
    cadence = CadenceFactory(project=project, kind=ReviewKind.DAILY_STANDUP)
    feed = services.project_feed(project, by=project.business_pm)
    first = {
        str(e["uid"]) for e in events(ical.build(feed, base_url="http://x/", today=D(2026, 9, 21)))
    }
    ReviewFactory(cadence=cadence, date=D(2026, 9, 22))  # the occurrence is generated
    second = events(ical.build(feed, base_url="http://x/", today=D(2026, 9, 21)))
    assert {str(e["uid"]) for e in second} == first  # same events, same UIDs
    uid = f"review-{cadence.pk}-20260922@coordination-hub"
    assert sum(str(e["uid"]) == uid for e in second) == 1


@pytest.mark.parametrize(
    "today, off, make_up",
    [
        (D(2025, 9, 20), (D(2025, 10, 1), D(2025, 10, 8)), [D(2025, 9, 28), D(2025, 10, 11)]),
        (D(2026, 2, 1), (D(2026, 2, 15), D(2026, 2, 23)), [D(2026, 2, 14), D(2026, 2, 28)]),
        (D(2026, 9, 15), (D(2026, 10, 1), D(2026, 10, 7)), [D(2026, 9, 20), D(2026, 10, 10)]),
    ],
)
def test_feed_standups_follow_the_working_calendar(today, off, make_up):
    project = factories.ProjectFactory()
    cadence = CadenceFactory(project=project, kind=ReviewKind.DAILY_STANDUP)
    feed = services.project_feed(project, by=project.business_pm)
    dates = standup_dates(ical.build(feed, base_url="http://x/", today=today), cadence)
    assert set(make_up) <= dates
    first, last = off
    assert not [d for d in dates if first <= d <= last]


def test_cancelled_meeting_is_sent_cancelled():
    project = factories.ProjectFactory()
    today = timezone.localdate()
    cadence = CadenceFactory(
        project=project, kind=ReviewKind.WEEKLY_MEETING, weekday=today.weekday()
    )
    ReviewFactory(cadence=cadence, date=today, status=Review.Status.CANCELLED)
    body = fetch(services.project_feed(project, by=project.business_pm)).content
    (meeting,) = [
        e for e in events(body) if str(e["uid"]).endswith(f"{today:%Y%m%d}@coordination-hub")
    ]
    assert str(meeting["status"]) == "CANCELLED"


def test_user_feed_shows_own_meetings_and_own_projects_milestones_only():
    project = factories.ProjectFactory()
    other = factories.ProjectFactory()
    pm = project.business_pm
    today = timezone.localdate()
    mine = CadenceFactory(
        project=project, kind=ReviewKind.WEEKLY_MEETING, weekday=today.weekday(), title="我的周会"
    )
    CadenceFactory(
        project=other, kind=ReviewKind.WEEKLY_MEETING, weekday=today.weekday(), title="别人的周会"
    )
    ReviewAttendanceFactory(review=ReviewFactory(cadence=mine, date=today), user=pm)
    factories.MilestoneFactory(project=project, name="我的里程碑", forecast_date=today)
    factories.MilestoneFactory(project=other, name="别人的里程碑", forecast_date=today)
    body = fetch(services.user_feed(pm)).content
    text = " ".join(summaries(body))
    assert "我的周会" in text and "我的里程碑" in text
    assert "别人的周会" not in text and "别人的里程碑" not in text


def test_user_removed_from_a_project_no_longer_sees_it():
    project = factories.ProjectFactory()
    member = factories.MembershipFactory(project=project).user
    factories.MilestoneFactory(project=project, name="验收", forecast_date=timezone.localdate())
    feed = services.user_feed(member)
    assert any("验收" in s for s in summaries(fetch(feed).content))
    project.memberships.filter(user=member).delete()
    assert not any("验收" in s for s in summaries(fetch(feed).content))


def test_feed_of_a_deactivated_user_is_404():
    user = factories.business_user()
    feed = services.user_feed(user)
    user.is_active = False
    user.save()
    assert fetch(feed).status_code == 404


def test_feed_in_the_owners_language():
    project = factories.ProjectFactory()
    pm = project.business_pm
    pm.profile.language = "en"
    pm.profile.save()
    factories.MembershipFactory(project=project, user=pm, role="business_pm")
    factories.MilestoneFactory(project=project, name="FAT", forecast_date=timezone.localdate())
    body = fetch(services.user_feed(pm)).content
    assert any(s.endswith("Milestone: FAT") for s in summaries(body))


# ---------------------------------------------------------------- tokens
def test_unknown_token_is_404_and_tokens_are_unguessable():
    assert fetch("not-a-token").status_code == 404
    a = services.user_feed(factories.business_user())
    b = services.user_feed(factories.business_user())
    assert a.token != b.token and len(a.token) >= 40


def test_reset_invalidates_the_old_url_and_is_audited():
    user = factories.business_user()
    old = services.user_feed(user).token
    client = Client()
    client.force_login(user)
    page = client.get("/calendar/feed/").content.decode()
    assert f"/calendar/{old}.ics" in page
    response = client.post("/calendar/feed/reset/")
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=user).token
    assert new != old
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    event = AuditEvent.objects.get(action="calendar_feed.reset")
    assert event.actor == user and old not in str(event.after) and new not in str(event.after)


def test_project_feed_page_for_members_reset_for_pms_and_pmo():
    project = factories.ProjectFactory()
    member = factories.MembershipFactory(project=project).user
    outsider = factories.business_user()
    pmo = factories.pmo_user()
    url = f"/projects/{project.code}/calendar/"

    def as_(user):
        c = Client()
        c.force_login(user)
        return c

    assert as_(outsider).get(url).status_code == 404
    member_page = as_(member).get(url)
    assert member_page.status_code == 200
    token = CalendarFeed.objects.get(project=project).token
    assert f"/calendar/{token}.ics" in member_page.content.decode()
    assert f"{url}reset/" not in member_page.content.decode()  # no button for a member
    assert as_(member).post(f"{url}reset/").status_code == 403
    assert as_(outsider).post(f"{url}reset/").status_code == 404
    assert CalendarFeed.objects.get(project=project).token == token  # refused: unchanged
    assert f"{url}reset/" in as_(project.engineering_pm).get(url).content.decode()
    assert as_(pmo).post(f"{url}reset/").status_code == 302
    assert fetch(token).status_code == 404
    reset = AuditEvent.objects.get(action="calendar_feed.reset")
    assert reset.project_code == project.code and reset.actor == pmo


def test_a_non_members_feed_never_shows_others_projects():
    project = factories.ProjectFactory()
    factories.MilestoneFactory(
        project=project, name="保密里程碑", forecast_date=timezone.localdate()
    )
    cadence = CadenceFactory(project=project, kind=ReviewKind.DAILY_STANDUP, title="保密站会")
    outsider = factories.business_user()
    cadence.participants.add(outsider)  # even as a listed participant, not on the project
    body = fetch(services.user_feed(outsider)).content
    assert not any("保密" in s for s in summaries(body))


def test_profile_and_project_page_link_to_the_feeds():
    project = factories.ProjectFactory()
    c = Client()
    c.force_login(project.business_pm)
    assert "/calendar/feed/" in c.get("/profile/").content.decode()
    assert (
        f"/projects/{project.code}/calendar/"
        in c.get(f"/projects/{project.code}/").content.decode()
    )


def test_feeds_show_open_tasks_due_in_the_window_the_users_own_only():
    project = factories.ProjectFactory()
    pm, other = project.business_pm, project.engineering_pm
    start = timezone.localdate() + datetime.timedelta(days=3)
    mine = task_factories.task(project, title="图纸会审", owner=pm, planned_start=start)
    theirs = task_factories.task(project, title="设备选型", owner=other, planned_start=start)
    done = task_factories.task(project, title="已完成的任务", owner=pm, planned_start=start)
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE)

    mine_feed = events(fetch(services.user_feed(pm)).content)
    tasks = {str(e["uid"]): e for e in mine_feed if str(e["uid"]).startswith("task-")}
    assert set(tasks) == {f"task-{mine.pk}@coordination-hub"}
    event = tasks[f"task-{mine.pk}@coordination-hub"]
    assert "图纸会审" in str(event["summary"])
    assert event.decoded("dtstart") == (mine.forecast_finish or mine.planned_finish)
    assert event["dtstart"].params.get("VALUE") == "DATE"

    project_feed = summaries(fetch(services.project_feed(project, by=pm)).content)
    assert any("图纸会审" in s for s in project_feed)
    assert any("设备选型" in s for s in project_feed)
    assert not any("已完成的任务" in s for s in project_feed)
    assert theirs.pk


# ---------------------------------------------------------------- queries
def _grow(project, pm, n):
    today = timezone.localdate()
    for i in range(n):
        cadence = CadenceFactory(project=project, kind=ReviewKind.DAILY_STANDUP, title=f"站会{i}")
        cadence.participants.add(pm)
        for k in range(3):
            review = ReviewFactory(cadence=cadence, date=today - datetime.timedelta(days=k + 1))
            ReviewAttendanceFactory(review=review, user=pm)
        factories.MilestoneFactory(
            project=project, forecast_date=today + datetime.timedelta(days=i)
        )
        task_factories.task(
            project, title=f"任务{i}", owner=pm, planned_start=today + datetime.timedelta(days=i)
        )


@pytest.mark.parametrize("kind", ["user", "project"])
def test_a_feed_costs_the_same_queries_whatever_its_size(kind):
    project = factories.ProjectFactory()
    pm = project.business_pm
    feed = services.user_feed(pm) if kind == "user" else services.project_feed(project, by=pm)
    counts, sizes = [], []
    for n in (1, 8):
        _grow(project, pm, n)
        with CaptureQueriesContext(connection) as ctx:
            body = fetch(feed).content
        counts.append(len(ctx))
        sizes.append(len(events(body)))
    assert sizes[1] > sizes[0] * 4
    assert counts[0] == counts[1], counts


def test_a_feed_is_gzipped_for_a_client_that_accepts_it_and_reads_the_same():
    import gzip

    project = factories.ProjectFactory()
    for n in range(5):
        factories.MilestoneFactory(
            project=project,
            name=f"设备到货 {n}",
            forecast_date=timezone.localdate() + datetime.timedelta(days=n + 1),
        )
    feed = services.project_feed(project, by=project.business_pm)
    plain = fetch(feed)
    zipped = Client().get(f"/calendar/{feed.token}.ics", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    assert zipped["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Accept-Encoding" in zipped["Vary"]
    assert summaries(gzip.decompress(zipped.content)) == summaries(plain.content)
    assert len(summaries(plain.content)) == 5
