"""Admin for change requests: audit-friendly and read-only.

Every write (create, submit, assess, approve, reject, withdraw, implement) goes through
projects.changes.services from the UI and API, where the row locks, permissions, forecast moves and
the
audit trail live; the admin only shows the requests, their decisions and milestone history.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import ReadOnlyMixin
from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange


class ChangeDecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = ChangeDecision
    fields = ["department", "decision", "decided_by", "comment", "decided_at"]
    extra = 0
    verbose_name_plural = _("部门审批")


class MilestoneChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = MilestoneChange
    fields = ["milestone", "old_forecast", "new_forecast", "created_at"]
    extra = 0
    verbose_name_plural = _("里程碑变更记录")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "project",
        "title",
        "origin",
        "status",
        "cost_impact",
        "currency",
        "schedule_impact_days",
        "requested_by",
        "submitted_at",
        "decided_at",
    ]
    list_filter = ["status", "origin", "currency", "project__stage"]
    search_fields = ["number", "title", "project__code", "project__name", "requested_by__username"]
    list_select_related = ["project", "requested_by"]
    date_hierarchy = "created_at"
    inlines = [ChangeDecisionInline, MilestoneChangeInline]
    fieldsets = [
        (None, {"fields": ["project", "number", "title", "origin", "status", "requested_by"]}),
        (
            _("影响"),
            {
                "fields": [
                    "description",
                    "cost_impact",
                    "currency",
                    "schedule_impact_days",
                    "affected_milestones",
                    "scope_impact",
                ]
            },
        ),
        (
            _("工程影响评估"),
            {"fields": ["effort_days", "assessment_risks", "assessed_by", "assessed_at"]},
        ),
        (
            _("流程记录"),
            {
                "fields": [
                    "submitted_at",
                    "decided_at",
                    "implemented_by",
                    "implemented_at",
                    "withdrawn_by",
                    "withdrawn_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]


@admin.register(ChangeDecision)
class ChangeDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["change_request", "department", "decision", "decided_by", "decided_at"]
    list_filter = ["department", "decision"]
    search_fields = [
        "change_request__number",
        "change_request__project__code",
        "decided_by__username",
        "comment",
    ]
    list_select_related = ["change_request", "decided_by"]


@admin.register(MilestoneChange)
class MilestoneChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["milestone", "change_request", "old_forecast", "new_forecast", "created_at"]
    search_fields = ["milestone__name", "change_request__number", "milestone__project__code"]
    list_select_related = ["milestone", "milestone__project", "change_request"]
    date_hierarchy = "created_at"
