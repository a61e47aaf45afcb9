"""Domain exceptions. The API maps Conflict to 409 {"detail", "unmet"}, the UI to a message."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["Conflict", "GateRefused", "PermissionDenied", "StaleWrite", "ValidationError"]


class Conflict(Exception):
    """A state conflict: the object is not in a state that allows the action."""

    def __init__(self, detail: str, unmet: list[str] | None = None):
        super().__init__(detail)
        self.detail = str(detail)
        self.unmet = [str(u) for u in (unmet or [])]


class GateRefused(Conflict):
    """A stage gate refused: `unmet` lists every condition that is not met."""


class StaleWrite(Conflict):
    """The record changed since the writer read it: nothing was written.

    `expected` is the version the writer saw (None: a version it could not name, such as an
    If-Match that is no ETag of ours), `current` the saved one, and `record` the record as
    saved (read under its row lock, before any change), so the page can show both texts and
    the API can answer with the current ETag."""

    def __init__(self, detail: str, *, record, expected: int | None, current: int):
        super().__init__(detail)
        self.record = record
        self.expected = expected
        self.current = current
