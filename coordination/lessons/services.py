"""Writes of the lessons library: promote a retrospective entry, edit a lesson, spawn an
improvement action from it. The pages, the API and the admin call these."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.models import RootCause
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import notify, record_audit, snapshot
from coordination.lessons.models import Lesson, LessonDiscipline, LessonPhase
from coordination.reviews.models import ActionItem, Review
from coordination.reviews.services import ACTION_FIELDS, RETRO_FIELDS, can_edit_review
from projects.core.permissions import can_edit_plan

LESSON_FIELDS = ["title", "text", "kind", "phase", "discipline", "customer_type", "cause"]
TAG_FIELDS = ("phase", "discipline", "customer_type", "cause")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("你没有执行此操作的权限。"))


def can_promote(user, review: Review) -> bool:
    """Whoever keeps a review's minutes promotes its retrospective entries."""
    return can_edit_review(user, review)


def can_edit_lesson(user, lesson: Lesson) -> bool:
    """The person who promoted it, and PMO."""
    return can_write(user) and (is_pmo(user) or lesson.promoted_by_id == user.pk)


def can_spawn_action(user, lesson: Lesson) -> bool:
    """PMO, the person who promoted it, and the leads of its project."""
    if can_edit_lesson(user, lesson):
        return True
    return can_write(user) and lesson.project_id is not None and can_edit_plan(user, lesson.project)


def _clean_tags(tags: dict) -> dict:
    errors: dict[str, list[str]] = {}
    out = {
        "phase": str(tags.get("phase") or ""),
        "discipline": str(tags.get("discipline") or ""),
        "customer_type": str(tags.get("customer_type") or "").strip()[:60],
        "cause": str(tags.get("cause") or ""),
    }
    if out["phase"] not in LessonPhase.values:
        errors["phase"] = [_("请选择阶段。")]
    if out["discipline"] not in LessonDiscipline.values:
        errors["discipline"] = [_("请选择专业。")]
    if out["cause"] and out["cause"] not in RootCause.values:
        errors["cause"] = [_("原因应为五类原因之一。")]
    if errors:
        raise ValidationError(errors)
    return out


def _title_of(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 60 else first[:59] + "…"


@transaction.atomic
def promote_entry(review_id: int, *, by, field: str, index: int, title: str = "", **tags) -> Lesson:
    """Entry `index` of the review's `field` (went_well / went_wrong / improvements) becomes
    a lesson everyone in the company can read. An entry is promoted once (409 after)."""
    review = Review.objects.select_related("cadence", "project").get(pk=review_id)
    _require(can_promote(by, review))
    if field not in RETRO_FIELDS:
        raise ValidationError({"field": [_("条目类型无效。")]})
    entries = getattr(review, field) or []
    if not isinstance(index, int) or not 0 <= index < len(entries):
        raise ValidationError({"index": [_("没有这个条目。")]})
    text = str(entries[index].get("text", "")).strip()
    if not text:
        raise ValidationError({"index": [_("条目内容为空。")]})
    clean = _clean_tags(tags)
    if Lesson.objects.filter(review=review, source_field=field, source_index=index).exists():
        raise Conflict(_("这一条已整理为经验教训。"))
    try:
        with transaction.atomic():
            lesson = Lesson.objects.create(
                title=(title or "").strip()[:200] or _title_of(text),
                text=text,
                kind=field,
                review=review,
                source_field=field,
                source_index=index,
                project=review.project,
                promoted_by=by,
                **clean,
            )
    except IntegrityError as exc:  # a concurrent promotion of the same entry
        raise Conflict(_("这一条已整理为经验教训。")) from exc
    record_audit(
        actor=by,
        action="lesson.promoted",
        target=lesson,
        project_code=review.project.code if review.project_id else "",
        after={**snapshot(lesson, LESSON_FIELDS), "review": review.pk},
    )
    return lesson


@transaction.atomic
def update_lesson(lesson_id: int, *, by, **changes) -> Lesson:
    lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
    _require(can_edit_lesson(by, lesson))
    before = snapshot(lesson, LESSON_FIELDS)
    unknown = set(changes) - {"title", "text", *TAG_FIELDS}
    if unknown:
        raise ValidationError({name: [_("不能修改此字段。")] for name in sorted(unknown)})
    for name in ("title", "text"):
        if name in changes:
            value = str(changes[name] or "").strip()
            if not value:
                raise ValidationError({name: [_("不能为空。")]})
            setattr(lesson, name, value[:200] if name == "title" else value)
    current = {name: getattr(lesson, name) for name in TAG_FIELDS}
    current.update({k: v for k, v in changes.items() if k in TAG_FIELDS})
    for name, value in _clean_tags(current).items():
        setattr(lesson, name, value)
    lesson.save()
    record_audit(
        actor=by,
        action="lesson.updated",
        target=lesson,
        project_code=lesson.project.code if lesson.project_id else "",
        before=before,
        after=snapshot(lesson, LESSON_FIELDS),
    )
    return lesson


@transaction.atomic
def spawn_action(
    lesson_id: int, *, by, title: str, owner, due_date: datetime.date, description: str = ""
) -> ActionItem:
    """An improvement action from a lesson, tracked like any action item (my action items,
    overdue reminders and escalation); it belongs to the lesson's project if it has one."""
    lesson = Lesson.objects.select_related("project").get(pk=lesson_id)
    _require(can_spawn_action(by, lesson))
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写事项。")]
    if owner is None or not owner.is_active:
        errors["owner"] = [_("负责人无效。")]
    if not isinstance(due_date, datetime.date):
        errors["due_date"] = [_("请填写截止日期。")]
    if errors:
        raise ValidationError(errors)
    item = ActionItem.objects.create(
        lesson=lesson,
        project=lesson.project,
        title=title.strip()[:255],
        description=description or lesson.text,
        owner=owner,
        due_date=due_date,
        created_by=by,
    )
    record_audit(
        actor=by,
        action="action_item.created",
        target=item,
        project_code=lesson.project.code if lesson.project_id else "",
        after={**snapshot(item, ACTION_FIELDS), "lesson": lesson.pk},
    )
    if owner.pk != by.pk:
        notify(
            [owner],
            kind="action_item.assigned",
            project=lesson.project.code if lesson.project_id else "",
            subject=lambda: _("新的待办事项：%(title)s") % {"title": item.title},
            body=lambda: _("截止日期：%(due)s") % {"due": item.due_date.isoformat()},
            url=f"/lessons/{lesson.pk}/",
        )
    return item
