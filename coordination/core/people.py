"""How a person is named to a reader: one rule for every page, notification and document.

A display name follows the reader's language: family name first without a space in Chinese
(李伟), given name first with a space in English (Wei Li). A user without a name on file is
shown by username, the only time a username reaches a reader outside an id field.
"""

from __future__ import annotations

from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.utils import translation


def display_name(user, language: str | None = None) -> str:
    """The name a reader sees for `user` ("" for no user)."""
    if user is None:
        return ""
    return name_of(
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        user.get_username(),
        language,
    )


def name_of(first: str, last: str, username: str, language: str | None = None) -> str:
    """display_name from the three columns (for rows read with values() or annotations)."""
    first, last = (first or "").strip(), (last or "").strip()
    if not (first or last):
        return username or ""
    lang = (language or translation.get_language() or "zh-hans").lower()
    if lang.startswith("zh"):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


class PersonChoiceField(ModelChoiceField):
    """A person picker: each person by display name in the reader's convention, never by
    username. Every form that picks people uses it (ModelForms through
    coordination.core.limits.model_form_field)."""

    def label_from_instance(self, obj):
        return display_name(obj)


class PersonMultipleChoiceField(ModelMultipleChoiceField):
    """Several people, each by display name (see PersonChoiceField)."""

    def label_from_instance(self, obj):
        return display_name(obj)
