"""KPI admin: PMO edits definitions' targets and scorecard weights, reopens closed periods.

Surveys and complaints added here go through kpi.services (same audit trail as UI and API);
snapshots are read-only (they are the frozen record); reopening asks for a reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import IndexedValuesListFilter, ReadOnlyAdmin
from coordination.core.exceptions import Conflict
from coordination.core.services import record_audit, snapshot
from kpi import services
from kpi.models import (
    ClosedPeriod,
    Complaint,
    KpiDefinition,
    KpiSnapshot,
    ProjectCohort,
    Restatement,
    SatisfactionSurvey,
    Scorecard,
    ScorecardWeight,
)
from kpi.surveys import admin as survey_admin  # noqa: F401  (registers the survey links' admin)


class _AuditedAdmin(admin.ModelAdmin):
    """Changes made here leave an audit event with the changed fields before → after."""

    audit_fields: list[str] = []
    audit_action = ""

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            old = type(obj).objects.get(pk=obj.pk)
            before = snapshot(old, self.audit_fields)
        super().save_model(request, obj, form, change)
        after = snapshot(obj, self.audit_fields)
        changed = [k for k in self.audit_fields if before.get(k) != after.get(k)]
        if not change or changed:
            record_audit(
                actor=request.user,
                action=f"{self.audit_action}.{'updated' if change else 'created'}",
                target=obj,
                before={k: before.get(k) for k in changed} if change else None,
                after={k: after[k] for k in changed} if change else after,
                reason=str(_("管理后台修改")),
            )


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(_AuditedAdmin):
    list_display = [
        "project",
        "respondent",
        "overall_score",
        "surveyed_on",
        "source",
        "created_by",
    ]
    list_filter = ["source", "overall_score", "surveyed_on"]
    search_fields = ["project__code", "project__name", "respondent", "comments"]
    date_hierarchy = "surveyed_on"
    raw_id_fields = ["project"]
    readonly_fields = ["source", "created_by", "created_at", "updated_at"]
    audit_fields = services.SURVEY_FIELDS
    audit_action = "kpi.survey"
    list_select_related = ["project", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Complaint)
class ComplaintAdmin(_AuditedAdmin):
    list_display = [
        "project",
        "source",
        "category",
        "severity",
        "responsible_department",
        "opened_on",
        "owner",
        "response_due",
        "root_cause",
        "closed_on",
    ]
    list_filter = [
        "source",
        "severity",
        "category",
        "responsible_department",
        "root_cause",
        "opened_on",
    ]
    search_fields = ["project__code", "project__name", "description"]
    date_hierarchy = "opened_on"
    raw_id_fields = ["project"]
    # handling goes through kpi.complaints.services (the complaint's page and the API)
    readonly_fields = [
        "created_by",
        "created_at",
        "updated_at",
        "owner",
        "response_due",
        "response",
        "responded_on",
        "root_cause",
        "corrective_actions",
        "closed_by",
        "escalated_on",
    ]
    audit_fields = services.COMPLAINT_FIELDS
    audit_action = "kpi.complaint"
    list_select_related = ["project", "owner"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(_AuditedAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "unit",
        "direction",
        "target",
        "is_joint",
        "owner_department",
        "is_active",
    ]
    list_filter = ["direction", "is_joint", "owner_department", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["target", "is_active"]
    audit_fields = ["name_zh", "name_en", "unit", "direction", "target", "is_joint", "is_active"]
    audit_action = "kpi.definition"

    def get_readonly_fields(self, request, obj=None):
        # the code names the computation in kpi.selectors.kpi_values.CALCULATORS
        return ["code"] if obj else []


class ScorecardWeightInline(admin.TabularInline):
    model = ScorecardWeight
    extra = 0
    autocomplete_fields = ["kpi"]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["department", "title", "project_scope", "missing_data", "updated_at"]
    inlines = [ScorecardWeightInline]

    def save_formset(self, request, form, formset, change):
        before = {
            w.kpi.code: str(w.weight)
            for w in ScorecardWeight.objects.filter(scorecard=form.instance).select_related("kpi")
        }
        super().save_formset(request, form, formset, change)
        after = {
            w.kpi.code: str(w.weight)
            for w in ScorecardWeight.objects.filter(scorecard=form.instance).select_related("kpi")
        }
        if before != after:
            record_audit(
                actor=request.user,
                action="kpi.scorecard_weights_changed",
                target=form.instance,
                before=before,
                after=after,
            )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开原因"), widget=forms.Textarea, max_length=2000)


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(admin.ModelAdmin):
    list_display = ["period", "status", "closed_at", "closed_by", "reopened_at", "reopened_by"]
    list_filter = ["status"]
    list_select_related = ["closed_by", "reopened_by"]
    search_fields = ["period", "reopen_reason"]
    readonly_fields = [
        "period",
        "status",
        "closed_at",
        "closed_by",
        "reopened_at",
        "reopened_by",
        "reopen_reason",
    ]
    actions = ["reopen"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新打开所选期间（需填写原因）"))
    def reopen(self, request, queryset):
        form = ReopenForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for row in queryset:
                try:
                    done = services.reopen_period(
                        row.period, by=request.user, reason=form.cleaned_data["reason"]
                    )
                except (Conflict, PermissionDenied, ValidationError) as exc:
                    self.message_user(request, f"{row.period}: {exc}", messages.ERROR)
                else:
                    self.message_user(
                        request, _("已重新打开：%s") % ", ".join(done), messages.SUCCESS
                    )
            return None
        return render(
            request,
            "kpi/admin_reopen.html",
            {
                **self.admin_site.each_context(request),
                "title": _("重新打开已关账期间"),
                "periods": queryset,
                "form": form,
                "action": "reopen",
                "opts": self.model._meta,
            },
        )


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdmin):
    """2.4M rows at 100k projects: the list is ordered along the unique index (the model's
    order sorts a whole period, 0.5 s), counted once, and the period filter walks its index."""

    list_display = [
        "period",
        "kpi",
        "scope_type",
        "scope_key",
        "value",
        "numerator",
        "denominator",
        "computed_at",
    ]
    list_filter = [("period", IndexedValuesListFilter), "scope_type", "kpi"]
    search_fields = ["scope_key", "period", "kpi__code"]
    list_select_related = ["kpi"]
    ordering = ["kpi_id", "scope_type", "scope_key", "period"]
    show_full_result_count = False


@admin.register(ProjectCohort)
class ProjectCohortAdmin(admin.ModelAdmin):
    list_display = ["slug", "name"]
    search_fields = ["slug", "name", "projects__code"]
    autocomplete_fields = ["projects"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Restatement)
class RestatementAdmin(ReadOnlyAdmin):
    """Late inputs of closed periods; PMO decides on the restatement page (/kpi/restatements/),
    where restating or keeping a period asks for a reason and is audited."""

    list_display = ["period", "input_kind", "input_id", "project", "input_date", "status"]
    list_filter = ["status"]
    list_select_related = ["project"]
    search_fields = ["period", "project__code", "description"]
