"""The reminder outbox's timings and limits, each read from settings when used.

Settings (all optional):
    REVIEW_REMINDER_LEAD_MINUTES (30)      remind participants this long before a review
    ACTION_ITEM_ESCALATION_DAYS (3)        working days overdue before both PMs are told
    REMINDER_SENDING_TIMEOUT_SECONDS (300) a claim's lease: a row `sending` longer than this
                                           is reclaimed (its sender crashed or hung)
    REMINDER_MAX_ATTEMPTS (5)              claims of one row (reclaims count) before it is
                                           `failed`
    REMINDER_BATCH_SIZE (100)              rows one sender claims per round
    REMINDER_BACKOFF_SECONDS (60)          wait after the first failed attempt; doubles after
                                           each, at most 60 times this
    CHAT_WEBHOOK_TIMEOUT (10), EMAIL_TIMEOUT (30)
                                           seconds one chat post / one SMTP operation may take;
                                           at most a quarter of the lease (check_channel_timeouts)

Which channels a user is reminded on is the channel rule of coordination.core.channels_rule
(notify's e-mail follows the same rule).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import checks


def _setting(name: str, default):
    return getattr(settings, name, default)


def lead_time() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(_setting("REVIEW_REMINDER_LEAD_MINUTES", 30)))


def escalation_days() -> int:
    return int(_setting("ACTION_ITEM_ESCALATION_DAYS", 3))


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(_setting("REMINDER_SENDING_TIMEOUT_SECONDS", 300)))


def sending_window() -> float:
    """Seconds after its claim during which a batch still takes rows: half the lease. The row
    in flight then has the other half, at least two channel timeouts (connect, then answer),
    to finish and be recorded before anyone may reclaim it."""
    return sending_timeout().total_seconds() / 2


def max_attempts() -> int:
    return int(_setting("REMINDER_MAX_ATTEMPTS", 5))


def batch_size() -> int:
    return int(_setting("REMINDER_BATCH_SIZE", 100))


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour (with the default
    REMINDER_BACKOFF_SECONDS of 60)."""
    base = float(_setting("REMINDER_BACKOFF_SECONDS", 60))
    return datetime.timedelta(seconds=base * min(60, 2 ** max(0, attempts - 1)))


def chat_timeout() -> float:
    return float(_setting("CHAT_WEBHOOK_TIMEOUT", 10))


def email_timeout() -> float | None:
    value = _setting("EMAIL_TIMEOUT", None)
    return None if value is None else float(value)


def check_channel_timeouts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each channel timeout at most a quarter of the lease. A batch stops taking rows at half
    the lease (sending_window), so the last row, connect plus answer, ends before the lease
    does and no other sender reclaims a row that is still being sent. An SMTP connection
    without a timeout could hang a batch past its lease, so EMAIL_TIMEOUT must be set."""
    lease = sending_timeout().total_seconds()
    errors = []
    for name, timeout in (
        ("CHAT_WEBHOOK_TIMEOUT", chat_timeout()),
        ("EMAIL_TIMEOUT", email_timeout()),
    ):
        if timeout is None or timeout <= 0 or timeout > lease / 4:
            errors.append(
                checks.Error(
                    f"{name} is {timeout!r} s; the reminder outbox needs 0 < {name} <= "
                    f"REMINDER_SENDING_TIMEOUT_SECONDS / 4 = {lease / 4:g} s",
                    hint="Lower the channel timeout or raise REMINDER_SENDING_TIMEOUT_SECONDS.",
                    id="reminders.E001",
                )
            )
    return errors


# last_error of a row failed because its claim ran out once too often (send.claim_batch)
LEASE_ERROR = (
    "lease: still `sending` when its claim expired, with every attempt used (a sender crashed "
    "or its channel hung); whether the last attempt reached the recipient is unknown"
)
