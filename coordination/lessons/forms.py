"""Forms of the lessons library (shape only; rules live in coordination.lessons.services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coordination.core.limits import TEXT_MAX_LENGTH
from coordination.core.models import RootCause
from coordination.core.people import PersonChoiceField
from coordination.lessons.models import LessonDiscipline, LessonPhase
from coordination.reviews.services import RETRO_FIELDS

User = get_user_model()


def _select(choices, label, required=True):
    return forms.ChoiceField(
        label=label,
        choices=choices if required else [("", "—"), *choices],
        required=required,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class TagsForm(forms.Form):
    phase = _select(LessonPhase.choices, _("阶段"))
    discipline = _select(LessonDiscipline.choices, _("专业"))
    customer_type = forms.CharField(
        label=_("客户类型"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "list": "lesson-customer-types"}
        ),
    )
    cause = _select(RootCause.choices, _("原因"), required=False)


class PromoteForm(TagsForm):
    field = forms.ChoiceField(choices=[(f, f) for f in RETRO_FIELDS], widget=forms.HiddenInput)
    index = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("留空则取条目的第一句。"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class LessonForm(TagsForm):
    title = forms.CharField(
        label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    text = forms.CharField(
        label=_("内容"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    field_order = ["title", "text", "phase", "discipline", "customer_type", "cause"]


class LessonFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    phase = _select(LessonPhase.choices, _("阶段"), required=False)
    discipline = _select(LessonDiscipline.choices, _("专业"), required=False)
    cause = _select(RootCause.choices, _("原因"), required=False)
    customer_type = forms.CharField(
        label=_("客户类型"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "list": "lesson-customer-types"}),
    )


class ImprovementActionForm(forms.Form):
    title = forms.CharField(
        label=_("改进措施"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    owner = PersonChoiceField(
        label=_("负责人"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, *args, owners=None, **kwargs):
        # beside the lesson's own form on its page: its ids must not collide (id_title)
        kwargs.setdefault("prefix", "action")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()
