"""Forms for the kickoff page. Shape only: the rules live in coordination.kickoff.services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import Department
from coordination.core.people import PersonChoiceField
from coordination.kickoff.models import KickoffRole
from projects.core.team import people

User = get_user_model()


def _bootstrap(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class KickoffForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("会议时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    location = forms.CharField(label=_("地点/会议链接"), max_length=500, required=False)
    chair = PersonChoiceField(label=_("主持人"), queryset=User.objects.none())
    customer_core_needs = forms.CharField(
        label=_("客户核心需求"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_standards = forms.CharField(
        label=_("预期标准"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    feasibility_summary = forms.CharField(
        label=_("工程可行性摘要"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    milestones = forms.ModelMultipleChoiceField(
        label=_("关键里程碑（签署后成为承诺日期）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_plan = forms.CharField(
        label=_("风险应对总体安排"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    risks = forms.ModelMultipleChoiceField(
        label=_("风险计划"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("修订原因"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("承诺书已有人签署时，保存即生成新版本，需要全部签署人重新签署。"),
    )

    def __init__(self, *args, project, amending: bool = False, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self, meeting)
        self.fields["chair"].queryset = User.objects.filter(
            pk__in=[project.business_pm_id, project.engineering_pm_id]
        )
        self.fields["milestones"].queryset = project.milestones.all()
        self.fields["risks"].queryset = project.risks.all()
        self.fields["milestones"].label_from_instance = lambda m: f"{m.name} · {m.baseline_date}"
        if amending:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        _bootstrap(self)


# who may attend a kickoff or carry a responsibility: active people, never an API client's
# service account (the ERP robot)
PEOPLE = people().order_by("last_name", "first_name", "username")


class AttendeeForm(forms.Form):
    user = PersonChoiceField(label=_("参会人"), queryset=PEOPLE)
    role = forms.ChoiceField(label=_("会议角色"), choices=KickoffRole.choices)
    attended = forms.BooleanField(label=_("已出席"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ResponsibilityForm(forms.Form):
    area = forms.CharField(label=_("事项/领域"), max_length=200)
    department = forms.ChoiceField(label=_("责任部门"), choices=Department.choices)
    person = PersonChoiceField(
        label=_("责任人"),
        queryset=PEOPLE,
        required=False,
    )
    notes = forms.CharField(label=_("备注"), required=False, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=2, can_delete=True)
ResponsibilityFormSet = forms.formset_factory(ResponsibilityForm, extra=2, can_delete=True)


def rows(formset) -> list[dict]:
    """The filled, not-deleted rows of a valid formset."""
    out = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        out.append({k: v for k, v in data.items() if k != "DELETE"})
    return out
