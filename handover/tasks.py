"""Celery tasks of the handover app (thin: call a service, return)."""

from celery import shared_task

from handover import services


@shared_task(name="handover.remind_overdue")
def remind_overdue_handovers() -> int:
    """Daily: remind both sides of each overdue handover (once per handover per day)."""
    return services.remind_overdue()
