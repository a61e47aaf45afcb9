"""Reads of the conversations room, shared by the thread include and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from coordination.conversations.models import Comment, CommentRevision
from coordination.conversations.targets import Target
from projects.core.selectors import visible_projects


def visible_comments(user) -> QuerySet[Comment]:
    """Every comment whose thread `user` may see: a thread is visible with its record's
    project (docs/conversations.md), so a comment is visible with its project."""
    return Comment.objects.filter(project__in=visible_projects(user))


def thread(target: Target) -> QuerySet[Comment]:
    """The comments of one target, oldest first, with author, mentions and edit history
    (three queries whatever the length of the thread)."""
    return (
        Comment.objects.filter(
            project=target.project, target_kind=target.kind, target_key=target.key
        )
        .select_related("author")
        .prefetch_related(
            "mentioned",
            Prefetch(
                "revisions",
                queryset=CommentRevision.objects.select_related("edited_by").order_by(
                    "edited_at", "id"
                ),
            ),
        )
        .order_by("created_at", "id")
    )
