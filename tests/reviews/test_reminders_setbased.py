"""Set-based reminder creation (one INSERT … SELECT) makes exactly the rows a per-row
Python path makes: same recipients and channels, same texts in each recipient's
language, start time in the cadence's local time, same due times, keys and URLs.

`expected_review_rows` below is the per-row path, kept here as the oracle."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.reviews.models import ActionItem, Reminder, Review, ReviewKind
from coordination.reviews.reminders.create import create_overdue_reminders, create_review_reminders
from coordination.reviews.reminders.rules import lead_time
from tests.factories import ProjectFactory, UserFactory, pmo_user
from tests.reviews.factories import ActionItemFactory, CadenceFactory, ReviewFactory

NOW = datetime.datetime(2026, 11, 25, 0, 45, tzinfo=datetime.UTC)
COLUMNS = [
    "target_key",
    "review_id",
    "action_item_id",
    "recipient_id",
    "channel",
    "kind",
    "subject",
    "body",
    "url",
    "status",
    "due_at",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "attempts",
    "last_error",
]


# --- the per-row path (oracle) ----------------------------------------------------------------


def old_channels_for(user) -> list[str]:
    profile = getattr(user, "profile", None)
    chosen = []
    if profile is None or (profile.notify_email and user.email):
        if user.email:
            chosen.append("email")
    if profile is not None and profile.notify_chat and profile.chat_webhook_url:
        chosen.append("chat")
    if profile is None or profile.notify_inapp or not chosen:
        chosen.append("inapp")
    return chosen


def old_language(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.language if profile else "") or settings.LANGUAGE_CODE


def expected_review_rows(now) -> set[tuple]:
    reviews = Review.objects.filter(
        status=Review.Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + lead_time(),
        cadence__is_active=True,
    ).select_related("cadence", "project")
    rows = set()
    for review in reviews:
        for user in review.cadence.participants.all():
            if not user.is_active:
                continue
            with translation.override(old_language(user)):
                local = timezone.localtime(review.starts_at, review.cadence.tz)
                subject = _("%(kind)s将于 %(time)s 开始：%(where)s") % {
                    "kind": review.display_title,
                    "time": local.strftime("%H:%M"),
                    "where": review.project.name if review.project_id else _("全公司"),
                }
                body = _("日期：%(date)s") % {"date": review.date.isoformat()}
            for channel in old_channels_for(user):
                rows.add(
                    (
                        f"review:{review.pk}",
                        review.pk,
                        None,
                        user.pk,
                        channel,
                        "review_upcoming",
                        str(subject)[:255],
                        str(body),
                        f"/reviews/{review.pk}/",
                        "pending",
                        review.starts_at - lead_time(),
                        None,
                        None,
                        None,
                        0,
                        "",
                    )
                )
    return rows


def actual_rows(**filters) -> set[tuple]:
    return set(Reminder.objects.filter(**filters).values_list(*COLUMNS))


# --- a representative data set ------------------------------------------------------------------


def user(language="zh-hans", *, email=True, notify_email=True, chat=False, inapp=True, **kw):
    u = UserFactory(**({} if email else {"email": ""}), **kw)
    u.profile.language = language
    u.profile.notify_email = notify_email
    u.profile.notify_chat = chat
    u.profile.chat_webhook_url = (
        "https://oapi.dingtalk.com/robot/send?access_token=x" if chat else ""
    )
    u.profile.notify_inapp = inapp
    u.profile.save()
    return u


def people() -> list:
    no_profile = UserFactory()
    no_profile.profile.delete()
    inactive = user("en", is_active=False)
    return [
        user("zh-hans"),  # e-mail + in-app
        user("en"),  # e-mail + in-app, English
        user(""),  # no language: the default
        user("fr"),  # a language without a catalogue: Django's fallback, as before
        user("en", notify_email=False, chat=True),  # chat + in-app
        user("en", chat=True, inapp=False),  # e-mail + chat
        user("zh-hans", email=False),  # no address: in-app
        user("en", notify_email=False, inapp=False),  # nothing chosen: in-app anyway
        user("en", chat=True, inapp=False, email=False),  # chat only
        no_profile,  # e-mail + in-app, default language
        inactive,  # none
    ]


def review_at(local_time, tz, *, kind=ReviewKind.DAILY_STANDUP, project=True, status=None, **kw):
    """A review of a new cadence in `tz` starting at local_time on the cadence's day."""
    everyone = kw.pop("participants")
    cadence = CadenceFactory(
        kind=kind,
        time_of_day=local_time,
        timezone=tz,
        weekday=2 if kind == ReviewKind.WEEKLY_MEETING else None,
        project=ProjectFactory(**kw) if project else None,
        participants=everyone,
    )
    tzinfo = cadence.tz
    day = NOW.astimezone(tzinfo).date()
    review = ReviewFactory(cadence=cadence, date=day)
    if status:
        Review.objects.filter(pk=review.pk).update(status=status)
    return review


