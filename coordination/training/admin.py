"""PMO's back office for training: the topic list is kept here (audited); sessions,
attendance and materials are written by the pages and the API (services) and read here,
with the two moves PMO may make in bulk (held, cancelled) as actions through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import IndexedDateHierarchyMixin, ReadOnlyMixin
from coordination.core.exceptions import Conflict
from coordination.training import models, services


@admin.register(models.TrainingTopic)
class TrainingTopicAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "active", "order")
    list_editable = ("active", "order")
    list_filter = ("active",)
    search_fields = ("name", "name_en", "description")
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        services.save_topic(obj, by=request.user, adding=not change)

    def has_delete_permission(self, request, obj=None):
        return False  # a topic past sessions name is made inactive, never deleted


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = models.TrainingAttendance
    extra = 0
    fields = ("user", "invited", "attended", "marked_at", "score", "comment", "feedback_at")
    readonly_fields = fields


class MaterialInline(ReadOnlyMixin, admin.TabularInline):
    model = models.TrainingMaterial
    extra = 0
    fields = ("title", "current_version", "created_by", "updated_at")
    readonly_fields = fields


@admin.register(models.TrainingSession)
class TrainingSessionAdmin(IndexedDateHierarchyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "topic", "starts_at", "duration_minutes", "status", "trainer")
    list_filter = ("status", "topic")
    search_fields = ("title", "trainer_name", "description")
    date_hierarchy = "starts_at"
    list_select_related = ("topic", "trainer")
    inlines = [AttendanceInline, MaterialInline]
    actions = ["mark_held", "cancel"]

    def _move(self, request, queryset, move, done):
        moved = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                move(pk, by=request.user)
            except (Conflict, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                moved += 1
        self.message_user(request, done % {"n": moved}, messages.SUCCESS)

    @admin.action(description=_("确认已举行"))
    def mark_held(self, request, queryset):
        self._move(request, queryset, services.mark_held, _("%(n)s 场培训已确认举行。"))

    @admin.action(description=_("取消培训"))
    def cancel(self, request, queryset):
        self._move(request, queryset, services.cancel_session, _("%(n)s 场培训已取消。"))


@admin.register(models.TrainingMaterialVersion)
class TrainingMaterialVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("material", "version", "filename", "size", "uploaded_by", "uploaded_at")
    search_fields = ("material__title", "filename", "sha256")
    list_select_related = ("material", "uploaded_by")
