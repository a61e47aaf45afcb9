"""The reminder outbox's timings and limits, each read from settings when used.

Settings (all optional):
    REVIEW_REMINDER_LEAD_MINUTES (30)      remind participants this long before a review
    ACTION_ITEM_ESCALATION_DAYS (3)        days overdue before both PMs are told
    REMINDER_SENDING_TIMEOUT_SECONDS (300) a row `sending` longer than this is reclaimed
    REMINDER_MAX_ATTEMPTS (5)              then the row is `failed`
    REMINDER_BATCH_SIZE (100)              rows one sender claims per round

Which channels a user is reminded on is the channel rule of coordination.core.channels_rule
(notify's e-mail follows the same rule).
"""

from __future__ import annotations

import datetime

from django.conf import settings


def _setting(name: str, default):
    return getattr(settings, name, default)


def lead_time() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(_setting("REVIEW_REMINDER_LEAD_MINUTES", 30)))


def escalation_days() -> int:
    return int(_setting("ACTION_ITEM_ESCALATION_DAYS", 3))


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(_setting("REMINDER_SENDING_TIMEOUT_SECONDS", 300)))


def max_attempts() -> int:
    return int(_setting("REMINDER_MAX_ATTEMPTS", 5))


def batch_size() -> int:
    return int(_setting("REMINDER_BATCH_SIZE", 100))


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))