@pytest.mark.django_db
def test_same_rows_as_the_per_row_path():
    everyone = people()
    # NOW is 00:45 UTC: 08:45 Shanghai, 00:45 London, 19:45 (day before) New York
    reviews = [
        review_at(datetime.time(9, 0), "Asia/Shanghai", participants=everyone),
        review_at(
            datetime.time(9, 10),
            "Asia/Shanghai",
            kind=ReviewKind.WEEKLY_MEETING,
            project=False,  # company-wide
            participants=everyone,
        ),
        review_at(datetime.time(1, 5), "Europe/London", participants=everyone[:5]),
        review_at(datetime.time(20, 0), "America/New_York", participants=everyone[1:6]),
        # an unknown zone falls back to settings.TIME_ZONE (Shanghai): 09:00
        review_at(datetime.time(9, 0), "Mars/Olympus", participants=everyone[3:]),
        # a project name with format characters and a long one
        review_at(
            datetime.time(9, 0),
            "Asia/Shanghai",
            name="100% done %s %1$s %(where)s {0}",
            participants=everyone[:3],
        ),
        review_at(datetime.time(9, 0), "Asia/Shanghai", name="名" * 200, participants=everyone),
        # not reminded: outside the lead time, cancelled, inactive cadence
        review_at(datetime.time(10, 0), "Asia/Shanghai", participants=everyone),
        review_at(datetime.time(9, 0), "Asia/Shanghai", status="cancelled", participants=everyone),
    ]
    inactive_cadence = review_at(datetime.time(9, 0), "Asia/Shanghai", participants=everyone)
    inactive_cadence.cadence.is_active = False
    inactive_cadence.cadence.save()

    expected = expected_review_rows(NOW)
    assert create_review_reminders(now=NOW) == len(expected)
    assert actual_rows() == expected
    # the data set covers what it should
    assert {row[4] for row in expected} == {"email", "chat", "inapp"}
    assert any("starts at" in row[6] for row in expected)  # English
    assert any("将于" in row[6] for row in expected)  # Chinese
    assert any(row[6].endswith("Company-wide") for row in expected)
    assert any("%1$s" in row[6] for row in expected)
    assert {row[1] for row in expected} == {r.pk for r in reviews[:7]}
    # a repeat adds nothing and changes nothing
    assert create_review_reminders(now=NOW + datetime.timedelta(minutes=5)) == 0
    assert actual_rows() == expected


@pytest.mark.django_db
def test_rows_already_there_are_kept_and_not_counted():
    everyone = people()
    review = review_at(datetime.time(9, 0), "Asia/Shanghai", participants=everyone)
    expected = expected_review_rows(NOW)
    first = create_review_reminders(now=NOW)
    Reminder.objects.filter(recipient=everyone[0], channel="email").update(subject="kept")
    Reminder.objects.filter(recipient=everyone[1]).delete()
    again = create_review_reminders(now=NOW)
    assert first == len(expected) and again == 2  # everyone[1]'s e-mail + in-app
    kept = Reminder.objects.get(review=review, recipient=everyone[0], channel="email")
    assert kept.subject == "kept"
    assert len(actual_rows()) == len(expected)
    assert actual_rows(recipient=everyone[1]) == {r for r in expected if r[3] == everyone[1].pk}


