from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core.uploads import allowed_extensions
from projects.documents.models import AttachedKind, Category

ACCEPT = ",".join(f".{ext}" for ext in allowed_extensions())


def _allowed_types() -> str:
    return gettext("允许：%(types)s") % {"types": ", ".join(allowed_extensions())}


# in the reader's language when the form is shown (not the language the server started in)
ALLOWED_TYPES = lazy(_allowed_types, str)


def _file_field() -> forms.FileField:
    return forms.FileField(
        label=_("文件"),
        allow_empty_file=True,  # the upload check answers "文件为空" itself
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
        help_text=ALLOWED_TYPES(),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=Category.choices,
        initial=Category.OTHER,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = _file_field()
    note = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class VersionForm(forms.Form):
    file = _file_field()
    note = forms.CharField(
        label=_("本版说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=[c for c in AttachedKind.choices if c[0]])
    target = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    caption = forms.CharField(label=_("标题"), max_length=200, required=False)
    file = _file_field()


class LibraryFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("全部类别")), *Category.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
