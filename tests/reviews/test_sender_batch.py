"""The batch sender (claim_batch + send_batch): stuck rows are reclaimed with the pending
ones, in due order; a failing in-app delivery rolls back only what must be retried; rows
reclaimed by another sender meanwhile are neither marked nor delivered in-app twice."""

import datetime

import pytest
from django.core import mail

from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from coordination.reviews.reminders import channels
from coordination.reviews.reminders.create import create_review_reminders
from coordination.reviews.reminders.send import claim_batch, send_batch, send_due_reminders
from tests.reviews.factories import CadenceFactory, ReviewFactory

NOW = datetime.datetime(2026, 11, 25, 0, 45, tzinfo=datetime.UTC)  # 08:45 Shanghai


def review_at(hour, minute):
    cadence = CadenceFactory(time_of_day=datetime.time(hour, minute))
    return ReviewFactory(cadence=cadence, date=datetime.date(2026, 11, 25))


@pytest.mark.django_db
def test_stuck_rows_are_claimed_with_pending_rows_in_due_order(settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 300
    early = review_at(9, 0)  # due 08:30 Shanghai
    create_review_reminders(now=NOW)
    stuck = claim_batch(now=NOW)  # the sender dies: 4 rows stay `sending`
    assert {r.review_id for r in stuck} == {early.pk}
    late = review_at(9, 10)  # due 08:40
    create_review_reminders(now=NOW)
    later = NOW + datetime.timedelta(minutes=6)
    first = claim_batch(now=later, limit=4)
    assert [r.review_id for r in first] == [early.pk] * 4  # the stuck ones: due first
    assert {r.attempts for r in first} == {2}
    second = claim_batch(now=later, limit=10)
    assert [r.review_id for r in second] == [late.pk] * 4
    assert claim_batch(now=later) == []


@pytest.mark.django_db
def test_failing_inapp_delivery_keeps_emails_marked_and_retries_inapp_row_by_row(monkeypatch):
    review = review_at(9, 0)
    broken = review.project.business_pm

    def inapp(reminder):
        if reminder.recipient_id == broken.pk:
            raise RuntimeError("inbox down")
        return channels.send_inapp(reminder)

    monkeypatch.setitem(channels.SENDERS, Reminder.Channel.INAPP, inapp)
    create_review_reminders(now=NOW)
    result = send_due_reminders(now=NOW)
    assert result == {"claimed": 4, "sent": 3, "failed": 1}
    assert len(mail.outbox) == 2  # each e-mail once
    assert Notification.objects.count() == 1  # the working inbox once, nothing from the rollback
    assert Reminder.objects.filter(status="sent").count() == 3
    failed = Reminder.objects.get(recipient=broken, channel="inapp")
    assert failed.status == "pending" and "inbox down" in failed.last_error
    assert failed.next_attempt_at is not None


@pytest.mark.django_db
def test_batch_reclaimed_meanwhile_is_not_marked_and_inbox_gets_one_message():
    review_at(9, 0)
    create_review_reminders(now=NOW)
    stale = claim_batch(now=NOW)
    fresh = claim_batch(now=NOW + datetime.timedelta(minutes=10))  # after the timeout
    assert {r.pk for r in stale} == {r.pk for r in fresh}
    send_batch(stale)  # e-mails go out (at least once), but the rows are no longer ours
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sending"}
    assert not Notification.objects.exists()
    assert send_batch(fresh) == 4
    assert Reminder.objects.filter(status="sent").count() == 4
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 4  # the documented at-least-once window for e-mail
