"""Services of the review loop (例会机制): cadences, occurrences, minutes, action items.
The API, the HTML views, the admin and the Celery tasks call these."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import workdays
from coordination.core.concurrency import Expected, check_version
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import notify, record_audit, snapshot
from coordination.core.workdays import calendar
from coordination.reviews.models import (
    ActionItem,
    Review,
    ReviewAttendance,
    ReviewCadence,
    ReviewKind,
)
from projects.core.permissions import can_edit_plan, can_edit_project
from projects.tasks import services as task_services
from projects.tasks.models import Task

User = get_user_model()

RETRO_FIELDS = ("went_well", "went_wrong", "improvements")
RETRO_TAGS = ("business", "engineering")

# How far ahead each kind is generated: a monthly run must reach next month's date.
HORIZON_DAYS = {
    ReviewKind.DAILY_STANDUP: 14,
    ReviewKind.WEEKLY_MEETING: 35,
    ReviewKind.MONTHLY_RETROSPECTIVE: 62,
}

CADENCE_SCHEDULE_FIELDS = [
    "kind",
    "title",
    "time_of_day",
    "duration_minutes",
    "weekday",
    "day_of_month",
    "timezone",
    "departments",
]
CADENCE_FIELDS = [*CADENCE_SCHEDULE_FIELDS, "is_active"]
REVIEW_FIELDS = ["status", "minutes", "decisions", *RETRO_FIELDS]
ACTION_FIELDS = ["title", "description", "owner", "due_date", "status"]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("你没有执行此操作的权限。"))


def _is_project_lead(user, project) -> bool:
    return project is not None and can_edit_plan(user, project)


def can_manage_cadence(user, project) -> bool:
    """PMO everywhere; the project's PMs and leads for their project's cadences."""
    if not can_write(user):
        return False
    if is_pmo(user):
        return True
    if project is None:
        return False

    return can_edit_project(user, project)


def can_edit_review(user, review: Review) -> bool:
    """PMO, the project's leads, and the cadence's participants keep the minutes."""
    if not can_write(user):
        return False
    if is_pmo(user) or _is_project_lead(user, review.project):
        return True
    return review.cadence.participants.filter(pk=user.pk).exists()


def can_edit_action_item(user, item: ActionItem) -> bool:
    if not can_write(user):
        return False
    if item.owner_id == user.pk or is_pmo(user) or _is_project_lead(user, item.project):
        return True
    return item.review is not None and can_edit_review(user, item.review)


# --- cadences and occurrences ---------------------------------------------------------------


def _cadence_snapshot(cadence: ReviewCadence) -> dict:
    data = snapshot(cadence, CADENCE_FIELDS)
    data["time_of_day"] = cadence.time_of_day.isoformat() if cadence.time_of_day else None
    return data


def _validate_cadence(cadence: ReviewCadence) -> None:
    errors: dict[str, list[str]] = {}
    if cadence.kind == ReviewKind.WEEKLY_MEETING and cadence.weekday is None:
        errors["weekday"] = [_("每周例会需要指定星期。")]
    if cadence.kind == ReviewKind.MONTHLY_RETROSPECTIVE and not cadence.day_of_month:
        errors["day_of_month"] = [_("月度复盘需要指定每月几号。")]
    try:
        zoneinfo.ZoneInfo(cadence.timezone)
    except Exception:
        errors["timezone"] = [_("无效的时区。")]
    departments = cadence.departments or []
    if not isinstance(departments, list) or any(d not in Department.values for d in departments):
        errors["departments"] = [_("部门无效。")]
    elif departments and cadence.project_id:
        errors["departments"] = [_("项目例会不按部门设置；部门例会请在公司例会中设立。")]
    else:
        cadence.departments = sorted(set(departments), key=Department.values.index)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_cadence(
    *,
    by,
    project=None,
    kind: str,
    time_of_day: datetime.time | None = None,
    weekday: int | None = None,
    day_of_month: int | None = None,
    tz: str = "",
    title: str = "",
    duration_minutes: int = 30,
    participants: Iterable | None = None,
    departments: list[str] | None = None,
    is_active: bool = True,
    generate: bool = True,
) -> ReviewCadence:
    """A new cadence; both PMs take part by default. A company-wide or department cadence (no
    project) names its participants. Its first occurrences are generated now."""
    _require(can_manage_cadence(by, project))
    cadence = ReviewCadence(
        project=project,
        kind=kind,
        title=title or "",
        time_of_day=time_of_day or datetime.time(9, 0),
        duration_minutes=duration_minutes or 30,
        weekday=weekday,
        day_of_month=day_of_month,
        timezone=tz or settings.TIME_ZONE,
        departments=list(departments or []),
        is_active=is_active,
        created_by=by if getattr(by, "pk", None) else None,
    )
    _validate_cadence(cadence)
    people = list(participants or [])
    if not people and project is not None:
        people = [project.business_pm, project.engineering_pm]
    if not people:
        raise ValidationError({"participants": [_("请至少选择一位参会人。")]})
    cadence.save()
    cadence.participants.set(people)
    record_audit(
        actor=by,
        action="review_cadence.created",
        target=cadence,
        after={
            **_cadence_snapshot(cadence),
            "participants": sorted(u.get_username() for u in people),
        },
    )
    if generate and is_active:
        generate_occurrences(cadence_ids=[cadence.pk])
    return cadence


@transaction.atomic
def update_cadence(cadence_id: int, *, by, **changes: Any) -> ReviewCadence:
    """Change a cadence (and its participants); an active one's coming occurrences are
    generated as on creation."""
    cadence = ReviewCadence.objects.select_for_update().get(pk=cadence_id)
    _require(can_manage_cadence(by, cadence.project))
    before = _cadence_snapshot(cadence)
    participants = changes.pop("participants", None)
    if "tz" in changes:
        changes["timezone"] = changes.pop("tz")
    for name, value in changes.items():
        if name not in CADENCE_FIELDS:
            raise ValidationError({name: [_("不能修改此字段。")]})
        setattr(cadence, name, value)
    _validate_cadence(cadence)
    if participants is not None:
        participants = list(participants)
        if not participants and cadence.project_id is None:
            raise ValidationError({"participants": [_("请至少选择一位参会人。")]})
        before["participants"] = sorted(u.get_username() for u in cadence.participants.all())
    cadence.save()
    after = _cadence_snapshot(cadence)
    if participants is not None:
        cadence.participants.set(participants)
        _follow_participants(cadence)
        after["participants"] = sorted(u.get_username() for u in participants)
    record_audit(
        actor=by,
        action="review_cadence.updated",
        target=cadence,
        before=before,
        after=after,
    )
    if cadence.is_active:  # a new rule or a reactivation: its coming occurrences exist at once
        generate_occurrences(cadence_ids=[cadence.pk])
    return cadence


def _follow_participants(cadence: ReviewCadence) -> None:
    """Occurrences still to come follow the participants: a new one is expected there, one
    who left is no longer (what was already recorded stays)."""
    coming = Review.objects.filter(
        cadence=cadence, status=Review.Status.SCHEDULED, date__gte=local_today(cadence.timezone)
    )
    people = list(cadence.participants.all())
    ReviewAttendance.objects.filter(review__in=coming, attended__isnull=True).exclude(
        user__in=people
    ).delete()
    ReviewAttendance.objects.bulk_create(
        [ReviewAttendance(review=r, user=u) for r in coming for u in people],
        ignore_conflicts=True,
    )


def local_today(tz_name: str | None = None) -> datetime.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE)).date()


def generate_occurrences(
    *,
    today: datetime.date | None = None,
    days: int | None = None,
    kind: str | None = None,
    cadence_ids: list[int] | None = None,
) -> int:
    """Create the missing occurrences of every active cadence for the coming days.

    Idempotent: (cadence, date) is unique, existing dates are skipped and a concurrent run
    loses its insert quietly (ignore_conflicts), so running it twice creates nothing new.
    Returns the number of occurrences created.
    """
    cadences = ReviewCadence.objects.filter(is_active=True).prefetch_related("participants")
    if kind:
        cadences = cadences.filter(kind=kind)
    if cadence_ids is not None:
        cadences = cadences.filter(pk__in=cadence_ids)
    created = 0
    workcal = workdays.calendar()  # one calendar for the whole run: one query
    for cadence in cadences:
        start = today or local_today(cadence.timezone)
        horizon = days if days is not None else HORIZON_DAYS.get(cadence.kind, 14)
        dates = [
            start + datetime.timedelta(days=i)
            for i in range(horizon)
            if cadence.occurs_on(start + datetime.timedelta(days=i), workcal)
        ]
        if not dates:
            continue
        with transaction.atomic():
            existing = set(
                Review.objects.filter(cadence=cadence, date__in=dates).values_list(
                    "date", flat=True
                )
            )
            missing = [d for d in dates if d not in existing]
            if not missing:
                continue
            Review.objects.bulk_create(
                [
                    Review(
                        cadence=cadence,
                        project_id=cadence.project_id,
                        kind=cadence.kind,
                        date=d,
                        starts_at=cadence.starts_at(d),
                    )
                    for d in missing
                ],
                ignore_conflicts=True,
            )
            fresh = list(Review.objects.filter(cadence=cadence, date__in=missing))
            ReviewAttendance.objects.bulk_create(
                [
                    ReviewAttendance(review=review, user=user)
                    for review in fresh
                    for user in cadence.participants.all()
                ],
                ignore_conflicts=True,
            )
            created += len(fresh)
    return created


# --- minutes, attendance, retrospective ------------------------------------------------------


def _clean_retro(field: str, value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise ValidationError({field: [_("应为条目列表。")]})
    out = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"text": entry, "tag": ""}
        if not isinstance(entry, dict):
            raise ValidationError({field: [_("每个条目应包含 text 和 tag。")]})
        text = str(entry.get("text", "")).strip()
        tag = str(entry.get("tag", "")).strip()
        if not text:
            raise ValidationError({field: [_("条目内容不能为空。")]})
        if tag not in RETRO_TAGS:
            raise ValidationError({field: [_("标签必须是 business 或 engineering。")]})
        out.append({"text": text[:2000], "tag": tag})
    return out


@transaction.atomic
def update_review(
    review_id: int,
    *,
    by,
    attendance: list[dict] | None = None,
    expected_version: Expected = None,
    **changes: Any,
) -> Review:
    """Record minutes, decisions, retrospective entries and who attended; `expected_version`:
    the version the writer read (StaleWrite when another save came first)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("cadence", "project")
        .get(pk=review_id)
    )
    _require(can_edit_review(by, review))
    check_version(review, expected_version)
    if review.status == Review.Status.CANCELLED and changes.get("status") in (None, "cancelled"):
        if changes or attendance:
            raise Conflict(_("例会已取消，不能再记录。"))
    before = snapshot(review, REVIEW_FIELDS)
    for name, value in changes.items():
        if name not in REVIEW_FIELDS:
            raise ValidationError({name: [_("不能修改此字段。")]})
        if name in RETRO_FIELDS:
            value = _clean_retro(name, value)
        if name == "status" and value not in Review.Status.values:
            raise ValidationError({"status": [_("无效的状态。")]})
        setattr(review, name, value)
    if review.minutes and review.status == Review.Status.SCHEDULED and "status" not in changes:
        review.status = Review.Status.HELD
    review.save()
    if attendance is not None:
        _set_attendance(review, attendance)
    after = snapshot(review, REVIEW_FIELDS)
    if before != after or attendance is not None:
        record_audit(
            actor=by,
            action="review.updated",
            target=review,
            before=before,
            after={**after, **({"attendance": attendance} if attendance is not None else {})},
        )
    return review


