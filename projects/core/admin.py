"""Admin for customers, projects, members, milestones, risks and the stage log.

Writes that have a rule go through projects.core.services (stage is read-only here; the stage
moves only through transition_project), so the admin leaves the same audit trail as the
UI and the API. Feature modules named `admin_*.py` in this package are loaded at the end.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import IndexedDateHierarchyMixin, ReadOnlyAdmin
from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import record_audit, snapshot
from projects.core import services, team
from projects.core.models import (
    Customer,
    DefaultMember,
    MemberRole,
    Milestone,
    Project,
    ProjectMembership,
    Risk,
    StageTransition,
)
from projects.core.permissions import can_create_customer, can_edit_customer

AUDIT_HISTORY_LIMIT = 20


def audit_history_html(project_code: str):
    events = AuditEvent.objects.filter(project_code=project_code)[:AUDIT_HISTORY_LIMIT]
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
        (
            (
                e.created_at.strftime("%Y-%m-%d %H:%M"),
                e.actor_label,
                e.action,
                e.target_repr,
                e.reason,
            )
            for e in events
        ),
    )
    link = reverse("admin:coordination_auditevent_changelist") + f"?project_code={project_code}"
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        '<tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
        _("时间"),
        _("操作方"),
        _("动作"),
        _("对象"),
        _("原因"),
        rows,
        link,
        _("查看全部审计事件"),
    )


def _data(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _copy_saved(target, saved) -> None:
    """Make the admin's in-memory object the one the service saved (inlines hang off it)."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class ServiceFormsetMixin:
    """Save milestone and risk inlines through their services; deletions are audited."""

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if model not in (Milestone, Risk):
            return super().save_formset(request, form, formset, change)
        fields = services.MILESTONE_FIELDS if model is Milestone else services.RISK_FIELDS
        create = services.create_milestone if model is Milestone else services.create_risk
        update = services.update_milestone if model is Milestone else services.update_risk
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_audit(
                actor=request.user,
                action=f"{model._meta.model_name}.deleted",
                target=obj,
                before=snapshot(obj, fields),
            )
            obj.delete()
        changed_map = {obj.pk: names for obj, names in formset.changed_objects}
        for obj in instances:
            try:
                if obj.pk is None:
                    create(formset.instance, by=request.user, data=_data(obj, fields))
                else:
                    names = [n for n in changed_map.get(obj.pk, []) if n in fields]
                    update(obj.pk, by=request.user, data=_data(obj, names))
            except (Conflict, ValidationError) as exc:
                detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", []))
                messages.error(request, f"{obj}: {detail}")


