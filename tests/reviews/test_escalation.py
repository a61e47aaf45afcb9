"""Overdue action items: owner first, both PMs after N days; weekly digest once per week."""

import datetime

import pytest

from coordination.reviews.models import ActionItem, Reminder
from coordination.reviews.reminders.create import (
    create_overdue_reminders,
    create_weekly_digests,
    iso_week,
)
from coordination.reviews.tasks import escalate_overdue_action_items, send_weekly_digests
from tests.reviews.factories import ActionItemFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 11, 20)


def kinds_for(user):
    return set(Reminder.objects.filter(recipient=user).values_list("kind", flat=True))


def test_not_yet_overdue_reminds_nobody():
    ActionItemFactory(due_date=DUE)
    assert create_overdue_reminders(today=DUE) == 0


def test_overdue_reminds_the_owner_then_escalates_to_both_pms(settings):
    settings.ACTION_ITEM_ESCALATION_DAYS = 3
    item = ActionItemFactory(due_date=DUE)
    project = item.project

    create_overdue_reminders(today=DUE + datetime.timedelta(days=1))
    assert kinds_for(item.owner) == {"overdue_owner"}
    assert not Reminder.objects.filter(kind="overdue_escalation").exists()

    create_overdue_reminders(today=DUE + datetime.timedelta(days=2))  # same stage: nothing new
    assert Reminder.objects.filter(recipient=item.owner).count() == 2  # email + in-app

    # DUE is a Friday: the weekend does not count, Monday and Tuesday are 2 working days
    create_overdue_reminders(today=DUE + datetime.timedelta(days=4))
    assert not Reminder.objects.filter(kind="overdue_escalation").exists()
    create_overdue_reminders(today=DUE + datetime.timedelta(days=5))  # Wednesday: 3
    for pm in (project.business_pm, project.engineering_pm):
        assert kinds_for(pm) == {"overdue_escalation"}
    count = Reminder.objects.count()
    create_overdue_reminders(today=DUE + datetime.timedelta(days=6))
    assert Reminder.objects.count() == count


def test_escalation_waits_out_national_day(settings):
    settings.ACTION_ITEM_ESCALATION_DAYS = 3
    item = ActionItemFactory(due_date=datetime.date(2026, 9, 30))
    create_overdue_reminders(today=datetime.date(2026, 10, 8))  # 国庆 1–7 October: 1 day
    assert not Reminder.objects.filter(kind="overdue_escalation").exists()
    create_overdue_reminders(today=datetime.date(2026, 10, 10))  # 8, 9, 10 (调休 Saturday)
    assert kinds_for(item.project.business_pm) == {"overdue_escalation"}


def test_done_items_are_not_escalated():
    ActionItemFactory(due_date=DUE, status=ActionItem.Status.DONE, done_at="2026-11-19T10:00:00Z")
    assert create_overdue_reminders(today=DUE + datetime.timedelta(days=10)) == 0


def test_escalation_task_run_twice_is_harmless():
    ActionItemFactory(due_date=datetime.date(2020, 1, 1))
    escalate_overdue_action_items.delay()
    count = Reminder.objects.count()
    assert count > 0
    escalate_overdue_action_items.delay()
    assert Reminder.objects.count() == count


def test_weekly_digest_once_per_manager_per_iso_week():
    item = ActionItemFactory(due_date=DUE)
    pm = item.project.business_pm
    monday = datetime.date(2026, 11, 23)
    create_weekly_digests(today=monday)
    create_weekly_digests(today=monday + datetime.timedelta(days=3))  # same ISO week
    digests = Reminder.objects.filter(kind="weekly_digest", recipient=pm)
    assert digests.count() == 2  # email + in-app
    assert set(digests.values_list("target_key", flat=True)) == {"week:2026-W48"}
    body = digests.first().body
    assert "1" in body  # one overdue item on their project
    assert item.title in body and item.project.code in body
    create_weekly_digests(today=monday + datetime.timedelta(days=7))
    assert Reminder.objects.filter(kind="weekly_digest", recipient=pm).count() == 4


def test_weekly_digest_task_twice():
    ActionItemFactory(due_date=DUE)
    send_weekly_digests.delay()
    count = Reminder.objects.count()
    send_weekly_digests.delay()
    assert Reminder.objects.count() == count


def test_iso_week_across_year_end():
    assert iso_week(datetime.date(2027, 1, 1)) == "2026-W53"
    assert iso_week(datetime.date(2026, 12, 28)) == "2026-W53"


def test_reminder_for_an_item_done_meanwhile_is_not_sent():
    from django.core import mail
    from django.utils import timezone

    from coordination.reviews.reminders.send import send_due_reminders

    item = ActionItemFactory(due_date=DUE)
    create_overdue_reminders(today=DUE + datetime.timedelta(days=1))
    ActionItem.objects.filter(pk=item.pk).update(status="done", done_at=timezone.now())
    result = send_due_reminders(now=timezone.now() + datetime.timedelta(seconds=1))
    assert result["sent"] == 0
    assert set(Reminder.objects.values_list("status", flat=True)) == {"failed"}
    assert Reminder.objects.first().last_error == "obsolete: action item done"
    assert not mail.outbox
