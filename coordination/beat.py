"""The beat schedule (coordination.schedules) copied into django-celery-beat's admin rows."""

from __future__ import annotations

from django.db import connections
from django_celery_beat.schedulers import ModelEntry

from coordination.celery import app
from coordination.schedules import BEAT_SCHEDULE


def sync_beat_schedule(schedule: dict | None = None) -> list[str]:
    """Create or update one django_celery_beat PeriodicTask per entry, by name.

    Uses django_celery_beat's own ModelEntry.from_entry (what beat itself runs at start-up),
    so the rows written here and the ones beat writes are the same rows.
    Returns the names synchronised.
    """

    names = []
    for name, entry in (schedule if schedule is not None else BEAT_SCHEDULE).items():
        entry = dict(entry)
        entry["schedule"].app = app  # crontab rows carry the app's time zone (Asia/Shanghai)
        ModelEntry.from_entry(name, app=app, **entry)
        names.append(name)
    return names


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: keep the admin's periodic tasks in step with BEAT_SCHEDULE."""
    tables = connections[using].introspection.table_names()
    if "django_celery_beat_periodictask" not in tables:
        return
    sync_beat_schedule()
