"""Webhooks out: SSRF guard, HMAC signing, and one delivery attempt.

Each event fans out to one WebhookDelivery row per subscribed endpoint (outbox), and a
Celery task sends it after commit (coordination.integration.tasks.deliver_webhook).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.integration import guard
from coordination.integration.guard import UnsafeTarget
from coordination.integration.models import WebhookDelivery

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 10
MAX_ATTEMPTS = 8
BASE_BACKOFF = 30  # seconds; doubles on each attempt (30 s, 1 min, 2 min, ... ~1 h)
RESPONSE_KEEP = 2000  # characters of the receiver's answer kept in the log


def sign(secret: str, body: bytes) -> str:
    """The X-Coordination-Signature value: sha256=<hex HMAC-SHA256(secret, raw body)>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature or "")


def body_of(delivery) -> bytes:
    """The exact bytes sent (and signed) for a delivery; stable across retries."""
    document = {
        "id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat() if delivery.created_at else None,
        "data": delivery.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures (exponential, capped)."""
    return min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), 3600)


def attempt(delivery_id: int) -> int | None:
    """Send one delivery once. Returns the countdown (seconds) for a retry, or None when done.

    1. Claim the row: only pending/retrying rows are sent, under a row lock (skip_locked),
       so two workers never send the same attempt; another worker holding it → None. The
       lock is on the delivery row alone (`of=("self",)`): locking the joined endpoint too
       made every concurrent delivery to the same endpoint skip, its row left pending.
    2. Inactive endpoint or unsafe target (checked again now: DNS may have changed)
       → failed, no retry.
    3. POST the raw JSON body with the event, delivery id and signature headers to the
       address just checked (pinned: no second DNS lookup); connect/read timeouts;
       redirects are not followed (a 3xx counts as a failure).
    4. 2xx → delivered. Otherwise count the attempt: below MAX_ATTEMPTS → retrying with
       exponential backoff (returned countdown), else failed.
    """

    Status = WebhookDelivery.Status
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status__in=[Status.PENDING, Status.RETRYING])
            .first()
        )
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = None
        if not endpoint.active:
            delivery.status = Status.FAILED
            delivery.last_error = _("端点已停用。")
            delivery.save()
            return None
        try:
            addresses = guard.check_target(endpoint.url)
        except UnsafeTarget as exc:
            delivery.status = Status.FAILED
            delivery.last_error = str(exc)
            delivery.save()
            return None
        body = body_of(delivery)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "CoordinationHub-Webhooks/1.0",
            "X-Coordination-Event": delivery.event,
            "X-Coordination-Delivery": str(delivery.delivery_id),
            "X-Coordination-Signature": sign(endpoint.secret, body),
        }
        try:
            response = guard.pinned_session(addresses[0] if addresses else None).post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            delivery.last_status_code = None
            delivery.last_response = ""
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:RESPONSE_KEEP]
            ok = False
        else:
            delivery.last_status_code = response.status_code
            delivery.last_response = response.text[:RESPONSE_KEEP]
            delivery.last_error = ""
            ok = 200 <= response.status_code < 300
            if not ok and 300 <= response.status_code < 400:
                delivery.last_error = _("不跟随重定向：%(loc)s") % {
                    "loc": response.headers.get("Location", "")
                }
        if ok:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.save()
            return None
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Status.FAILED
            delivery.save()
            return None
        countdown = backoff(delivery.attempts)
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = now + datetime.timedelta(seconds=countdown)
        delivery.save()
        return countdown
