"""Listeners to a delivery milestone's dates: rooms above the project core (payment milestones)
follow a milestone whose forecast, actual or baseline date moved, inside the same transaction
as the move. A room registers its listener in `AppConfig.ready()` (as stage gates do), so the
core calls it without importing the room.

A listener is `(milestone_ids: list[int], by) -> None`; `by` is the user who moved them (None
for the system).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

DATE_FIELDS = frozenset({"baseline_date", "forecast_date", "actual_date", "status"})

_listeners: list[Callable[[list[int], object], None]] = []


def on_milestone_moved(func: Callable[[list[int], object], None]):
    """Register `func` to run whenever milestones' dates moved (decorator)."""
    if func not in _listeners:
        _listeners.append(func)
    return func


def milestones_moved(milestone_ids: Iterable[int], *, by) -> None:
    """Tell every listener, inside the caller's transaction (a refusal rolls the move back)."""
    ids = sorted(set(milestone_ids))
    if not ids:
        return
    for func in list(_listeners):
        func(ids, by)
