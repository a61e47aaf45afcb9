"""Webhooks out: SSRF guard, HMAC signing, and one delivery attempt.

Each event fans out to one WebhookDelivery row per subscribed endpoint (outbox), and a
Celery task sends it after commit (coordination.tasks_integration.deliver_webhook).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 10
MAX_ATTEMPTS = 8
BASE_BACKOFF = 30  # seconds; doubles on each attempt (30 s, 1 min, 2 min, ... ~1 h)
RESPONSE_KEEP = 2000  # characters of the receiver's answer kept in the log


class UnsafeTarget(Exception):
    """The URL is not one we may send to (scheme, or a private/loopback/... address)."""


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []) or []}


def _is_unsafe(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_target(url: str) -> list[str]:
    """Refuse anything but http(s) to public addresses; return the resolved addresses.

    1. Only http and https, with a host.
    2. Hosts in settings.WEBHOOK_ALLOWED_HOSTS pass whatever they resolve to
       (tests, on-premise ERPs).
    3. Otherwise resolve the host; every address must be public (not private, loopback,
       link-local, multicast, reserved or unspecified), else UnsafeTarget.
    Called at create, update and send time (DNS may change between them).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(_("只允许 http 或 https 地址。"))
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeTarget(_("地址缺少主机名。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget(_("端口无效。")) from exc
    if host in _allowed_hosts():
        return []
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeTarget(_("无法解析主机名：%(host)s") % {"host": host}) from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeTarget(_("无法解析主机名：%(host)s") % {"host": host})
    for address in addresses:
        if _is_unsafe(address):
            raise UnsafeTarget(
                _("不允许发送到内网、回环、链路本地或保留地址：%(host)s → %(ip)s")
                % {"host": host, "ip": address}
            )
    return addresses


def _pinned_session(address: str | None):
    """A requests session whose connections go to `address` (the IP checked just before),
    not to a fresh DNS answer: a host re-resolving to 127.0.0.1 between the check and the
    connection (DNS rebinding) cannot redirect us. TLS still verifies the URL's host name."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.util import connection as _connection

    session = requests.Session()
    session.trust_env = False  # no proxies from the environment
    if not address:
        return session

    def _new_conn(self):
        return _connection.create_connection(
            (address, self.port),
            self.timeout,
            source_address=self.source_address,
            socket_options=self.socket_options,
        )

    http_conn = type("PinnedHTTPConnection", (HTTPConnection,), {"_new_conn": _new_conn})
    https_conn = type("PinnedHTTPSConnection", (HTTPSConnection,), {"_new_conn": _new_conn})
    pools = {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    session.mount("http://", PinnedAdapter(max_retries=0))
    session.mount("https://", PinnedAdapter(max_retries=0))
    return session


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


def fan_out(event: str, payload: dict) -> list[int]:
    """Listener for every domain event (runs after commit): one delivery row per subscribed
    active endpoint, then a Celery task per row once these rows are committed."""
    return fan_out_many(event, [payload])


def fan_out_many(event: str, payloads: list[dict]) -> list[int]:
    """`fan_out` for a batch of events of one kind (events.emit_many): the endpoints are
    read once and the delivery rows (per event, one per subscribed active endpoint, in
    order) written with one INSERT."""
    from .models_integration import WebhookDelivery, WebhookEndpoint

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
            from .tasks_integration import deliver_webhook

            for pk in ids:
                try:
                    deliver_webhook.delay(pk)
                except Exception:  # broker down: the row stays pending for the sweeper
                    log.exception("could not enqueue webhook delivery %s", pk)

        transaction.on_commit(_enqueue)
    return ids


fan_out.many = fan_out_many  # events.emit_many hands this listener the whole batch


def attempt(delivery_id: int) -> int | None:
    """Send one delivery once. Returns the countdown (seconds) for a retry, or None when done.

    1. Claim the row: only pending/retrying rows are sent, under a row lock (skip_locked),
       so two workers never send the same attempt; another worker holding it → None.
    2. Inactive endpoint or unsafe target (checked again now: DNS may have changed)
       → failed, no retry.
    3. POST the raw JSON body with the event, delivery id and signature headers to the
       address just checked (pinned: no second DNS lookup); connect/read timeouts;
       redirects are not followed (a 3xx counts as a failure).
    4. 2xx → delivered. Otherwise count the attempt: below MAX_ATTEMPTS → retrying with
       exponential backoff (returned countdown), else failed.
    """
    import requests

    from .models_integration import WebhookDelivery

    Status = WebhookDelivery.Status
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
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
            addresses = check_target(endpoint.url)
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
            response = _pinned_session(addresses[0] if addresses else None).post(
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


def redeliver(delivery_id: int) -> None:
    """Admin action: send a failed delivery again (fresh attempt budget)."""
    from .models_integration import WebhookDelivery

    updated = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.FAILED
    ).update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=None)
    if updated:
        from .tasks_integration import deliver_webhook

        transaction.on_commit(lambda: deliver_webhook.delay(delivery_id))
