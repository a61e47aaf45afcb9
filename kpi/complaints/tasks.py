"""Celery task of complaint handling: thin, idempotent (schedule: coordination/schedules.py)."""

from celery import shared_task

from kpi.complaints.services import escalate_overdue_complaints


@shared_task(name="kpi.escalate_overdue_complaints")
def escalate_overdue() -> int:
    return escalate_overdue_complaints()