def _set_attendance(review: Review, attendance: list[dict]) -> None:
    usernames = [str(row.get("user", "")) for row in attendance if isinstance(row, dict)]
    if len(usernames) != len(attendance):
        raise ValidationError({"attendance": [_('每行应为 {"user", "attended"}。')]})
    users = {u.get_username(): u for u in User.objects.filter(username__in=usernames)}
    unknown = [name for name in usernames if name not in users]
    if unknown:
        raise ValidationError({"attendance": [_("未知用户：%s") % ", ".join(unknown)]})
    for row in attendance:
        attended = row.get("attended")
        if attended is not None and not isinstance(attended, bool):
            raise ValidationError({"attendance": [_("attended 应为布尔值。")]})
        ReviewAttendance.objects.update_or_create(
            review=review,
            user=users[str(row["user"])],
            defaults={"attended": attended, "note": str(row.get("note", ""))[:255]},
        )


# --- action items ----------------------------------------------------------------------------


@transaction.atomic
def create_action_item(
    review_id: int,
    *,
    by,
    title: str,
    owner,
    due_date: datetime.date,
    description: str = "",
) -> ActionItem:
    review = Review.objects.select_related("cadence", "project").get(pk=review_id)
    _require(can_edit_review(by, review))
    if not title.strip():
        raise ValidationError({"title": [_("请填写事项。")]})
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": [_("负责人无效。")]})
    item = ActionItem.objects.create(
        review=review,
        project=review.project,
        title=title.strip(),
        description=description,
        owner=owner,
        due_date=due_date,
        created_by=by if getattr(by, "pk", None) else None,
    )
    record_audit(
        actor=by,
        action="action_item.created",
        target=item,
        after=snapshot(item, ACTION_FIELDS),
    )
    if owner.pk != getattr(by, "pk", None):
        notify(
            [owner],
            kind="action_item.assigned",
            project=review.project.code if review.project_id else "",
            subject=lambda: _("新的待办事项：%(title)s") % {"title": item.title},
            body=lambda: _("截止日期：%(due)s") % {"due": item.due_date.isoformat()},
            url=f"/reviews/{review.pk}/",
        )
    return item


