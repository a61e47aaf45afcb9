"""How a person is named to a reader: one rule for every page, notification and document.

A display name follows the reader's language: family name first without a space in Chinese
(李伟), given name first with a space in English (Wei Li). A user without a name on file is
shown by username, the only time a username reaches a reader outside an id field.
"""

from __future__ import annotations

from django.utils import translation


def display_name(user, language: str | None = None) -> str:
    """The name a reader sees for `user` ("" for no user)."""
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if not (first or last):
        return user.get_username()
    lang = (language or translation.get_language() or "zh-hans").lower()
    if lang.startswith("zh"):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)
