"""Admin for payment milestones: PMO reads them; every write goes through
projects.payments.services from the pages and the API (contract check, audit, notices)."""

from django.contrib import admin

from coordination.core.admin_scale import ReadOnlyMixin
from projects.payments.models import PaymentMilestone


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "project",
        "name",
        "amount",
        "due_condition",
        "milestone",
        "baseline_due_date",
        "due_date",
        "invoiced_on",
        "received_on",
    ]
    list_filter = ["due_condition"]
    search_fields = ["name", "project__code"]
    list_select_related = ["project", "milestone"]
    raw_id_fields = ["project", "milestone"]
    date_hierarchy = "due_date"
