"""Celery tasks of the review loop: thin and idempotent (schedule in coordination/schedules.py)."""

from celery import shared_task

from coordination.reviews.reminders.create import create_overdue_reminders, create_weekly_digests
from coordination.reviews.reminders.create import create_review_reminders as create
from coordination.reviews.reminders.send import send_due_reminders as send
from coordination.reviews.services import generate_occurrences


@shared_task(name="coordination.generate_review_occurrences")
def generate_review_occurrences(kind: str | None = None) -> int:
    """Occurrences for the coming days; (cadence, date) is unique, so a re-run adds nothing."""
    return generate_occurrences(kind=kind or None)


@shared_task(name="coordination.create_review_reminders")
def create_review_reminders() -> int:
    return create()


@shared_task(name="coordination.send_due_reminders")
def send_due_reminders() -> dict:
    return send()


@shared_task(name="coordination.escalate_overdue_action_items")
def escalate_overdue_action_items() -> int:
    return create_overdue_reminders()


@shared_task(name="coordination.send_weekly_digests")
def send_weekly_digests() -> int:
    return create_weekly_digests()
