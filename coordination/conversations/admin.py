from django.contrib import admin

from coordination.conversations.models import Comment, CommentRevision


class RevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    can_delete = False
    readonly_fields = ["body", "edited_by", "edited_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """PMO reads threads; comments are written on the pages and by the API (audited)."""

    list_display = ["id", "project", "target_kind", "target_key", "author", "created_at"]
    list_filter = ["target_kind"]
    search_fields = ["project__code", "author__username", "body"]
    list_select_related = ["project", "author"]
    raw_id_fields = ["project", "author"]
    readonly_fields = [
        "project",
        "target_kind",
        "target_key",
        "author",
        "body",
        "mentioned",
        "created_at",
        "edited_at",
    ]
    inlines = [RevisionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
