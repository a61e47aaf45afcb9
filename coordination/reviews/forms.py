"""Forms of the review loop's HTML pages (shape only; rules live in
coordination.reviews.services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import MINUTES_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import Department
from coordination.core.people import PersonChoiceField, PersonMultipleChoiceField
from coordination.reviews.models import WEEKDAY_CHOICES, ActionItem, Review, ReviewKind

User = get_user_model()

RETRO_INPUTS = [
    ("went_well", "business", _("做得好的（业务）")),
    ("went_well", "engineering", _("做得好的（工程）")),
    ("went_wrong", "business", _("做得不好的（业务）")),
    ("went_wrong", "engineering", _("做得不好的（工程）")),
    ("improvements", "business", _("改进措施（业务）")),
    ("improvements", "engineering", _("改进措施（工程）")),
]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class ReviewMinutesForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=Review.Status.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, max_length=MINUTES_MAX_LENGTH, widget=_textarea(6)
    )
    decisions = forms.CharField(
        label=_("决议"), required=False, max_length=TEXT_MAX_LENGTH, widget=_textarea(3)
    )

    def __init__(self, *args, review: Review | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        add_version_field(self, review)
        for field, tag, label in RETRO_INPUTS:
            name = f"{field}_{tag}"
            initial = ""
            if review is not None:
                initial = "\n".join(
                    e.get("text", "") for e in getattr(review, field) if e.get("tag") == tag
                )
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                initial=initial,
                max_length=TEXT_MAX_LENGTH,
                widget=_textarea(2),
                help_text=_("每行一条。"),
            )

    def retro_entries(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {"went_well": [], "went_wrong": [], "improvements": []}
        for field, tag, _label in RETRO_INPUTS:
            for line in self.cleaned_data.get(f"{field}_{tag}", "").splitlines():
                if line.strip():
                    out[field].append({"text": line.strip(), "tag": tag})
        return out


class ActionItemForm(forms.Form):
    title = forms.CharField(
        label=_("事项"), max_length=255, widget=forms.TextInput(attrs={"class": "form-control"})
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
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


class CadenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("例会类型"),
        choices=ReviewKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    time_of_day = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"),
        min_value=5,
        max_value=600,
        initial=30,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    weekday = forms.TypedChoiceField(
        label=_("星期（每周例会）"),
        choices=[("", "—"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    day_of_month = forms.IntegerField(
        label=_("每月几号（月度复盘）"),
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    timezone = forms.CharField(
        label=_("时区"),
        max_length=64,
        initial="Asia/Shanghai",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ProjectCadenceForm(CadenceForm):
    """A project's cadence; its participants are chosen among the project's people (both PMs
    when none is ticked)."""

    participants = PersonMultipleChoiceField(
        label=_("参会人"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("不选则为双方项目经理。"),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people if people is not None else User.objects.none()


class CompanyCadenceForm(CadenceForm):
    """A company-wide or department cadence (e.g. the monthly business-engineering
    retrospective), set up by PMO with its participants."""

    departments = forms.MultipleChoiceField(
        label=_("参与部门"),
        choices=Department.choices,
        required=False,
        help_text=_("不选表示全公司。"),
        widget=forms.CheckboxSelectMultiple,
    )
    participants = PersonMultipleChoiceField(
        label=_("参会人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )
    everyone_of_departments = forms.BooleanField(
        label=_("加上所选部门的全部在职人员"), required=False
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people if people is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("everyone_of_departments") and not data.get("departments"):
            self.add_error("departments", _("请先选择部门。"))
        return data
