"""Admin for kickoff meetings and commitments. Commitments and signatures are read-only here:
they change only through the services (generate, sign, amend)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from coordination.core.admin_scale import ReadOnlyAdmin
from coordination.core.services import record_audit
from coordination.kickoff.models import (
    CollaborationCommitment,
    KickoffAttendee,
    KickoffMeeting,
    ResponsibilityAssignment,
    Signature,
)
from coordination.kickoff.verification import verify_commitment


class _FrozenWhenHeld:
    """A held meeting's record feeds the commitment: change it by an amendment, not here."""

    def _held(self, obj) -> bool:
        return obj is not None and obj.status == KickoffMeeting.Status.HELD

    def has_add_permission(self, request, obj=None):
        return not self._held(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._held(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._held(obj) and super().has_delete_permission(request, obj)


class KickoffAttendeeInline(_FrozenWhenHeld, admin.TabularInline):
    model = KickoffAttendee
    extra = 0
    raw_id_fields = ["user"]


class ResponsibilityInline(_FrozenWhenHeld, admin.TabularInline):
    model = ResponsibilityAssignment
    extra = 0
    raw_id_fields = ["person"]


@admin.register(KickoffMeeting)
class KickoffMeetingAdmin(admin.ModelAdmin):
    list_display = ["project", "scheduled_at", "location", "chair", "status", "held_at"]
    list_filter = ["status", "scheduled_at"]
    search_fields = ["project__code", "project__name", "location"]
    list_select_related = ["project", "chair"]
    raw_id_fields = ["project", "chair"]
    # 500k milestones / 200k risks at 100k projects: searched, never listed in a select
    autocomplete_fields = ["milestones", "risks"]
    readonly_fields = ["status", "held_at", "created_by", "created_at", "updated_at"]
    inlines = [KickoffAttendeeInline, ResponsibilityInline]

    def get_queryset(self, request):
        # str() of a meeting names its project (list, autocomplete, delete pages)
        return super().get_queryset(request).select_related("project")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == KickoffMeeting.Status.HELD:
            # A held meeting's record feeds the commitment: change it by an amendment.
            return [f.name for f in obj._meta.fields] + ["milestones", "risks"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            record_audit(
                actor=request.user,
                action="kickoff.updated",
                target=obj,
                after={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
                reason="admin",
            )


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    fields = ["signer", "role", "department", "signed_at", "content_hash", "key_id", "hmac"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("signer", "commitment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CollaborationCommitment)
class CollaborationCommitmentAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "status", "short_hash", "opened_at", "signed_at"]
    list_filter = ["status", "signed_at"]
    search_fields = ["project__code", "project__name", "content_hash"]
    list_select_related = ["project"]
    inlines = [SignatureInline]
    fields = [
        "project",
        "meeting",
        "version",
        "status",
        "content_hash",
        "verification",
        "supersedes",
        "amendment_reason",
        "created_by",
        "created_at",
        "opened_at",
        "signed_at",
        "superseded_at",
        "text_zh",
        "text_en",
        "canonical_content",
    ]
    readonly_fields = fields

    @admin.display(description=_("内容哈希"))
    def short_hash(self, obj):
        return obj.content_hash[:12]

    @admin.display(description=_("校验"))
    def verification(self, obj):
        result = verify_commitment(obj)
        findings = result["findings"]
        if result["valid"]:
            return format_html('<strong style="color:green">{}</strong>', _("校验通过"))
        return format_html(
            '<strong style="color:#b00">{}</strong><br>{}',
            _("校验失败"),
            format_html_join(
                "", "<code>{}</code> {}<br>", ((f["field"], f["message"]) for f in findings)
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "signer", "role", "department", "signed_at", "key_id"]
    list_filter = ["role", "department", "signed_at"]
    search_fields = ["commitment__project__code", "signer__username", "content_hash"]
    list_select_related = ["commitment__project", "signer"]
    readonly_fields = [
        "commitment",
        "signer",
        "department",
        "role",
        "signed_at",
        "content_hash",
        "hmac",
        "key_id",
    ]
