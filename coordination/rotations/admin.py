"""PMO's back office for job rotations: the lifecycle is read here, moved on the pages (its
services check who may); approvals and check-ins are a record, never edited."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coordination.rotations import models


class ApprovalInline(admin.TabularInline):
    model = models.RotationApproval
    extra = 0
    can_delete = False
    fields = ("round", "side", "department", "decision", "approver", "on_behalf", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CheckInInline(admin.TabularInline):
    model = models.RotationCheckIn
    extra = 0
    can_delete = False
    fields = ("date", "author", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.JobRotation)
class JobRotationAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "from_department",
        "host_department",
        "to_project",
        "to_site",
        "status",
        "start_date",
        "end_date",
        "host_score",
    )
    list_filter = ("status", "from_department", "host_department", "start_date")
    search_fields = ("user__username", "to_site", "to_project__code", "reflection")
    autocomplete_fields = ("user", "to_project", "mentor")
    list_select_related = ("user", "to_project")
    # the lifecycle moves only through the services (pages, API): here it is read
    readonly_fields = (
        *models.LIFECYCLE_FIELDS,
        "reminded_month",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [ApprovalInline, CheckInInline]
    fieldsets = (
        (
            _("计划"),
            {
                "fields": (
                    "user",
                    "from_department",
                    "host_department",
                    "to_project",
                    "to_site",
                    "mentor",
                    "start_date",
                    "end_date",
                )
            },
        ),
        (_("进展"), {"fields": ("status", "round", "actual_start", "actual_end")}),
        (
            _("结束"),
            {"fields": ("reflection", "host_score", "host_assessment", "assessed_by", "closed_at")},
        ),
        (
            _("记录"),
            {
                "fields": (
                    "cancel_reason",
                    "reminded_month",
                    "created_by",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return False  # planned on the page, so the approvers are asked


@admin.register(models.RotationCheckIn)
class RotationCheckInAdmin(admin.ModelAdmin):
    list_display = ("rotation", "date", "author")
    list_select_related = ("rotation__user", "author")
    search_fields = ("rotation__user__username", "note")
    readonly_fields = ("rotation", "author", "date", "note", "created_at")

    def has_add_permission(self, request):
        return False
