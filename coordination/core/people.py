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
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if not (first or last):
        return user.get_username()
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
