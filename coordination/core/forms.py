"""Form helpers shared by the apps' HTML forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
