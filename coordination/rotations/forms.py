"""Forms of the job rotation pages (shape only; the rules live in rules.py and services.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import type_in_when_long
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import Department
from coordination.core.people import PersonChoiceField
from coordination.rotations.models import RotationApproval, RotationStatus
from projects.core.models import Project
from projects.core.team import people


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


def _date(required: bool = True, label=None) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class JobRotationForm(forms.Form):
    """The plan: who, from and to which department, the host project or site, the mentor,
    the planned dates."""

    user = PersonChoiceField(
        label=_("人员"),
        queryset=people().order_by("username"),
        required=False,
        help_text=_("留空表示本人。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    from_department = forms.ChoiceField(
        label=_("原部门"),
        choices=[("", _("本人所在部门")), *Department.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    host_department = forms.ChoiceField(
        label=_("接收部门"),
        choices=[("", _("另一方（工程/业务互换）")), *Department.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    to_project = forms.ModelChoiceField(
        label=_("轮岗项目"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    to_site = forms.CharField(
        label=_("轮岗现场/岗位"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    mentor = PersonChoiceField(
        label=_("导师"),
        queryset=people().order_by("username"),
        required=False,
        help_text=_("接收部门的人员，可稍后指定。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start_date = _date(label=_("计划开始日期"))
    end_date = _date(required=False, label=_("计划结束日期"))
    reflection = forms.CharField(
        label=_("体会与反思"), required=False, max_length=TEXT_MAX_LENGTH, widget=_textarea(3)
    )

    def __init__(self, *args, projects=None, can_choose_user: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_project"].queryset = (
            projects if projects is not None else Project.objects.none()
        )
        type_in_when_long(self, "to_project", keys=("code",), placeholder=_("项目编号"))
        type_in_when_long(self, "mentor", keys=("username",), placeholder=_("用户名"))
        if not can_choose_user:
            del self.fields["user"]
        else:
            type_in_when_long(self, "user", keys=("username",), placeholder=_("用户名"))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), *RotationStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class DecisionForm(forms.Form):
    side = forms.ChoiceField(
        label=_("审批方"),
        choices=[("", "—"), *RotationApproval.Side.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=NOTE_MAX_LENGTH, widget=_textarea(2)
    )


class CheckInForm(forms.Form):
    date = _date(required=False, label=_("日期"))
    note = forms.CharField(label=_("记录"), max_length=TEXT_MAX_LENGTH, widget=_textarea(3))


class CloseForm(forms.Form):
    reflection = forms.CharField(
        label=_("体会与反思"), required=False, max_length=TEXT_MAX_LENGTH, widget=_textarea(4)
    )
    host_score = forms.TypedChoiceField(
        label=_("接收方评分"),
        choices=[("", "—"), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    host_assessment = forms.CharField(
        label=_("接收方评价"), required=False, max_length=TEXT_MAX_LENGTH, widget=_textarea(3)
    )
    actual_end = _date(required=False, label=_("实际结束日期"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=NOTE_MAX_LENGTH, widget=_textarea(2))
