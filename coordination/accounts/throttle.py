"""How often a password reset may be asked for: per client address and per e-mail address,
counted in the cache over a window of PASSWORD_RESET_WINDOW_SECONDS.

Every well-formed request counts, whether or not the e-mail belongs to a user, so the answer
(a 429 once a counter is full) tells nothing about which addresses exist. The per-e-mail
counter keeps anyone from filling a user's mailbox; the per-address one keeps one client from
walking through many e-mail addresses.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def window_seconds() -> int:
    return int(getattr(settings, "PASSWORD_RESET_WINDOW_SECONDS", 3600))


def max_per_address() -> int:
    return int(getattr(settings, "PASSWORD_RESET_MAX_PER_ADDRESS", 5))


def max_per_email() -> int:
    return int(getattr(settings, "PASSWORD_RESET_MAX_PER_EMAIL", 5))


def _keys(ip: str, email: str) -> list[tuple[str, int]]:
    digest = lambda text: hashlib.sha256(text.encode()).hexdigest()  # noqa: E731
    return [
        (f"password-reset:a:{digest(ip)}", max_per_address()),
        (f"password-reset:e:{digest(email.strip().lower())}", max_per_email()),
    ]


def take(ip: str, email: str) -> int:
    """Count one reset request from `ip` for `email`. Returns 0 when it may go ahead, else the
    seconds until the fuller counter's window ends (the request is refused and not counted)."""
    now = time.time()
    keys = _keys(ip, email)
    states = cache.get_many([key for key, _limit in keys])
    waits = [
        int(state["until"] - now + 0.999)
        for key, limit in keys
        if (state := states.get(key)) and state["n"] >= limit and state["until"] > now
    ]
    if waits:
        return max(1, max(waits))
    for key, _limit in keys:
        state = states.get(key)
        if not state or state["until"] <= now:
            state = {"n": 0, "until": now + window_seconds()}
        state["n"] += 1
        cache.set(key, state, max(1, int(state["until"] - now + 0.999)))
    return 0
