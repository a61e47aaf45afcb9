"""Domain exceptions. The API maps Conflict to 409 {"detail", "unmet"}, the UI to a message."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["Conflict", "GateRefused", "PermissionDenied", "ValidationError"]


class Conflict(Exception):
    """A state conflict: the object is not in a state that allows the action."""

    def __init__(self, detail: str, unmet: list[str] | None = None):
        super().__init__(detail)
        self.detail = str(detail)
        self.unmet = [str(u) for u in (unmet or [])]


class GateRefused(Conflict):
    """A stage gate refused: `unmet` lists every condition that is not met."""
