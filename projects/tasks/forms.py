"""HTML forms for tasks. They check shape only; projects.tasks.services decides the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import model_form_field
from projects.core.models import Milestone, Project
from projects.tasks.models import Task, TaskDependency

User = get_user_model()

PLAN_FIELDS = [
    "title",
    "description",
    "parent",
    "milestone",
    "owner",
    "department",
    "planned_start",
    "duration_days",
]
REPORT_FIELDS = [
    "status",
    "progress",
    "forecast_start",
    "forecast_finish",
    "actual_start",
    "actual_finish",
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def members(project: Project):
    """The project's people: both PMs and every member (owner choices)."""
    return (
        User.objects.filter(
            Q(pk=project.business_pm_id)
            | Q(pk=project.engineering_pm_id)
            | Q(project_memberships__project=project)
        )
        .filter(is_active=True)
        .distinct()
        .order_by("username")
    )


class TaskForm(forms.ModelForm):
    """A planner's form (every field); `report_only`: the owner's (progress, status, dates)."""

    class Meta:
        model = Task
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = [*PLAN_FIELDS, *REPORT_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            **{
                name: DATE
                for name in (
                    "planned_start",
                    "forecast_start",
                    "forecast_finish",
                    "actual_start",
                    "actual_finish",
                )
            },
        }
        help_texts = {
            "duration_days": _("工作日（按公司日历，跳过法定节假日，含调休上班日）"),
            "forecast_start": _("修改预测开始会顺延后续任务的预测，计划基线不变"),
        }

    def __init__(self, *args, project: Project, report_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_only = report_only
        if report_only:
            for name in PLAN_FIELDS:
                del self.fields[name]
        else:
            self.fields["owner"].queryset = members(project)
            parents = Task.objects.filter(project=project)
            if self.instance.pk:
                parents = parents.exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = parents.order_by("planned_start", "id")
            self.fields["milestone"].queryset = Milestone.objects.filter(project=project)
            self.fields["department"].required = False
        if not self.instance.pk:
            for name in REPORT_FIELDS:
                self.fields.pop(name, None)
        else:
            add_version_field(self, self.instance)
        _style(self)

    def service_data(self) -> dict:
        names = [n for n in self.fields if n != "edit_version"]
        data = {name: self.cleaned_data[name] for name in names}
        if "department" in data and not data["department"]:
            data.pop("department")
        return data


class DependencyForm(forms.Form):
    predecessor = forms.ModelChoiceField(queryset=Task.objects.none(), label=_("前置任务"))
    type = forms.ChoiceField(choices=TaskDependency.Type.choices, initial="FS", label=_("类型"))
    lag_days = forms.IntegerField(
        initial=0, min_value=-1000, max_value=1000, label=_("间隔(工作日)")
    )

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = (
            Task.objects.filter(project_id=task.project_id)
            .exclude(pk=task.pk)
            .order_by("planned_start", "id")
        )
        _style(self)


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Task.Status.choices], required=False, label=_("状态")
    )
    owner = forms.CharField(required=False, max_length=150, label=_("负责人"))
    department = forms.ChoiceField(required=False, label=_("部门"))
    milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.none(), required=False, label=_("里程碑")
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", _("全部部门")),
            *Task._meta.get_field("department").choices,
        ]
        self.fields["milestone"].queryset = Milestone.objects.filter(project=project)
        self.fields["milestone"].empty_label = _("全部里程碑")
        _style(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-sm"
                if field.widget.attrs["class"] == "form-control"
                else " form-select-sm"
            )

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["owner"]:
            qs = qs.filter(owner__username__icontains=data["owner"].strip())
        if data["department"]:
            qs = qs.filter(department=data["department"])
        if data["milestone"]:
            qs = qs.filter(milestone=data["milestone"])
        return qs
