"""How long a free text may be: one number per kind of text, read by the API and the HTML forms.

The database keeps these fields as `text` (no limit there, no migration): the limit is checked
where text comes in. An API serializer's CharField with `max_length` answers 400 naming the
field and shows `maxLength` in the OpenAPI schema; a form's CharField with `max_length` renders
`maxlength` on its input or textarea and refuses a longer value with the field's error.

- `coordination.api.fields.ModelSerializer` gives every model TextField `text_max_length()`.
- `model_form_field` (a ModelForm's `formfield_callback`) does the same for the HTML forms.
- Fields declared by hand (reasons, comments, notes of a non-model body) name a constant.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models

from coordination.core.people import PersonChoiceField, PersonMultipleChoiceField

# notes, comments, reasons: a paragraph
NOTE_MAX_LENGTH = 2_000
# descriptions, needs, standards, plans, answers, evidence text: a page or a few
TEXT_MAX_LENGTH = 20_000
# a meeting's minutes (kept at the limit the reviews API already had)
MINUTES_MAX_LENGTH = 50_000
# a comment's body (coordination.conversations)
COMMENT_MAX_LENGTH = 5_000
# entries of a list inside a request body (attendees, responsibilities, retro entries, risks)
ITEMS_MAX = 200
# an object id (BigAutoField: PostgreSQL bigint)
ID_MAX = 2**63 - 1
# Django's own limit of a username (the input of every "username" field)
USERNAME_MAX_LENGTH = 150

# TextFields that hold a note, a comment or a reason (by field name, in every app)
NOTE_FIELDS = frozenset(
    {
        "notes",
        "comment",
        "comments",
        "reason",
        "return_reason",
        "rejection_reason",
        "amendment_reason",
        "reopen_reason",
        "payment_terms",
    }
)


def text_max_length(field: models.Field) -> int | None:
    """The most characters a model field's text may have when it comes in (None: not text).

    A CharField has its own `max_length`; a TextField gets NOTE_MAX_LENGTH when it holds a
    note, a comment or a reason, TEXT_MAX_LENGTH otherwise."""
    if isinstance(field, models.TextField):
        return field.max_length or (
            NOTE_MAX_LENGTH if field.name in NOTE_FIELDS else TEXT_MAX_LENGTH
        )
    return getattr(field, "max_length", None)


def model_form_field(field: models.Field, **kwargs):
    """`formfield_callback` of the HTML ModelForms: a TextField's form field with its limit
    (the textarea's `maxlength` and the form's validation)."""
    if isinstance(field, models.TextField) and "max_length" not in kwargs:
        kwargs["max_length"] = text_max_length(field)
    if field.is_relation and field.related_model is get_user_model() and "form_class" not in kwargs:
        # a person picker names people, never usernames (coordination.core.people)
        kwargs["form_class"] = (
            PersonMultipleChoiceField if field.many_to_many else PersonChoiceField
        )
    return field.formfield(**kwargs)
