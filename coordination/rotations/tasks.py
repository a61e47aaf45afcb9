"""Celery tasks of job rotations: thin, idempotent (schedule: coordination/schedules.py)."""

from celery import shared_task

from coordination.rotations.services import remind_check_ins, start_due_rotations


@shared_task(name="coordination.start_due_rotations")
def start_due() -> int:
    """Approved rotations whose start date has come are in progress (a re-run starts none)."""
    return start_due_rotations()


@shared_task(name="coordination.remind_rotation_check_ins")
def remind() -> int:
    """Once a month per rotation in progress without a check-in (claimed by an UPDATE)."""
    return remind_check_ins()
