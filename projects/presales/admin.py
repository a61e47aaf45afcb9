"""Admin for feasibility assessments and quotes: audit-friendly, history read-only.

Every write (create, edit, submit, approve, return, quote) goes through projects.presales.services
in the
UI and API, where permissions, versioning and the audit trail live; the admin only shows.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.presales.models import COST_FIELDS, FeasibilityAssessment, Quote


class QuoteInline(admin.TabularInline):
    model = Quote
    fields = [
        "revision",
        "is_current",
        "quoted_price",
        "currency",
        "promised_delivery_date",
        "author",
        "created_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("依据此评估的报价")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeasibilityAssessment)
class FeasibilityAssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "version",
        "status",
        "verdict",
        "total_cost",
        "currency",
        "estimated_duration_days",
        "author",
        "decided_by",
        "updated_at",
    ]
    list_filter = ["status", "verdict", "project__stage", "project__is_key_project"]
    search_fields = ["project__code", "project__name", "author__username", "conditions"]
    list_select_related = ["project", "author", "decided_by"]
    autocomplete_fields: list = []
    date_hierarchy = "created_at"
    inlines = [QuoteInline]
    fieldsets = [
        (None, {"fields": ["project", "version", "status", "verdict", "conditions"]}),
        (
            _("成本估算"),
            {"fields": [*COST_FIELDS, "total_cost", "currency", "estimated_duration_days"]},
        ),
        (_("风险与假设"), {"fields": ["key_risks", "assumptions"]}),
        (
            _("审批记录"),
            {
                "fields": [
                    "author",
                    "based_on",
                    "submitted_at",
                    "decided_by",
                    "decided_at",
                    "return_reason",
                    "superseded_at",
                    "risks_copied_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False  # created by engineering through the UI/API (version numbering, checks)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "revision",
        "is_current",
        "quoted_price",
        "currency",
        "promised_delivery_date",
        "assessment",
        "author",
        "created_at",
    ]
    list_filter = ["is_current", "currency", "project__stage", "project__is_key_project"]
    search_fields = ["project__code", "project__name", "author__username", "notes"]
    list_select_related = ["project", "assessment", "assessment__project", "author"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False  # PUT /api/v1/projects/{code}/quote/ or the quote form

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
