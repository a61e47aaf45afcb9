from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import IndexedDateHierarchyMixin
from handover.models import Handover, HandoverItem, HandoverTemplate, HandoverTemplateItem
from handover.services import SNAPSHOT_FIELDS


class HandoverTemplateItemInline(admin.TabularInline):
    model = HandoverTemplateItem
    extra = 1
    ordering = ["order", "id"]
    fields = SNAPSHOT_FIELDS  # what a checklist copies from its template


@admin.register(HandoverTemplate)
class HandoverTemplateAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "is_default", "is_active", "item_count", "updated_at"]
    list_filter = ["is_active", "is_default"]
    search_fields = ["name_zh", "name_en", "items__title_zh", "items__title_en"]
    inlines = [HandoverTemplateItemInline]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("清单项数"))
    def item_count(self, obj):
        return obj.items.count()


class HandoverItemInline(admin.TabularInline):
    """Items change only through the checklist services (audited), so read-only here."""

    model = HandoverItem
    extra = 0
    can_delete = False
    ordering = ["order", "id"]
    fields = [
        "order",
        "title_zh",
        "category",
        "required",
        "evidence_kind",
        "status",
        "evidence_version",
        "evidence_link",
        "provided_by",
        "provided_at",
        "reviewed_by",
        "reviewed_at",
        "rejection_count",
        "rejection_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provided_by", "reviewed_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Handover)
class HandoverAdmin(IndexedDateHierarchyMixin, admin.ModelAdmin):
    list_display = [
        "project",
        "status",
        "due_date",
        "created_at",
        "submitted_at",
        "accepted_at",
        "template_name",
    ]
    list_filter = ["status", "due_date", "template"]
    search_fields = ["project__code", "project__name", "project__customer__name"]
    list_select_related = ["project"]
    date_hierarchy = "due_date"
    inlines = [HandoverItemInline]
    readonly_fields = [
        "project",
        "template",
        "template_name",
        "status",
        "created_at",
        "submitted_at",
        "accepted_at",
        "updated_at",
        "last_overdue_reminder_on",
    ]
    fields = readonly_fields[:3] + ["due_date"] + readonly_fields[3:]

    def has_add_permission(self, request):
        return False  # created by the contracted → handover hook


@admin.register(HandoverItem)
class HandoverItemAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "handover", "category", "required", "status", "rejection_count"]
    list_filter = ["status", "category", "required", "evidence_kind"]
    search_fields = ["title_zh", "title_en", "handover__project__code"]
    list_select_related = ["handover__project"]
    readonly_fields = [f.name for f in HandoverItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
