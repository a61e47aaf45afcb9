from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coordination.core.limits import TEXT_MAX_LENGTH
from coordination.core.people import PersonChoiceField
from kpi.models import RootCause


class AssignForm(forms.Form):
    owner = PersonChoiceField(
        label=_("负责人"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("答复"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    root_cause = forms.ChoiceField(label=_("根本原因"), choices=RootCause.choices)
    corrective_actions = forms.CharField(
        label=_("纠正措施"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
