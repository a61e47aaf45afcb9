"""HTML forms: they check shape; the services in projects.core.services decide the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import (
    CHOICE_LIMIT,
    add_version_field,
    fill_choices,
    search_field,
    type_in_when_long,
)
from coordination.core.limits import NOTE_MAX_LENGTH, model_form_field
from coordination.core.people import PersonChoiceField
from projects.core.models import (
    Customer,
    MemberRole,
    Milestone,
    PrimaryOwner,
    Project,
    Risk,
    Stage,
    check_planned_dates,
)
from projects.core.selectors import customer_contains, pm_contains
from projects.core.services import (
    CUSTOMER_ERP_FIELDS,
    CUSTOMER_FIELDS,
    MILESTONE_FIELDS,
    PROJECT_FIELDS,
    RISK_FIELDS,
)
from projects.core.team import eligible_users

User = get_user_model()


class BootstrapMixin:
    """Give every widget Bootstrap's classes so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _users():
    return User.objects.filter(is_active=True).order_by("username")


class ProjectFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    stage = forms.ChoiceField(
        label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices]
    )
    customer = forms.ModelChoiceField(
        label=_("客户"), required=False, queryset=Customer.objects.all(), empty_label=_("全部客户")
    )
    business_pm = PersonChoiceField(
        label=_("业务项目经理"), required=False, queryset=User.objects.none(), empty_label=_("全部")
    )
    engineering_pm = PersonChoiceField(
        label=_("工程项目经理"), required=False, queryset=User.objects.none(), empty_label=_("全部")
    )
    primary_owner = forms.ChoiceField(
        label=_("主责方"), required=False, choices=[("", _("全部")), *PrimaryOwner.choices]
    )
    key = forms.ChoiceField(
        label=_("重点项目"),
        required=False,
        choices=[("", _("全部")), ("1", _("仅重点项目")), ("0", _("非重点项目"))],
    )

    # A filter with more than CHOICE_LIMIT choices is typed (a search) instead of picked: at
    # 100,000 projects the PMO's three lists held 14,000 options (800 KB of HTML).
    SEARCHES = {
        "customer": (customer_contains, _("客户名称或 ERP 编号")),
        "business_pm": (lambda text: pm_contains(text, "business_pm"), _("用户名或姓名")),
        "engineering_pm": (lambda text: pm_contains(text, "engineering_pm"), _("用户名或姓名")),
    }

    def __init__(self, *args, visible=None, **kwargs):
        """`visible`: the projects the user may see (None: all); choices only name what they
        contain.
        A list longer than CHOICE_LIMIT becomes a text search (one query either way)."""
        super().__init__(*args, **kwargs)
        customers = Customer.objects.all()
        if visible is None:  # the user sees every project: every customer (no semi-join)
            visible = Project.objects.all()
        else:
            customers = customers.filter(pk__in=visible.values("customer_id"))
        self.fields["customer"].queryset = customers.order_by("name", "pk")
        self.fields["business_pm"].queryset = _users().filter(
            pk__in=visible.values("business_pm_id")
        )
        self.fields["engineering_pm"].queryset = _users().filter(
            pk__in=visible.values("engineering_pm_id")
        )
        for name, (_match, placeholder) in self.SEARCHES.items():
            if not fill_choices(self.fields[name]):
                self.fields[name] = search_field(self.fields[name].label, placeholder)
        self.fields["q"].widget.attrs["placeholder"] = _("编号、名称或客户")

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            qs = qs.filter(
                Q(code__icontains=term)
                | Q(name__icontains=term)
                | Q(customer__name__icontains=term)
            )
        if data["stage"]:
            qs = qs.filter(stage=data["stage"])
        for name, (match, _placeholder) in self.SEARCHES.items():
            value = data[name]
            if isinstance(value, str):  # typed: a "contains" search
                if value.strip():
                    qs = qs.filter(match(value.strip()))
            elif value:
                qs = qs.filter(**{name: value})
        if data["primary_owner"]:
            qs = qs.filter(primary_owner=data["primary_owner"])
        if data["key"] in {"0", "1"}:
            qs = qs.filter(is_key_project=data["key"] == "1")
        return qs


class ProjectForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Project
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = [f for f in PROJECT_FIELDS if f != "erp_id"]
        widgets = {
            "contract_signed_on": DateInput(),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "forecast_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "customer_core_needs": forms.Textarea(attrs={"rows": 3}),
            "expected_standards": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # only people who fit the role (projects.core.team, the services check it again);
        # an existing project's current PM stays choosable
        for name, role in (
            ("business_pm", MemberRole.BUSINESS_PM),
            ("engineering_pm", MemberRole.ENGINEERING_PM),
        ):
            current = getattr(self.instance, f"{name}_id", None)
            eligible = Q(pk__in=eligible_users(role).values("pk"))
            self.fields[name].queryset = _users().filter(
                eligible | Q(pk=current) if current else eligible
            )
        self.fields["customer"].queryset = Customer.objects.order_by("name", "pk")
        type_in_when_long(
            self, "customer", keys=("erp_id", "name"), placeholder=_("客户 ERP 编号或全称")
        )
        for name in ("business_pm", "engineering_pm"):
            type_in_when_long(self, name, keys=("username",), placeholder=_("用户名"))
        if self.instance.pk:
            add_version_field(self, self.instance)

    def clean(self):
        # The dates' rule as a sentence on planned_end, never the constraint's name (a field
        # with an error is left out of the model's constraint check).
        data = super().clean()
        try:
            check_planned_dates(data.get("planned_start"), data.get("planned_end"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def changed_service_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields
        }


class MilestoneForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = MILESTONE_FIELDS
        widgets = {
            "baseline_date": DateInput(),
            "forecast_date": DateInput(),
            "actual_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forecast_date"].required = False
        if self.instance.pk:
            add_version_field(self, self.instance)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RiskForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Risk
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = RISK_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "contingency": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("目标阶段"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override = forms.BooleanField(label=_("PMO豁免未满足的条件"), required=False)


class MemberForm(BootstrapMixin, forms.Form):
    """Add a member: a person of a delivery department and a role. The picker lists the
    people who fit some role, grouped by department; projects.core.team.add_member checks
    that the person fits the chosen one."""

    user = PersonChoiceField(label=_("人员"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("项目角色"), choices=MemberRole.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = eligible_users()
        people = list(field.queryset[: CHOICE_LIMIT + 1])
        if len(people) > CHOICE_LIMIT:
            type_in_when_long(self, "user", keys=("username",), placeholder=_("用户名"))
            return
        groups: dict[str, list] = {}
        for person in people:
            groups.setdefault(person.profile.get_department_display(), []).append(
                (person.pk, field.label_from_instance(person))
            )
        field.choices = [("", "---------"), *groups.items()]


class CustomerFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("名称、ERP编号、联系人")

    def apply(self, qs):
        if self.is_valid() and self.cleaned_data["q"].strip():
            term = self.cleaned_data["q"].strip()
            qs = qs.filter(
                Q(name__icontains=term)
                | Q(erp_id__icontains=term)
                | Q(contact_name__icontains=term)
                | Q(contact_email__icontains=term)
            )
        return qs


class CustomerForm(BootstrapMixin, forms.ModelForm):
    """A customer; an ERP customer's ERP-owned fields are shown disabled (never posted, and
    projects.core.services.update_customer refuses them anyway)."""

    class Meta:
        model = Customer
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = CUSTOMER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            add_version_field(self, self.instance)
            if self.instance.erp_id:
                for name in CUSTOMER_ERP_FIELDS:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("由ERP同步维护，只读")

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }
