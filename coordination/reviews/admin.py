"""Admin for the review loop: PMO edits cadences; reminders are an audit-friendly log."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import IndexedDateHierarchyMixin
from coordination.reviews import models
from coordination.reviews.services import generate_occurrences


@admin.register(models.ReviewCadence)
class ReviewCadenceAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "project",
        "kind",
        "time_of_day",
        "weekday",
        "day_of_month",
        "timezone",
        "is_active",
    )
    list_filter = ("kind", "is_active", "timezone")
    search_fields = ("title", "project__code", "project__name")
    list_select_related = ("project",)
    # users: searched, never listed in full in a select
    autocomplete_fields = ("project", "participants")
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ["generate_now"]

    @admin.action(description=_("立即生成未来的例会"))
    def generate_now(self, request, queryset):
        created = generate_occurrences(cadence_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已生成 %d 场例会。") % created, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        cadence = form.instance
        # Same default as the service: both PMs take part unless PMO chose otherwise.
        if not change and cadence.project_id and not cadence.participants.exists():
            cadence.participants.set([cadence.project.business_pm, cadence.project.engineering_pm])
        if cadence.is_active:
            generate_occurrences(cadence_ids=[cadence.pk])

    def get_queryset(self, request):
        # str() of a cadence names its project (autocomplete, delete pages)
        return super().get_queryset(request).select_related("project")


class ReviewAttendanceInline(admin.TabularInline):
    model = models.ReviewAttendance
    extra = 0
    autocomplete_fields = ("user",)


class ActionItemInline(admin.TabularInline):
    model = models.ActionItem
    extra = 0
    fields = ("title", "owner", "due_date", "status", "done_at")
    readonly_fields = ("done_at",)
    autocomplete_fields = ("owner",)
    fk_name = "review"


@admin.register(models.Review)
class ReviewAdmin(IndexedDateHierarchyMixin, admin.ModelAdmin):
    list_display = ("__str__", "project", "kind", "date", "starts_at", "status")
    list_filter = ("kind", "status", "date")
    search_fields = ("project__code", "project__name", "minutes", "decisions")
    date_hierarchy = "date"
    list_select_related = ("project",)
    readonly_fields = ("cadence", "project", "kind", "date", "created_at", "updated_at")
    inlines = [ReviewAttendanceInline, ActionItemInline]

    def get_queryset(self, request):
        # str() of a review names its project (autocomplete, readonly links, delete pages)
        return super().get_queryset(request).select_related("project", "cadence__project")


@admin.register(models.ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "owner", "due_date", "status", "done_at")
    list_filter = ("status", "due_date")
    search_fields = ("title", "description", "owner__username", "project__code")
    list_select_related = ("project", "owner")
    autocomplete_fields = ("owner", "project")
    raw_id_fields = ("review", "lesson")
    readonly_fields = ("created_by", "created_at", "updated_at", "done_at")


@admin.register(models.Reminder)
class ReminderAdmin(IndexedDateHierarchyMixin, admin.ModelAdmin):
    """The outbox log. Rows are written by the ticks; PMO may only requeue failed ones."""

    list_display = (
        "subject",
        "recipient",
        "channel",
        "kind",
        "status",
        "attempts",
        "failure_reason",
        "error",
        "due_at",
        "sent_at",
    )
    list_filter = ("status", "failure_reason", "channel", "kind")
    search_fields = ("subject", "recipient__username", "target_key", "last_error")
    date_hierarchy = "due_at"
    list_select_related = ("recipient",)
    show_full_result_count = False  # 560k rows at 100k projects: one count, not two
    actions = ["requeue"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("最近错误"))
    def error(self, obj):
        # the whole text is on the row's page
        return Truncator(obj.last_error).chars(80)

    @admin.action(description=_("重新发送失败的提醒"))
    def requeue(self, request, queryset):
        count = queryset.filter(status=models.Reminder.Status.FAILED).update(
            status=models.Reminder.Status.PENDING,
            next_attempt_at=None,
            attempts=0,
            failure_reason="",
        )
        self.message_user(request, _("已重新排队 %d 条提醒。") % count, messages.SUCCESS)
