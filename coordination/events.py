"""Domain events: the hook point for webhooks out and other listeners.

`emit` is called inside a service's transaction; listeners run after commit so a
rolled-back change never announces itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)

EVENTS = [
    "project.stage_changed",
    "project.upserted",
    "change_request.decided",
    "handover.accepted",
    "commitment.signed",
    "milestone.completed",
    "kpi.period_closed",
]

_listeners: dict[str, list[Callable[[str, dict], None]]] = defaultdict(list)


def listen(event: str, func: Callable[[str, dict], None]) -> None:
    if func not in _listeners[event]:
        _listeners[event].append(func)


def emit(event: str, payload: dict) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event}")

    def _deliver() -> None:
        for func in list(_listeners.get(event, [])) + list(_listeners.get("*", [])):
            try:
                func(event, payload)
            except Exception:  # one failing listener must not stop the others
                log.exception("listener %r failed for %s", func, event)

    transaction.on_commit(_deliver)
