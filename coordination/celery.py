"""The Celery app. Periodic schedules live in coordination/schedules.py (one place)."""

import os

from celery import Celery
from celery.signals import worker_init

from coordination.reviews.reminders.rules import check_channel_timeouts

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every module with tasks, by name (no discovery by walking packages).
app.autodiscover_tasks(
    [
        "coordination.core",
        "coordination.chat",
        "coordination.notifications",
        "coordination.reviews",
        "coordination.rotations",
        "coordination.integration",
        "handover",
        "kpi",
        "projects.warning",
        "kpi.complaints",
    ]
)


@worker_init.connect
def refuse_channel_timeouts_past_the_lease(**kwargs) -> None:
    """A worker sends reminders: it does not start with a channel timeout that could outlast
    a reminder claim's lease (the check reminders.E001; `manage.py check` runs it too).
    SystemExit, because Celery logs and ignores any Exception a signal handler raises."""
    errors = check_channel_timeouts()
    if errors:
        raise SystemExit("; ".join(f"{error.id}: {error.msg}" for error in errors))
