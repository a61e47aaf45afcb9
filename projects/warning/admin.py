"""PMO's back office for the early warning: model versions (read-only) and warnings."""

from django.contrib import admin

from .models import EarlyWarning, WarningModel


@admin.register(WarningModel)
class WarningModelAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "outcome",
        "algorithm",
        "finished_projects",
        "window_start",
        "window_end",
        "trained_at",
        "is_active",
    ]
    list_filter = ["outcome", "algorithm", "is_active"]
    readonly_fields = [f.name for f in WarningModel._meta.fields if f.name != "is_active"]

    def has_add_permission(self, request):
        return False


@admin.register(EarlyWarning)
class EarlyWarningAdmin(admin.ModelAdmin):
    list_display = ["project", "slip_probability", "overrun_probability", "model_version"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name"]
    readonly_fields = [f.name for f in EarlyWarning._meta.fields]

    def has_add_permission(self, request):
        return False