@pytest.mark.django_db
def test_overdue_reminders_use_the_same_channel_rule():
    everyone = people()
    for owner in everyone:
        ActionItemFactory(owner=owner, due_date=datetime.date(2026, 11, 20))
    create_overdue_reminders(today=datetime.date(2026, 11, 21))
    got = {}
    for recipient, channel in Reminder.objects.values_list("recipient", "channel"):
        got.setdefault(recipient, set()).add(channel)
    expected = {}
    for owner in everyone:
        owner.refresh_from_db()
        if owner.is_active:
            expected[owner.pk] = set(old_channels_for(owner))
    assert got == expected
    assert Reminder.objects.filter(action_item__isnull=True).count() == 0
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"overdue_owner"}
    item = ActionItem.objects.get(owner=everyone[0])
    assert set(Reminder.objects.filter(action_item=item).values_list("subject", flat=True)) == {
        f"待办事项已逾期 1 天：{item.title}"
    }


@pytest.mark.django_db
def test_the_portable_path_makes_the_same_rows(monkeypatch):
    """coordination.reviews.reminders.portable (SQLite, make run) follows the same rules: on the
    same data it makes exactly the rows the set-based statements make."""
    from coordination.reviews.reminders import create as reminders
    from coordination.reviews.reminders import portable as reminders_portable

    everyone = people()
    review_at(datetime.time(9, 0), "Asia/Shanghai", participants=everyone)
    review_at(datetime.time(20, 0), "America/New_York", participants=everyone[1:6])
    review_at(datetime.time(9, 10), "Asia/Shanghai", project=False, participants=everyone)
    for owner in everyone:
        ActionItemFactory(owner=owner, due_date=datetime.date(2026, 11, 20))
    today = datetime.date(2026, 11, 21)

    def make() -> set[tuple]:
        Reminder.objects.all().delete()
        reminders.create_review_reminders(now=NOW)
        reminders.create_overdue_reminders(today=today)
        return actual_rows()

    set_based = make()
    monkeypatch.setattr(reminders_portable, "in_use", lambda: reminders_portable)  # as on SQLite
    portable = make()
    due = COLUMNS.index("due_at")
    for rows in (set_based, portable):  # overdue rows are due when they are made
        assert all(row[due] is not None for row in rows)

    def timeless(rows):
        return {row[:due] + row[due + 1 :] for row in rows}

    assert set_based and timeless(portable) == timeless(set_based)


@pytest.mark.django_db
def test_a_cadence_title_names_the_review_in_its_reminders_and_pages(client):
    """A cadence PMO or the PMs named (周二质量例会) is called so in the reminder, in both
    languages, and on the review's page and list; without a title the kind's label stands."""
    zh, en = user("zh-hans"), user("en")
    titled = CadenceFactory(title="周二质量例会", kind=ReviewKind.WEEKLY_MEETING)
    plain = CadenceFactory(kind=ReviewKind.WEEKLY_MEETING)
    for cadence in (titled, plain):
        cadence.participants.set([zh, en])
    start = NOW + datetime.timedelta(minutes=10)
    named = ReviewFactory(cadence=titled, starts_at=start, date=start.date())
    unnamed = ReviewFactory(cadence=plain, starts_at=start, date=start.date())
    create_review_reminders(NOW)
    assert actual_rows() == expected_review_rows(NOW)
    subjects = dict(
        Reminder.objects.filter(channel="inapp", recipient=en).values_list("review_id", "subject")
    )
    assert subjects[named.pk].startswith("周二质量例会")
    with translation.override("en"):
        label = str(ReviewKind.WEEKLY_MEETING.label)
    assert subjects[unnamed.pk].startswith(label)
    client.force_login(pmo_user())
    page = client.get(f"/reviews/{named.pk}/").content.decode()
    assert "<h1" in page and "周二质量例会 · " in page
    assert "周二质量例会" in client.get(f"/reviews/project/{titled.project.code}/").content.decode()
