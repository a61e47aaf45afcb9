"""Admin for people (users with their profile), the audit trail, notifications, counters and
login lockouts (django-axes' AccessAttempt rows, for PMO to see and lift).

The audit trail is append-only: nobody adds, edits or deletes an AuditEvent here.
"""

from __future__ import annotations

import time

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from coordination.core import login_protection
from coordination.core.admin_scale import (
    IndexedDateHierarchyMixin,
    IndexedValuesListFilter,
    ReadOnlyAdmin,
)
from coordination.core.audit_chain import verify_chain
from coordination.core.models import (
    AuditEvent,
    CompanyDayOff,
    Notification,
    NotificationDigest,
    NotificationPreference,
    Profile,
    Sequence,
)
from coordination.core.roles import is_pmo
from coordination.core.services import snapshot
from coordination.core.workdays import (
    DAY_OFF_FIELDS,
    delete_company_day_off,
    save_company_day_off,
)

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name_plural = _("用户资料")


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "department",
        "is_staff",
        "is_active",
    ]
    list_filter = ["profile__department", "is_staff", "is_superuser", "is_active", "groups"]
    list_select_related = ["profile"]

    @admin.display(description=_("部门"), ordering="profile__department")
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_department_display() if profile else ""


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "title", "language", "notify_email", "notify_chat"]
    list_filter = [
        "department",
        "language",
        "notify_email",
        "notify_chat",
        "notify_inapp",
        "daily_digest",
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title", "phone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(IndexedDateHierarchyMixin, ReadOnlyAdmin):
    """Read-only: the trail is written by services only."""

    list_display = [
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_repr",
        "project_code",
    ]
    # both columns lead an index: their values are walked, not SELECT DISTINCT over the trail
    list_filter = [("action", IndexedValuesListFilter), ("target_type", IndexedValuesListFilter)]
    search_fields = ["project_code", "target_repr", "actor_label", "action", "target_id", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    show_full_result_count = False  # the trail only grows: one count, not two

    def lookup_allowed(self, lookup, value, request=None):
        # The project admin links here with ?project_code=...
        return lookup == "project_code" or super().lookup_allowed(lookup, value, request)

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_chain_view)
        return [
            path("verify/", verify, name="coordination_auditevent_verify"),
            *super().get_urls(),
        ]

    def verify_chain_view(self, request):
        """校验审计链: what `manage.py verify_audit` reports, for PMO."""
        if not is_pmo(request.user):
            raise PermissionDenied
        started = time.perf_counter()
        report = verify_chain(AuditEvent)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("校验审计链"),
            "report": report,
            "seconds": time.perf_counter() - started,
            "broken_exists": report.broken_id is not None
            and AuditEvent.objects.filter(pk=report.broken_id).exists(),
        }
        return TemplateResponse(request, "admin/coordination/auditevent/verify.html", context)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "project_code", "subject", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "body", "user__username", "kind", "project_code"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Rows are the choices that differ from the default (on); users set them on their page
    (通知设置), which audits each change."""

    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["channel", "enabled", "kind"]
    search_fields = ["user__username", "kind"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(NotificationDigest)
class NotificationDigestAdmin(ReadOnlyAdmin):
    """One row per daily digest e-mail: written by the digest task only."""

    list_display = ["day", "user", "status", "count", "sent_at"]
    list_filter = ["status"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "day"


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "value"]
    search_fields = ["name"]


@admin.register(CompanyDayOff)
class CompanyDayOffAdmin(admin.ModelAdmin):
    """PMO's company days off and site shutdowns: every working-day computation skips them."""

    list_display = ("start", "end", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "start"

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = CompanyDayOff.objects.get(pk=obj.pk)
            before = snapshot(old, DAY_OFF_FIELDS)
        save_company_day_off(obj, by=request.user, before=before)

    def delete_model(self, request, obj):
        delete_company_day_off(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_company_day_off(obj, by=request.user)


@admin.register(AccessAttempt)
class LoginLockoutAdmin(admin.ModelAdmin):
    """登录失败记录 (django-axes' AccessAttempt): one row per (username, client address,
    browser) with its failures in the last 2 × LOGIN_LOCKOUT_SECONDS, and how long it must
    still wait. PMO lifts a lockout with 解除锁定 (or the row's delete button): the rows of that
    (username, address) go, one audit event each (login_protection.lift_lockouts)."""

    list_display = [
        "username",
        "ip_address",
        "failures",
        "last_failure",
        "locked_for",
        "path",
        "browser",
    ]
    list_display_links = ["username"]
    search_fields = ["username", "ip_address"]
    list_filter = ["path_info"]
    date_hierarchy = "attempt_time"
    ordering = ["-attempt_time"]
    actions = ["lift"]
    fields = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "path_info",
        "user_agent",
    ]
    readonly_fields = fields

    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_pmo(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_pmo(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_pmo(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # 解除锁定 deletes, audited
        return actions

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        waits = login_protection.waits_of(changelist.result_list)  # two queries for the page
        for attempt in changelist.result_list:
            attempt.wait = waits.get(attempt.pk, 0)
        return changelist

    @admin.display(description=_("失败次数"), ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description=_("最后一次失败"), ordering="attempt_time")
    def last_failure(self, obj):
        return obj.attempt_time

    @admin.display(description=_("锁定剩余"))
    def locked_for(self, obj):
        wait = getattr(obj, "wait", 0)
        if not wait:
            return gettext("未锁定")
        return ngettext("%(n)d 秒", "%(n)d 秒", wait) % {"n": wait}

    @admin.display(description=_("登录入口"), ordering="path_info")
    def path(self, obj):
        return obj.path_info

    @admin.display(description=_("浏览器"))
    def browser(self, obj):
        return obj.user_agent[:60]

    @admin.action(description=_("解除锁定"), permissions=["delete"])
    def lift(self, request, queryset):
        count = login_protection.lift_lockouts(queryset, by=request.user)
        messages.success(
            request,
            ngettext("已解除 %(n)d 条锁定记录。", "已解除 %(n)d 条锁定记录。", count)
            % {"n": count},
        )

    def delete_model(self, request, obj):
        login_protection.lift_lockouts([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        login_protection.lift_lockouts(queryset, by=request.user)
