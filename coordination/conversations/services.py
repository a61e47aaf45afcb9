"""Writes of the conversations room: post a comment, edit it within the edit window."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.conversations.markup import mentioned_usernames
from coordination.conversations.models import Comment, CommentRevision
from coordination.conversations.targets import Target
from coordination.core.exceptions import Conflict
from coordination.core.limits import COMMENT_MAX_LENGTH
from coordination.core.people import display_name
from coordination.core.roles import can_write
from coordination.core.services import notify, record_audit
from projects.core.models import Project, ProjectMembership

User = get_user_model()
MAX_BODY = COMMENT_MAX_LENGTH


def edit_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def project_members(project: Project):
    """The active people on `project`: its two PMs and its members (one query)."""
    return User.objects.filter(
        Q(pk__in=[project.business_pm_id, project.engineering_pm_id])
        | Q(pk__in=ProjectMembership.objects.filter(project=project).values("user_id")),
        is_active=True,
    )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("请填写评论内容。")]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [_("评论最多 %(n)d 个字符。") % {"n": MAX_BODY}]})
    return body


def _mentions(project: Project, body: str, author) -> list:
    names = mentioned_usernames(body)
    if not names:
        return []
    return [u for u in project_members(project).filter(username__in=names) if u.pk != author.pk]


def _notify_mentioned(people: list, comment: Comment, target: Target, author) -> None:
    who = display_name(author)
    code = target.project.code
    notify(
        people,
        kind="comment_mention",
        project=code,
        subject=lambda: _("%(who)s 在 %(code)s 的评论中提到了你") % {"who": who, "code": code},
        body=lambda: comment.body[:500],
        url=f"{target.url}#comment-{comment.pk}",
    )


@transaction.atomic
def post_comment(target: Target, *, by, body: str) -> Comment:
    """1. the author may write (not a read-only role) and sees the target (the caller resolved
    it with targets.resolve); 2. the comment is saved and audited; 3. each mentioned member
    of the project (not the author, not an outsider) is notified once on their channels."""
    if not can_write(by):
        raise PermissionDenied(_("只读角色不能发表评论。"))
    body = _clean_body(body)
    comment = Comment.objects.create(
        project=target.project,
        target_kind=target.kind,
        target_key=target.key,
        author=by,
        body=body,
    )
    people = _mentions(target.project, body, by)
    if people:
        comment.mentioned.set(people)
    record_audit(
        actor=by,
        action="comment.posted",
        target=comment,
        after={"target": target.value, "mentioned": [u.username for u in people]},
        project_code=target.project.code,
    )
    if people:
        _notify_mentioned(people, comment, target, by)
    return comment


def editable_until(comment: Comment) -> datetime.datetime:
    return comment.created_at + edit_window()


def can_edit(user, comment: Comment, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return comment.author_id == user.pk and can_write(user) and now <= editable_until(comment)


def require_author(user, comment: Comment) -> None:
    """Only the author edits a comment (and not from a read-only role)."""
    if comment.author_id != user.pk or not can_write(user):
        raise PermissionDenied(_("只有作者可以修改评论。"))


@transaction.atomic
def edit_comment(comment_id: int, target: Target, *, by, body: str) -> Comment:
    """1. lock the comment; 2. only its author, within COMMENT_EDIT_MINUTES of posting
    (else 403 for another person, 409 when the window has closed); 3. keep the previous text
    as a revision; 4. newly mentioned members are notified, earlier ones not again."""
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    require_author(by, comment)
    if timezone.now() > editable_until(comment):
        raise Conflict(
            _("评论只能在发表后 %(n)d 分钟内修改。") % {"n": settings.COMMENT_EDIT_MINUTES}
        )
    body = _clean_body(body)
    if body == comment.body:
        return comment
    before = comment.body
    CommentRevision.objects.create(comment=comment, body=before, edited_by=by)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    already = set(comment.mentioned.values_list("pk", flat=True))
    new_people = [u for u in _mentions(target.project, body, by) if u.pk not in already]
    if new_people:
        comment.mentioned.add(*new_people)
    record_audit(
        actor=by,
        action="comment.edited",
        target=comment,
        before={"body": before},
        after={"body": body},
        project_code=target.project.code,
    )
    if new_people:
        _notify_mentioned(new_people, comment, target, by)
    return comment
