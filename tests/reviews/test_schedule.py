"""The beat schedule: one place, every task, visible in the admin, synced idempotently."""

import pytest
from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from coordination.beat import sync_beat_schedule
from coordination.schedules import BEAT_SCHEDULE

EXPECTED_TASKS = {
    "coordination.generate_review_occurrences",
    "coordination.create_review_reminders",
    "coordination.send_due_reminders",
    "coordination.escalate_overdue_action_items",
    "coordination.send_weekly_digests",
    "coordination.send_daily_digests",
    "kpi.tasks.close_period",
    "handover.remind_overdue",
    "coordination.sweep_webhook_deliveries",
    "coordination.purge_idempotency_records",
    "coordination.sweep_work_notices",
    "kpi.escalate_overdue_complaints",
    "warning.retrain",
    "warning.score_open_projects",
    "coordination.start_due_rotations",
    "coordination.remind_rotation_check_ins",
}


def test_settings_use_the_one_schedule():
    assert settings.CELERY_BEAT_SCHEDULE is BEAT_SCHEDULE
    assert {e["task"] for e in BEAT_SCHEDULE.values()} == EXPECTED_TASKS
    kinds = {
        e.get("kwargs", {}).get("kind")
        for e in BEAT_SCHEDULE.values()
        if e["task"] == "coordination.generate_review_occurrences"
    }
    assert kinds == {"daily_standup", "weekly_meeting", "monthly_retrospective"}


def test_coordination_tasks_are_registered():
    import coordination.chat.tasks  # noqa: F401
    import coordination.integration.tasks  # noqa: F401
    import coordination.notifications.tasks  # noqa: F401
    import coordination.reviews.tasks  # noqa: F401
    import coordination.rotations.tasks  # noqa: F401
    import handover.tasks  # noqa: F401
    import kpi.complaints.tasks  # noqa: F401
    import projects.warning.tasks  # noqa: F401

    for name in EXPECTED_TASKS - {"kpi.tasks.close_period"}:
        assert name in current_app.tasks


def test_close_period_monthly_on_the_first_at_one():
    schedule = BEAT_SCHEDULE["kpi.close_period"]["schedule"]
    assert schedule.day_of_month == {1}
    assert schedule.hour == {1}
    assert schedule.minute == {0}
    assert BEAT_SCHEDULE["reviews.send_due_reminders"]["schedule"].minute == set(range(60))


@pytest.mark.django_db
def test_sync_creates_every_entry_once_and_is_idempotent():
    sync_beat_schedule()
    call_command("sync_beat_schedule")
    sync_beat_schedule()
    rows = PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE)
    assert rows.count() == len(BEAT_SCHEDULE)
    assert {r.task for r in rows} == EXPECTED_TASKS
    close = rows.get(name="kpi.close_period")
    assert (close.crontab.minute, close.crontab.hour, close.crontab.day_of_month) == ("0", "1", "1")
    assert str(close.crontab.timezone) == "Asia/Shanghai"
    daily = rows.get(name="reviews.generate_daily_standups")
    assert '"daily_standup"' in daily.kwargs


@pytest.mark.django_db
def test_sync_updates_a_changed_entry_in_place():
    sync_beat_schedule()
    PeriodicTask.objects.filter(name="reviews.weekly_digest").update(task="wrong")
    sync_beat_schedule()
    assert PeriodicTask.objects.get(name="reviews.weekly_digest").task == (
        "coordination.send_weekly_digests"
    )