# ---------------------------------------------------------------- customers
@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "erp_id", "contact_name", "contact_phone", "updated_at"]
    search_fields = ["name", "erp_id", "contact_name", "contact_email"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # what the ERP owns on a customer it synced (services.update_customer refuses it)
        owned = services.CUSTOMER_ERP_FIELDS if obj is not None and obj.erp_id else []
        return [*owned, *self.readonly_fields]

    # The same rules as the API (projects.core.permissions): a customer the user may not
    # edit opens read-only, on top of the staff user's model permissions.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_create_customer(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed and can_write(request.user)
        return allowed and can_edit_customer(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None:
            return allowed and can_write(request.user)
        return allowed and can_edit_customer(request.user, obj)

    def save_model(self, request, obj, form, change):
        data = _data(obj, services.CUSTOMER_FIELDS)
        if change:
            saved = services.update_customer(obj.pk, by=request.user, data=data)
        else:
            saved = services.create_customer(by=request.user, data=data)
        _copy_saved(obj, saved)


# ---------------------------------------------------------------- projects
class MembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 0
    autocomplete_fields = ["user"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = [
        "name",
        "owner_department",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "status",
        "is_committed",
        "sequence",
    ]


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0
    fields = ["title", "category", "probability", "impact", "owner", "status"]
    autocomplete_fields = ["owner"]


class TransitionInline(admin.TabularInline):
    model = StageTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "from_stage", "to_stage", "actor", "reason", "overridden"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ServiceFormsetMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "customer",
        "stage",
        "is_key_project",
        "business_pm",
        "engineering_pm",
        "primary_owner",
        "contract_value",
        "forecast_end",
    ]
    list_filter = ["stage", "is_key_project", "primary_owner", "currency"]
    search_fields = ["code", "name", "erp_id", "customer__name"]
    list_select_related = ["customer", "business_pm", "engineering_pm"]
    autocomplete_fields = ["customer", "business_pm", "engineering_pm"]
    readonly_fields = [
        "code",
        "stage",
        "stage_before_hold",
        "stage_changed_at",
        "created_at",
        "updated_at",
        "audit_history",
    ]
    inlines = [MembershipInline, MilestoneInline, RiskInline, TransitionInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "customer", "erp_id", "is_key_project"]}),
        (_("阶段"), {"fields": ["stage", "stage_before_hold", "stage_changed_at"]}),
        (_("双项目经理"), {"fields": ["business_pm", "engineering_pm", "primary_owner"]}),
        (
            _("合同与预算"),
            {"fields": ["contract_value", "currency", "baseline_budget", "forecast_budget"]},
        ),
        (
            _("日期"),
            {
                "fields": [
                    "contract_signed_on",
                    "planned_start",
                    "planned_end",
                    "forecast_end",
                    "actual_start",
                    "actual_end",
                ]
            },
        ),
        (
            _("说明"),
            {"fields": ["description", "customer_core_needs", "expected_standards"]},
        ),
        (_("审计记录"), {"fields": ["audit_history", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("最近审计事件"))
    def audit_history(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return audit_history_html(obj.code)

    def save_model(self, request, obj, form, change):
        data = _data(obj, services.PROJECT_FIELDS)
        if change:
            saved = services.update_project(
                obj.pk, by=request.user, data=data, reason=str(_("后台修改"))
            )
        else:
            saved = services.create_project(by=request.user, data=data)
        _copy_saved(obj, saved)


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["project__code", "project__name", "user__username"]
    list_select_related = ["project", "user"]
    autocomplete_fields = ["project", "user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action="membership.changed" if change else "membership.added",
            target=obj,
            after={"user": obj.user.get_username(), "role": obj.role},
        )

    def delete_model(self, request, obj):
        record_audit(
            actor=request.user,
            action="membership.removed",
            target=obj,
            before={"user": obj.user.get_username(), "role": obj.role},
        )
        super().delete_model(request, obj)


class ProjectPlanAdmin(admin.ModelAdmin):
    """A milestone or a risk: saved through its service (validation, audit), never directly;
    its project is fixed once created."""

    service_fields: list[str] = []
    create = update = None

    def get_readonly_fields(self, request, obj=None):
        return ["project"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            names = [n for n in form.changed_data if n in self.service_fields]
            saved = self.update(obj.pk, by=request.user, data=_data(obj, names))
        else:
            saved = self.create(obj.project, by=request.user, data=_data(obj, self.service_fields))
        _copy_saved(obj, saved)


@admin.register(Milestone)
class MilestoneAdmin(IndexedDateHierarchyMixin, ProjectPlanAdmin):
    list_display = [
        "name",
        "project",
        "owner_department",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "status",
        "is_committed",
    ]
    list_filter = ["status", "owner_department", "is_committed"]
    search_fields = ["name", "project__code", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    date_hierarchy = "baseline_date"
    show_full_result_count = False  # 500k rows at 100k projects: one count, not two

    def get_queryset(self, request):
        # str() of a milestone names its project (autocomplete of kickoff meetings, deletes)
        return super().get_queryset(request).select_related("project")

    service_fields = services.MILESTONE_FIELDS
    create = staticmethod(services.create_milestone)
    update = staticmethod(services.update_milestone)


@admin.register(Risk)
class RiskAdmin(ProjectPlanAdmin):
    list_display = [
        "title",
        "project",
        "category",
        "probability",
        "impact",
        "owner",
        "owner_department",
        "status",
    ]
    list_filter = ["status", "category", "owner_department"]
    search_fields = ["title", "project__code", "project__name", "mitigation"]
    list_select_related = ["project", "owner"]
    autocomplete_fields = ["project", "owner"]
    show_full_result_count = False  # 200k rows at 100k projects: one count, not two

    service_fields = services.RISK_FIELDS
    create = staticmethod(services.create_risk)
    update = staticmethod(services.update_risk)


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdmin):
    """The stage log is written by transition_project only."""

    list_display = ["project", "from_stage", "to_stage", "actor", "created_at"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["project__code", "project__name", "reason"]
    list_select_related = ["project", "actor"]
    date_hierarchy = "created_at"


# ---------------------------------------------------------------- department defaults
class CompanyOrCustomerFilter(admin.SimpleListFilter):
    """Company defaults or customer-specific ones (not a list of every customer)."""

    title = _("范围")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("company", _("公司默认")), ("customer", _("客户专属"))]

    def queryset(self, request, queryset):
        if self.value() == "company":
            return queryset.filter(customer__isnull=True)
        if self.value() == "customer":
            return queryset.filter(customer__isnull=False)
        return queryset


class DefaultMemberForm(forms.ModelForm):
    """A default must fit its role (projects.core.team.role_refusal: department, no API
    client account, no read-only role) and be one of the default roles."""

    class Meta:
        model = DefaultMember
        fields = ["customer", "role", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields:
            self.fields["role"].choices = [
                (r.value, r.label) for r in MemberRole if r.value in team.DEFAULT_ROLES
            ]

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user is not None and role:
            refusal = team.role_refusal(user, role)
            if refusal:
                self.add_error("user", refusal)
        return data


@admin.register(DefaultMember)
class DefaultMemberAdmin(admin.ModelAdmin):
    """PMO's department defaults: who takes which role on every new project, for the company
    or for one customer (which then replaces the company's default for that role)."""

    form = DefaultMemberForm
    actions = None  # no bulk delete: each removal is audited (delete_model)
    list_display = ["role", "user", "customer", "created_at"]
    list_filter = ["role", CompanyOrCustomerFilter]
    search_fields = ["user__username", "customer__name", "customer__erp_id"]
    list_select_related = ["user", "customer"]
    autocomplete_fields = ["user", "customer"]

    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_pmo(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_pmo(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_pmo(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_pmo(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action="default_member.changed" if change else "default_member.added",
            target=obj,
            after={
                "role": obj.role,
                "user": obj.user.get_username(),
                "customer": obj.customer.erp_id or obj.customer.name if obj.customer else None,
            },
        )

    def delete_model(self, request, obj):
        record_audit(
            actor=request.user,
            action="default_member.removed",
            target=obj,
            before={"role": obj.role, "user": obj.user.get_username()},
        )
        super().delete_model(request, obj)
