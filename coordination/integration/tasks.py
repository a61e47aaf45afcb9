"""Celery tasks of the ERP integration: thin, idempotent (see coordination.integration.webhooks)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from coordination.integration.models import IdempotencyRecord, WebhookDelivery
from coordination.integration.webhooks import attempt


@shared_task(bind=True, name="coordination.deliver_webhook", max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    """One attempt; a failed attempt schedules the next with exponential backoff.

    Re-running is harmless: webhooks.attempt only sends rows still pending/retrying.
    """
    countdown = attempt(delivery_id)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)


@shared_task(name="coordination.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    """Re-enqueue deliveries whose task was lost (broker down, worker killed)."""
    now = timezone.now()
    stale = now - datetime.timedelta(minutes=10)
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, created_at__lt=stale
        ).values_list("pk", flat=True)[:500]
    ) + list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.RETRYING, next_attempt_at__lt=stale
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        deliver_webhook.delay(pk)
    return len(ids)


@shared_task(name="coordination.purge_idempotency_records")
def purge_idempotency_records() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
