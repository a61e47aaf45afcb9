"""THE beat schedule: every periodic task of the project, in one place.

settings.CELERY_BEAT_SCHEDULE is this dict. Because beat runs django_celery_beat's
DatabaseScheduler, `sync_beat_schedule()` (run after every `migrate` and by
`manage.py sync_beat_schedule`) writes the same entries as PeriodicTask rows, so PMO sees
and can pause them in the admin. Entries are keyed by name: a re-run updates, never duplicates.

This module is imported by settings: keep its top level free of Django models.
"""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "chat.sweep_work_notices": {
        "task": "coordination.sweep_work_notices",
        "schedule": crontab(minute="*"),
    },
    "reviews.generate_daily_standups": {
        "task": "coordination.generate_review_occurrences",
        "schedule": crontab(minute="5", hour="0"),
        "kwargs": {"kind": "daily_standup"},
    },
    "reviews.generate_weekly_meetings": {
        "task": "coordination.generate_review_occurrences",
        "schedule": crontab(minute="10", hour="0", day_of_week="1"),
        "kwargs": {"kind": "weekly_meeting"},
    },
    "reviews.generate_monthly_retrospectives": {
        "task": "coordination.generate_review_occurrences",
        "schedule": crontab(minute="15", hour="0", day_of_month="1"),
        "kwargs": {"kind": "monthly_retrospective"},
    },
    "reviews.create_review_reminders": {
        "task": "coordination.create_review_reminders",
        "schedule": crontab(minute="*/5"),
    },
    "reviews.send_due_reminders": {
        "task": "coordination.send_due_reminders",
        "schedule": crontab(minute="*"),
    },
    "reviews.escalate_overdue_action_items": {
        "task": "coordination.escalate_overdue_action_items",
        "schedule": crontab(minute="0", hour="9"),
    },
    # Job rotations: approved ones start on their start date; from the 20th a rotation in
    # progress with no check-in this month reminds its person and mentor, once a month.
    "rotations.start_due": {
        "task": "coordination.start_due_rotations",
        "schedule": crontab(minute="15", hour="0"),
    },
    "rotations.remind_check_ins": {
        "task": "coordination.remind_rotation_check_ins",
        "schedule": crontab(minute="10", hour="9"),
    },
    "kpi.escalate_overdue_complaints": {
        "task": "kpi.escalate_overdue_complaints",
        "schedule": crontab(minute="5", hour="9"),
    },
    # Each opted-in user's unread notifications of the last day, one e-mail (before work).
    "notifications.daily_digest": {
        "task": "coordination.send_daily_digests",
        "schedule": crontab(minute="30", hour="7"),
    },
    "reviews.weekly_digest": {
        "task": "coordination.send_weekly_digests",
        "schedule": crontab(minute="0", hour="8", day_of_week="1"),
    },
    "kpi.close_period": {
        "task": "kpi.tasks.close_period",
        "schedule": crontab(minute="0", hour="1", day_of_month="1"),
    },
    # Early warning: backtest, retrain and store a model version, score the open projects.
    "warning.retrain": {
        "task": "warning.retrain",
        "schedule": crontab(minute="0", hour="3", day_of_week="0"),
    },
    "warning.score_open_projects": {
        "task": "warning.score_open_projects",
        "schedule": crontab(minute="30", hour="6"),
    },
    "handover.remind_overdue": {
        "task": "handover.remind_overdue",
        "schedule": crontab(minute="30", hour="8"),
    },
    # Deliveries whose Celery task was lost (worker killed, broker restarted) are sent again.
    "webhooks.sweep_deliveries": {
        "task": "coordination.sweep_webhook_deliveries",
        "schedule": crontab(minute="*/5"),
    },
    "api.purge_idempotency_records": {
        "task": "coordination.purge_idempotency_records",
        "schedule": crontab(minute="20", hour="3"),
    },
}
