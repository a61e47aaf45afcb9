"""Delivery channels of the reminder outbox: e-mail, chat webhook (DingTalk / WeCom), in-app.

Each `send_*` either returns (delivered) or raises ChannelError (the sender retries later).
The chat webhook body is DingTalk / WeCom style JSON; DingTalk robots with a signing
secret get `timestamp` and `sign` query parameters, where
`sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))`.
WeCom robots are authorised by the `key` in their URL and are not signed.

A crash between a channel's answer and the row's "sent" can repeat that one message, so
each carries a stable id derived from the row: e-mails the Message-ID
`<reminder-<id>@<mail domain>>`, chat posts the marker `[reminder-<id>]` as the text's last
line (neither robot API documents a message id or idempotency field; the marker lets a
reader or a bot drop the repeat).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.parse

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from coordination.reviews.reminders.rules import chat_timeout

DINGTALK_HOSTS = ("oapi.dingtalk.com",)
WECOM_HOSTS = ("qyapi.weixin.qq.com",)


class ChannelError(Exception):
    """The channel refused or failed; the reminder is retried with backoff."""


class ChannelTimeout(ChannelError):
    """The destination did not answer within its timeout: the sender tries no more rows for
    the same destination (`destination`) in this batch."""


def http_post(url: str, payload: dict, timeout: float) -> requests.Response:
    """The one network call of the chat channel (tests replace it with a local stub)."""
    return requests.post(url, json=payload, timeout=timeout, allow_redirects=False)


def check_public_url(url: str) -> None:
    """Refuse targets on private, loopback or link-local addresses (SSRF), except hosts
    named in settings.WEBHOOK_ALLOWED_HOSTS (tests, on-premise chat servers)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ChannelError("chat: not an http(s) URL")
    if host in {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", [])}:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise ChannelError(f"chat: cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ChannelError(f"chat: {host} resolves to a non-public address")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by secret."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def platform_of(url: str) -> str:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host in WECOM_HOSTS:
        return "wecom"
    if host in DINGTALK_HOSTS:
        return "dingtalk"
    return getattr(settings, "CHAT_WEBHOOK_PLATFORM", "dingtalk")


def split_secret(url: str) -> tuple[str, str]:
    """A profile URL may carry the robot's signing secret in its fragment (`#secret=SEC…`),
    which never leaves this server; otherwise settings.CHAT_WEBHOOK_SECRET applies."""
    parts = urllib.parse.urlsplit(url)
    secret = urllib.parse.parse_qs(parts.fragment).get("secret", [""])[0]
    clean = urllib.parse.urlunsplit(parts._replace(fragment=""))
    return clean, secret or getattr(settings, "CHAT_WEBHOOK_SECRET", "")


def build_chat_request(
    url: str,
    text: str,
    *,
    now_ms: int | None = None,
    secret: str | None = None,
    marker: str = "",
) -> tuple[str, dict]:
    """The URL (signed for DingTalk when a secret is known) and the JSON body to post; a
    `marker` (the reminder's stable id) ends the text on a line of its own."""
    clean, found_secret = split_secret(url)
    secret = found_secret if secret is None else secret
    content = f"{text}\n{marker}" if marker else text
    payload = {"msgtype": "text", "text": {"content": content}}
    if platform_of(clean) == "dingtalk" and secret:
        timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp))
        joiner = "&" if urllib.parse.urlsplit(clean).query else "?"
        clean = f"{clean}{joiner}timestamp={timestamp}&sign={sign}"
    return clean, payload


def reference(reminder: Reminder) -> str:
    """The row's stable id, the same on every attempt and every worker: `reminder-<id>`."""
    return f"reminder-{reminder.pk}"


def chat_marker(reminder: Reminder) -> str:
    return f"[{reference(reminder)}]" if reminder.pk else ""


def message_id(reminder: Reminder) -> str:
    """`<reminder-<id>@<domain of DEFAULT_FROM_EMAIL>>`, the domain being the same for every
    worker (make_msgid would use each machine's own host name)."""
    domain = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    domain = domain or urllib.parse.urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{reference(reminder)}@{domain}>"


def _text(reminder: Reminder) -> str:
    link = f"{settings.SITE_URL}{reminder.url}" if reminder.url else ""
    return "\n".join(part for part in (reminder.subject, reminder.body, link) if part)


def send_email(reminder: Reminder) -> None:
    address = reminder.recipient.email
    if not address:
        raise ChannelError("recipient has no e-mail address")
    # a row not saved yet (a preview) has no id to derive one from: Django makes one
    headers = {"Message-ID": message_id(reminder)} if reminder.pk else {}
    try:
        EmailMessage(
            reminder.subject,
            _text(reminder)[len(reminder.subject) :].strip(),
            None,
            [address],
            headers=headers,
        ).send()
    except TimeoutError as exc:  # socket.timeout: connect or any SMTP reply past EMAIL_TIMEOUT
        raise ChannelTimeout(f"mail: timed out: {exc}") from exc
    except Exception as exc:
        raise ChannelError(f"mail: {exc}") from exc


def send_chat(reminder: Reminder) -> None:
    profile = getattr(reminder.recipient, "profile", None)
    url = profile.chat_webhook_url if profile else ""
    if not url:
        raise ChannelError("recipient has no chat webhook URL")
    target, payload = build_chat_request(url, _text(reminder), marker=chat_marker(reminder))
    check_public_url(target)
    try:
        response = http_post(target, payload, chat_timeout())
    except requests.Timeout as exc:
        raise ChannelTimeout(f"chat: {exc.__class__.__name__}: {exc}") from exc
    except requests.RequestException as exc:
        raise ChannelError(f"chat: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise ChannelError(f"chat: HTTP {response.status_code}")
    # Both platforms answer 200 with {"errcode": 0} on success and a non-zero errcode on refusal.
    try:
        body = response.json()
    except ValueError:
        body = {}
    if isinstance(body, dict) and body.get("errcode", 0) not in (0, "0"):
        raise ChannelError(f"chat: errcode {body.get('errcode')} {body.get('errmsg', '')}")


def send_inapp(reminder: Reminder) -> Notification:
    return Notification.objects.create(
        user=reminder.recipient,
        kind=f"reminder.{reminder.kind}",
        subject=reminder.subject[:255],
        body=reminder.body,
        url=reminder.url,
    )


SENDERS = {
    Reminder.Channel.EMAIL: send_email,
    Reminder.Channel.CHAT: send_chat,
    Reminder.Channel.INAPP: send_inapp,
}


def destination(reminder: Reminder) -> str:
    """Where a row goes, as far as one hung server holds up others: the mail server for every
    e-mail, the robot's host for a chat post (every robot of a platform shares one)."""
    if reminder.channel == Reminder.Channel.CHAT:
        profile = getattr(reminder.recipient, "profile", None)
        url = profile.chat_webhook_url if profile else ""
        return f"chat:{(urllib.parse.urlsplit(url).hostname or '').lower()}"
    return str(reminder.channel)


def deliver(reminder: Reminder) -> None:
    try:
        sender = SENDERS[reminder.channel]
    except KeyError:
        raise ChannelError(f"unknown channel {reminder.channel}")
    sender(reminder)
