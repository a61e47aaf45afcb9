"""Coordination-wide Celery tasks."""

import os
import re

from celery import shared_task
from django.conf import settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@shared_task(name="coordination.ping")
def ping(token: str) -> int:
    """Health check across processes: write this worker's pid to VAR_DIR/ping/<token>.

    Used by tests (and by hand) to prove a task sent by one process runs in another.
    The token is a plain name, never a path, so the task cannot write outside VAR_DIR.
    """
    if not _TOKEN.match(token or ""):
        raise ValueError("token must be 1-64 letters, digits, '-' or '_'")
    folder = settings.VAR_DIR / "ping"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_text(str(os.getpid()), encoding="utf-8")
    return os.getpid()


# --- review loop: thin, idempotent tasks (schedule in coordination/schedules.py) -------------


@shared_task(name="coordination.generate_review_occurrences")
def generate_review_occurrences(kind: str | None = None) -> int:
    """Occurrences for the coming days; (cadence, date) is unique, so a re-run adds nothing."""
    from coordination.reviews import generate_occurrences

    return generate_occurrences(kind=kind or None)


@shared_task(name="coordination.create_review_reminders")
def create_review_reminders() -> int:
    from coordination.reminders import create_review_reminders as create

    return create()


@shared_task(name="coordination.send_due_reminders")
def send_due_reminders() -> dict:
    from coordination.reminders import send_due_reminders as send

    return send()


@shared_task(name="coordination.escalate_overdue_action_items")
def escalate_overdue_action_items() -> int:
    from coordination.reminders import create_overdue_reminders

    return create_overdue_reminders()


@shared_task(name="coordination.send_weekly_digests")
def send_weekly_digests() -> int:
    from coordination.reminders import create_weekly_digests

    return create_weekly_digests()
