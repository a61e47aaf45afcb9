"""Webhook deliveries queued: one row per subscribed active endpoint and event, each sent by a
Celery task once the rows are committed (coordination.integration.tasks)."""

from __future__ import annotations

import logging

from django.db import transaction

from coordination.integration.models import WebhookDelivery, WebhookEndpoint
from coordination.integration.tasks import deliver_webhook

log = logging.getLogger(__name__)


def fan_out(event: str, payload: dict) -> list[int]:
    """Listener for every domain event (runs after commit): one delivery row per subscribed
    active endpoint, then a Celery task per row once these rows are committed."""
    return fan_out_many(event, [payload])


def fan_out_many(event: str, payloads: list[dict]) -> list[int]:
    """`fan_out` for a batch of events of one kind (events.emit_many): the endpoints are
    read once and the delivery rows (per event, one per subscribed active endpoint, in
    order) written with one INSERT."""
    if not payloads:
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.subscribes(event)]
    if not endpoints:
        return []
    with transaction.atomic():
        rows = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(endpoint=e, event=event, payload=payload)
                for payload in payloads
                for e in endpoints
            ],
            batch_size=1000,
        )
        ids = [row.pk for row in rows]

        def _enqueue() -> None:
            for pk in ids:
                try:
                    deliver_webhook.delay(pk)
                except Exception:  # broker down: the row stays pending for the sweeper
                    log.exception("could not enqueue webhook delivery %s", pk)

        transaction.on_commit(_enqueue)
    return ids


fan_out.many = fan_out_many  # events.emit_many hands this listener the whole batch


def redeliver(delivery_id: int) -> None:
    """Admin action: send a failed delivery again (fresh attempt budget)."""
    updated = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.FAILED
    ).update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=None)
    if updated:
        transaction.on_commit(lambda: deliver_webhook.delay(delivery_id))
