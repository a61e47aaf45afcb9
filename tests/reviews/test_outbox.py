"""The reminder outbox: due rows once, claims with SKIP LOCKED, crash recovery, backoff."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.db import connection

from coordination.core.models import Notification
from coordination.reviews.models import Reminder, Review
from coordination.reviews.reminders import channels
from coordination.reviews.reminders import send as reminders
from coordination.reviews.reminders.create import create_review_reminders
from coordination.reviews.reminders.send import claim_batch, send_due_reminders
from coordination.reviews.tasks import create_review_reminders as create_task
from coordination.reviews.tasks import send_due_reminders as send_task
from tests.reviews.factories import CadenceFactory, ReviewFactory

NOW = datetime.datetime(2026, 11, 25, 0, 45, tzinfo=datetime.UTC)  # 08:45 Shanghai


def upcoming_review():
    """A stand-up at 09:00 Shanghai (01:00 UTC), 15 minutes after NOW."""
    cadence = CadenceFactory()
    return ReviewFactory(cadence=cadence, date=datetime.date(2026, 11, 25))


@pytest.mark.django_db
def test_review_reminders_created_once_per_participant_and_channel():
    review = upcoming_review()
    first = create_review_reminders(now=NOW)
    second = create_review_reminders(now=NOW + datetime.timedelta(minutes=5))
    # two PMs × (email + in-app: the profile defaults)
    assert first == 4 and second == 0
    rows = Reminder.objects.filter(review=review)
    assert rows.count() == 4
    assert set(rows.values_list("channel", flat=True)) == {"email", "inapp"}
    assert {r.recipient for r in rows} == set(review.cadence.participants.all())


@pytest.mark.django_db
def test_no_reminder_outside_the_lead_time_or_for_cancelled_reviews():
    review = upcoming_review()
    assert create_review_reminders(now=NOW - datetime.timedelta(hours=2)) == 0
    assert create_review_reminders(now=NOW + datetime.timedelta(hours=1)) == 0  # started
    Review.objects.filter(pk=review.pk).update(status=Review.Status.CANCELLED)
    assert create_review_reminders(now=NOW) == 0


@pytest.mark.django_db
def test_profile_channels_are_respected():
    review = upcoming_review()
    pm = review.project.business_pm
    pm.profile.notify_email = False
    pm.profile.notify_chat = True
    pm.profile.chat_webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    pm.profile.save()
    create_review_reminders(now=NOW)
    assert set(Reminder.objects.filter(recipient=pm).values_list("channel", flat=True)) == {
        "chat",
        "inapp",
    }


@pytest.mark.django_db
def test_send_marks_sent_and_delivers_once():
    review = upcoming_review()
    create_task.delay()  # real clock: the review is in the past, nothing is due
    create_review_reminders(now=NOW)
    result = send_due_reminders(now=NOW)
    assert result == {"claimed": 4, "sent": 4, "failed": 0}
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 4
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="reminder.review_upcoming").count() == 2
    # a second tick has nothing to do
    assert send_task.delay().get()["claimed"] == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2
    assert review.reminders.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_crash_between_claim_and_send_is_reclaimed_and_sent_once(settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 300
    upcoming_review()
    create_review_reminders(now=NOW)
    claimed = claim_batch(now=NOW)  # the sender dies here: rows stay "sending"
    assert len(claimed) == 4
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sending"}
    # before the timeout nobody else takes them
    assert send_due_reminders(now=NOW + datetime.timedelta(minutes=1))["claimed"] == 0
    # after the timeout a sender reclaims and sends each exactly once
    later = NOW + datetime.timedelta(minutes=6)
    assert send_due_reminders(now=later) == {"claimed": 4, "sent": 4, "failed": 0}
    assert Reminder.objects.filter(status="sent").count() == 4
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {2}
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2
    assert Reminder.objects.count() == 4  # no duplicate rows


@pytest.mark.django_db
def test_slow_sender_reclaimed_meanwhile_does_not_record_twice():
    upcoming_review()
    create_review_reminders(now=NOW)
    stale = [r for r in claim_batch(now=NOW) if r.channel == "inapp"][0]
    fresh = [r for r in claim_batch(now=NOW + datetime.timedelta(minutes=10)) if r.pk == stale.pk][
        0
    ]
    assert reminders.send_one(fresh) is True
    assert reminders.send_one(stale) is False  # in-app: the row is no longer ours
    assert Notification.objects.filter(user=stale.recipient).count() == 1


@pytest.mark.django_db
def test_failing_channel_is_retried_with_backoff_then_failed(monkeypatch, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    review = upcoming_review()
    pm = review.project.business_pm
    pm.profile.notify_inapp = False
    pm.profile.notify_email = False
    pm.profile.notify_chat = True
    pm.profile.chat_webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    pm.profile.save()
    calls = []

    def refuse(url, payload, timeout):
        calls.append(url)
        raise channels.requests.ConnectionError("down")

    monkeypatch.setattr(channels, "http_post", refuse)
    monkeypatch.setattr(channels, "check_public_url", lambda url: None)
    create_review_reminders(now=NOW)
    row = Reminder.objects.get(recipient=pm, channel="chat")

    send_due_reminders(now=NOW)
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and "down" in row.last_error
    assert row.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    # not retried before its time
    send_due_reminders(now=NOW + datetime.timedelta(seconds=10))
    row.refresh_from_db()
    assert row.attempts == 1

    far = NOW + datetime.timedelta(hours=2)
    send_due_reminders(now=far)
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == far + datetime.timedelta(minutes=2)  # backoff doubles
    send_due_reminders(now=far + datetime.timedelta(hours=2))
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 3
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_send_each_row_once(monkeypatch):
    assert connection.vendor == "postgresql"
    for _ in range(4):
        upcoming_review()
    create_review_reminders(now=NOW)
    total = Reminder.objects.count()
    assert total == 16
    sent: list[int] = []
    lock = threading.Lock()

    def slow_deliver(reminder):
        time.sleep(0.02)  # hold the batch long enough for the other sender to try
        with lock:
            sent.append(reminder.pk)

    monkeypatch.setattr(channels, "deliver", slow_deliver)
    results = []
    barrier = threading.Barrier(2)

    def sender():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(send_due_reminders(now=NOW, limit=3))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == sorted(set(sent))
    assert len(sent) == total
    assert sum(r["sent"] for r in results) == total
    assert Reminder.objects.filter(status="sent").count() == total
    assert all(r["claimed"] > 0 for r in results) or sum(r["claimed"] for r in results) == total


@pytest.mark.django_db(transaction=True)
def test_skip_locked_claim_skips_rows_locked_by_another_sender():
    """While one sender's claim transaction holds rows, the other claims only the rest."""
    upcoming_review()
    create_review_reminders(now=NOW)
    held = threading.Event()
    release = threading.Event()
    holder_ids: list[int] = []

    def holder():
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            with transaction.atomic():
                rows = list(
                    Reminder.objects.select_for_update(skip_locked=True)
                    .order_by("id")
                    .values_list("pk", flat=True)[:2]
                )
                holder_ids.extend(rows)
                held.set()
                release.wait(5)
        finally:
            thread_connection.close()

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    try:
        claimed = claim_batch(now=NOW)
    finally:
        release.set()
        t.join()
    assert len(claimed) == 2
    assert not {r.pk for r in claimed} & set(holder_ids)


@pytest.mark.django_db
def test_reminder_of_a_cancelled_review_is_not_sent():
    review = upcoming_review()
    create_review_reminders(now=NOW)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.CANCELLED)
    assert send_due_reminders(now=NOW)["sent"] == 0
    assert not mail.outbox and not Notification.objects.exists()
    assert set(Reminder.objects.values_list("last_error", flat=True)) == {
        "obsolete: review cancelled"
    }
