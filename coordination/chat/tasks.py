"""Celery tasks of the chat platforms: thin and idempotent (services.attempt claims a row)."""

from __future__ import annotations

from celery import shared_task

from coordination.chat import services


@shared_task(bind=True, name="coordination.deliver_work_notice", max_retries=None)
def deliver_work_notice(self, notice_id: int) -> None:
    countdown = services.attempt(notice_id)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)


@shared_task(name="coordination.sweep_work_notices")
def sweep_work_notices() -> int:
    """Re-enqueue due notices whose task was lost (broker down, worker killed)."""
    ids = services.due_notices()
    for pk in ids:
        deliver_work_notice.delay(pk)
    return len(ids)
