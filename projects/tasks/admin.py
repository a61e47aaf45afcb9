"""Admin for tasks: PMO reads the plan; every write goes through projects.tasks.services from
the pages and the API (row locks, roll-up, rescheduling, audit live there)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import ReadOnlyMixin
from projects.tasks.models import Task, TaskDependency


class PredecessorInline(ReadOnlyMixin, admin.TabularInline):
    model = TaskDependency
    fk_name = "successor"
    fields = ["predecessor", "type", "lag_days", "created_at"]
    extra = 0
    verbose_name_plural = _("前置任务")


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "project",
        "title",
        "department",
        "owner",
        "status",
        "planned_start",
        "planned_finish",
        "forecast_finish",
        "progress",
    ]
    list_filter = ["status", "department"]
    search_fields = ["title", "project__code", "owner__username"]
    list_select_related = ["project", "owner"]
    raw_id_fields = ["project", "parent", "milestone", "owner", "action_item"]
    inlines = [PredecessorInline]


@admin.register(TaskDependency)
class TaskDependencyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "predecessor", "type", "lag_days", "successor", "created_at"]
    list_filter = ["type"]
    search_fields = ["predecessor__title", "successor__title", "successor__project__code"]
    list_select_related = ["predecessor", "successor"]
    raw_id_fields = ["predecessor", "successor"]
