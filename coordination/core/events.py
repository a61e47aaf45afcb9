"""Domain events: the hook point for webhooks out and other listeners.

`emit` is called inside a service's transaction; listeners run after commit so a
rolled-back change never announces itself. `emit_many` announces one event for each of
many payloads (a batch write) with one after-commit callback: a listener with a `many`
attribute (a function taking the event and the list) gets the whole list once, any other
listener each payload in turn, as with `emit`.
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


def _check(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event}")


def _listeners_of(event: str) -> list[Callable[[str, dict], None]]:
    return list(_listeners.get(event, [])) + list(_listeners.get("*", []))


def emit(event: str, payload: dict) -> None:
    _check(event)

    def _deliver() -> None:
        for func in _listeners_of(event):
            try:
                func(event, payload)
            except Exception:  # one failing listener must not stop the others
                log.exception("listener %r failed for %s", func, event)

    transaction.on_commit(_deliver)


def emit_many(event: str, payloads: list[dict]) -> None:
    """`emit(event, payload)` for each payload, with one after-commit callback (see module)."""
    _check(event)
    payloads = list(payloads)
    if not payloads:
        return

    def _deliver() -> None:
        for func in _listeners_of(event):
            many = getattr(func, "many", None)
            calls = [(many, payloads)] if many is not None else [(func, p) for p in payloads]
            for target, argument in calls:
                try:
                    target(event, argument)
                except Exception:  # one failing listener must not stop the others
                    log.exception("listener %r failed for %s", target, event)

    transaction.on_commit(_deliver)
