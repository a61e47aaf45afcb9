"""PMO's back office for the lessons library: search, tags corrected through the same
service as the page (audited); lessons are promoted from a retrospective's page."""

from __future__ import annotations

from django.contrib import admin

from coordination.lessons import services
from coordination.lessons.models import Lesson

EDITABLE = ("title", "text", "phase", "discipline", "customer_type", "cause")


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "phase",
        "discipline",
        "cause",
        "customer_type",
        "project",
        "created_at",
    )
    list_filter = ("phase", "discipline", "cause", "kind")
    search_fields = ("title", "text", "customer_type", "project__code")
    list_select_related = ("project",)
    fields = (*EDITABLE, "kind", "project", "review", "promoted_by", "created_at", "updated_at")
    readonly_fields = ("kind", "project", "review", "promoted_by", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False  # promoted from a retrospective (its page or the API)

    def save_model(self, request, obj, form, change):
        services.update_lesson(
            obj.pk, by=request.user, **{name: form.cleaned_data[name] for name in EDITABLE}
        )