@transaction.atomic
def update_action_item(item_id: int, *, by, **changes: Any) -> ActionItem:
    """Edit an action item; marking it done records when, reopening clears it."""
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("review__cadence", "project")
        .get(pk=item_id)
    )
    _require(can_edit_action_item(by, item))
    before = snapshot(item, ACTION_FIELDS)
    for name, value in changes.items():
        if name not in ACTION_FIELDS:
            raise ValidationError({name: [_("不能修改此字段。")]})
        if name == "status" and value not in ActionItem.Status.values:
            raise ValidationError({"status": [_("无效的状态。")]})
        setattr(item, name, value)
    if item.status == ActionItem.Status.DONE and item.done_at is None:
        item.done_at = timezone.now()
    elif item.status != ActionItem.Status.DONE:
        item.done_at = None
    item.save()
    after = snapshot(item, ACTION_FIELDS)
    if before != after:
        record_audit(
            actor=by, action="action_item.updated", target=item, before=before, after=after
        )
    return item


@transaction.atomic
def task_from_action_item(item_id: int, *, by) -> Task:
    """A meeting's action item becomes a task of its project (projects.tasks.services.
    create_task: the project's planners may, the owner must be a member): same title,
    description and owner, starting today, due on the item's due date. The task keeps the
    link to the item; an item becomes a task once."""
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("project", "owner")
        .get(pk=item_id)
    )
    if item.project is None:
        raise Conflict(_("该待办事项不属于任何项目，不能转为任务。"))
    existing = Task.objects.filter(action_item_id=item.pk).first()
    if existing is not None:
        raise Conflict(
            _("该待办事项已转为任务“%(title)s”。") % {"title": existing.title},
            [f"#{existing.pk}"],
        )
    cal = calendar()
    start = cal.roll_forward(timezone.localdate())
    days = max(cal.working_days_between(start, item.due_date), 1)
    task = task_services.create_task(
        item.project,
        by=by,
        data={
            "title": item.title[:200],
            "description": item.description,
            "owner": item.owner,
            "planned_start": start,
            "duration_days": days,
        },
        action_item_id=item.pk,
    )
    record_audit(actor=by, action="action_item.became_task", target=item, after={"task": task.pk})
    return task
