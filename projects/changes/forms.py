"""HTML forms for change requests. They check shape only; projects.changes.services decides the
rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, model_form_field
from projects.changes.models import ChangeRequest
from projects.core.models import Milestone


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class ChangeRequestForm(forms.ModelForm):
    class Meta:
        model = ChangeRequest
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = [
            "title",
            "origin",
            "description",
            "cost_impact",
            "currency",
            "schedule_impact_days",
            "affected_milestones",
            "scope_impact",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "scope_impact": forms.Textarea(attrs={"rows": 3}),
            "affected_milestones": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "cost_impact": _("增加为正，减少为负"),
            "schedule_impact_days": _("延后为正，提前为负"),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affected_milestones"].queryset = Milestone.objects.filter(project=project)
        if self.instance.pk:
            add_version_field(self, self.instance)
        _style(self)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["affected_milestones"] = [m.pk for m in data["affected_milestones"]]
        return data


class AssessForm(forms.Form):
    effort_days = forms.DecimalField(
        label=_("评估工作量(人天)"), min_value=0, max_digits=10, decimal_places=1
    )
    assessment_risks = forms.CharField(
        label=_("评估风险"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    schedule_impact_days = forms.IntegerField(
        label=_("工期影响(工作日)"), required=False, help_text=_("如评估后需修正，请填写")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DecisionForm(forms.Form):
    """A move of a change request: the decision's comment and department, and the version of
    the request the page showed."""

    edit_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    department = forms.ChoiceField(
        label=_("代表部门"),
        required=False,
        choices=[
            ("", "-"),
            ("business", _("业务部")),
            ("engineering", _("工程管理部")),
            ("finance", _("财务部")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
