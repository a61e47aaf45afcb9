"""Form helpers shared by the apps' HTML forms."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.concurrency import VERSION_FIELD
from coordination.core.exceptions import StaleWrite
from coordination.core.models import AuditEvent
from coordination.core.text import join_list

# Above this many options a choice is typed instead of picked from a list: at 100,000
# projects a select of every project, customer or user made pages of megabytes that took
# seconds to render (docs/performance.md).
CHOICE_LIMIT = 200


class KeyedChoiceField(forms.ModelChoiceField):
    """A model choice typed as text: the first of `keys` (natural keys such as a project
    code, a username, a customer's ERP id or exact name) that names exactly one object of
    the field's queryset wins. Validation stays against the same queryset."""

    def __init__(self, *args, keys: tuple[str, ...], **kwargs):
        self.keys = keys
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_choice"] = _("没有找到“%(value)s”，或您无权选择它。")

    def prepare_value(self, value):
        if hasattr(value, "_meta"):
            return next((str(v) for k in self.keys if (v := getattr(value, k, None))), "")
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "_meta"):
            return value
        text = str(value).strip()
        for key in self.keys:
            found = list(self.queryset.filter(**{key: text})[:2])
            if len(found) == 1:
                return found[0]
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
        )


def fill_choices(field: forms.ModelChoiceField) -> bool:
    """Give a ModelChoiceField its options from one query of at most CHOICE_LIMIT + 1 rows;
    False (the field untouched) when there are more than CHOICE_LIMIT."""
    options = list(field.queryset[: CHOICE_LIMIT + 1])
    if len(options) > CHOICE_LIMIT:
        return False
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = [
        *empty,
        *((field.prepare_value(o), field.label_from_instance(o)) for o in options),
    ]
    return True


def search_field(label, placeholder) -> forms.CharField:
    """A typed "contains" search, for a filter whose choices are too many to list."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": placeholder, "type": "search"}
        ),
    )


def type_in_when_long(form: forms.BaseForm, name: str, *, keys: tuple[str, ...], placeholder):
    """Give the ModelChoiceField `name` its options (fill_choices); when there are more
    than CHOICE_LIMIT, it becomes a KeyedChoiceField typed by `keys`."""
    field = form.fields[name]
    if fill_choices(field):
        return
    typed = KeyedChoiceField(
        queryset=field.queryset,
        keys=keys,
        required=field.required,
        label=field.label,
        help_text=field.help_text,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": placeholder, "autocomplete": "off"}
        ),
    )
    form.fields[name] = typed
    initial = form.initial.get(name)
    if initial is not None and not hasattr(initial, "_meta"):  # a pk (an edited instance)
        form.initial[name] = field.queryset.model._default_manager.filter(pk=initial).first()


# ---------------------------------------------------------------- edit versions (no lost edits)


def add_version_field(form: forms.BaseForm, record) -> None:
    """The hidden field that carries the version of `record` the form was filled from
    (coordination.core.concurrency); `record` None: not created yet, version 0."""
    form.fields[VERSION_FIELD] = forms.IntegerField(
        required=False,
        min_value=0,
        initial=record.edit_version if record is not None else 0,
        widget=forms.HiddenInput,
    )


def expected_version(form: forms.BaseForm) -> int | None:
    """The version a valid form was filled from; None when the post named none (accepted)."""
    return form.cleaned_data.get(VERSION_FIELD)


def edit_conflict(form: forms.BaseForm, exc: StaleWrite, saved: forms.BaseForm) -> dict:
    """What a page shows after StaleWrite, beside `form`, which stays bound to what the user
    typed: each field where their input differs from `saved` (an unbound form of the record
    as it is now), both values, and who saved last and when.

    The form then carries the saved version, so saving it again, after reading both, is the
    user's deliberate choice to replace the saved text."""
    form.data = form.data.copy()
    form.data[form.add_prefix(VERSION_FIELD)] = str(exc.current)
    rows = []
    for name, field in form.fields.items():
        if name == VERSION_FIELD or field.widget.is_hidden or name not in saved.fields:
            continue  # not part of the record (e.g. an amendment's reason)
        yours, kept = form[name].data, saved[name].initial
        if field.has_changed(kept, yours):
            rows.append(
                {
                    "name": name,
                    "label": field.label,
                    "yours": shown(field, yours),
                    "saved": shown(field, kept),
                }
            )
    record = exc.record
    last = None
    if record is not None:
        last = (
            AuditEvent.objects.filter(
                target_type=record._meta.label_lower, target_id=str(record.pk)
            )
            .order_by("-created_at", "-id")
            .first()
        )
    return {
        "rows": rows,
        "by": last.actor_label if last else "",
        "at": last.created_at if last else getattr(record, "updated_at", None),
    }


def shown(field: forms.Field, value) -> str:
    """A field's value as a person reads it: a choice's label, an object's name, a date."""
    if isinstance(field, forms.BooleanField):
        return str(_("是") if field.to_python(value) else _("否"))
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField):
        keys = [getattr(v, "pk", v) for v in value]
        return join_list(field.label_from_instance(o) for o in field.queryset.filter(pk__in=keys))
    if isinstance(field, forms.ModelChoiceField):
        if not hasattr(value, "_meta"):
            try:
                value = field.to_python(value)
            except ValidationError:
                return str(value)
        return field.label_from_instance(value) if value is not None else "—"
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in field.choices}
        return str(labels.get(str(value), value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def apply_errors(form, exc, renamed: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form, field by field where the form has that
    field (`renamed` maps a service's field to the form's), the rest on the form itself."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = (renamed or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)
