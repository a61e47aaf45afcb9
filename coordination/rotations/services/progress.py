"""The rotation under way: start (by hand or on its date), monthly check-ins and their
reminder, the close (reflection and the host's assessment)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.services import notify, record_audit, snapshot
from coordination.rotations import rules
from coordination.rotations.models import (
    JobRotation,
    RotationCheckIn,
)
from coordination.rotations.services.base import (
    FIELDS,
    S,
    _audit,
    _code,
    _locked,
    _move,
    _require,
    _url,
    check_in_reminder_day,
)

# --- in progress -----------------------------------------------------------------------------


def _begin(rotation: JobRotation, on: datetime.date) -> None:
    _move(rotation, S.IN_PROGRESS)
    rotation.actual_start = on
    rotation.save(update_fields=["status", "actual_start", "updated_at"])


@transaction.atomic
def start_rotation(rotation_id: int, *, by, on: datetime.date | None = None) -> JobRotation:
    """An approved rotation starts (today, or the day given: not in the future)."""
    rotation = _locked(rotation_id)
    _require(rules.can_start(by, rotation))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": [_("开始日期不能晚于今天。")]})
    before = snapshot(rotation, FIELDS)
    _begin(rotation, on)
    _audit(by, "job_rotation.started", rotation, before)
    return rotation


def start_due_rotations(today: datetime.date | None = None) -> int:
    """Approved rotations whose planned start has come start on that date (daily; a re-run
    finds none: each is locked and its status checked again)."""
    today = today or timezone.localdate()
    due = JobRotation.objects.filter(status=S.APPROVED, start_date__lte=today)
    started = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            rotation = _locked(pk)
            if rotation.status != S.APPROVED or rotation.start_date > today:
                continue  # someone started or cancelled it meanwhile
            before = snapshot(rotation, FIELDS)
            _begin(rotation, rotation.start_date)
            _audit(None, "job_rotation.started", rotation, before)
            started += 1
    return started


@transaction.atomic
def add_check_in(
    rotation_id: int, *, by, note: str, on: datetime.date | None = None
) -> RotationCheckIn:
    """A monthly note by the person or the mentor, while the rotation is in progress."""
    rotation = _locked(rotation_id)
    _require(rules.can_check_in(by, rotation), _("只有本人、导师或PMO可以记录。"))
    if rotation.status != S.IN_PROGRESS:
        raise Conflict(_("只有进行中的轮岗可以记录月度情况。"))
    note = (note or "").strip()
    today = timezone.localdate()
    on = on or today
    errors = {}
    if not note:
        errors["note"] = [_("请填写记录内容。")]
    if on > today or (rotation.actual_start and on < rotation.actual_start):
        errors["date"] = [_("日期须在轮岗开始之后、今天之前。")]
    if errors:
        raise ValidationError(errors)
    check_in = RotationCheckIn.objects.create(rotation=rotation, author=by, date=on, note=note)
    rotation.save(update_fields=["updated_at"])
    record_audit(
        actor=by,
        action="job_rotation.checked_in",
        target=rotation,
        after={"check_in": check_in.pk, "date": on.isoformat()},
        project_code=_code(rotation),
    )
    return check_in


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def remind_check_ins(today: datetime.date | None = None) -> int:
    """Once a month, from the reminder day on: a rotation in progress (started before that
    day) with no check-in this month reminds its person and mentor.

    1. Candidates: in progress, started before this month's reminder day, no check-in dated
       this month, not reminded this month.
    2. Each is claimed with one conditional UPDATE of `reminded_month`; only the process
       whose UPDATE changed the row sends, so a re-run (or a second worker) sends nothing.
    3. Both are told in their own language (notify)."""
    today = today or timezone.localdate()
    if today.day < check_in_reminder_day():
        return 0
    month = _month_start(today)
    cutoff = month.replace(day=check_in_reminder_day())
    this_month = RotationCheckIn.objects.filter(rotation=OuterRef("pk"), date__gte=month)
    candidates = (
        JobRotation.objects.filter(status=S.IN_PROGRESS, actual_start__lt=cutoff)
        .filter(Q(reminded_month__isnull=True) | Q(reminded_month__lt=month))
        .exclude(Exists(this_month))
        .select_related("user", "mentor", "to_project")
    )
    sent = 0
    for rotation in candidates:
        with transaction.atomic():
            claimed = (
                JobRotation.objects.filter(pk=rotation.pk, status=S.IN_PROGRESS)
                .filter(Q(reminded_month__isnull=True) | Q(reminded_month__lt=month))
                .update(reminded_month=month)
            )
            if not claimed:
                continue
            notify(
                [rotation.user, rotation.mentor],
                kind="job_rotation.check_in_due",
                project=_code(rotation),
                subject=lambda r=rotation: (
                    _("本月尚未记录轮岗情况：%(place)s") % {"place": r.place}
                ),
                body=lambda: _("请在轮岗页面记录本月的体会与进展。"),
                url=_url(rotation),
            )
            sent += 1
    return sent


# --- the end ---------------------------------------------------------------------------------


@transaction.atomic
def close_rotation(
    rotation_id: int,
    *,
    by,
    reflection: str | None = None,
    host_score: int | None = None,
    host_assessment: str | None = None,
    actual_end: datetime.date | None = None,
) -> JobRotation:
    """The person's reflection and the host's assessment (the mentor or the host head: a
    score 1–5 and a text), each by its author; once both are in, the rotation is closed
    (actual end: the day given, else today)."""
    rotation = _locked(rotation_id)
    reflects = reflection is not None
    assesses = host_score is not None or host_assessment is not None
    if not (rules.can_reflect(by, rotation) or rules.can_assess(by, rotation)):
        raise PermissionDenied(_("只有本人（体会）和导师或接收部门负责人（评价）可以结束轮岗。"))
    _require(not reflects or rules.can_reflect(by, rotation), _("体会与反思由本人填写。"))
    _require(
        not assesses or rules.can_assess(by, rotation),
        _("接收方评价由导师或接收部门负责人填写。"),
    )
    if rotation.status != S.IN_PROGRESS:
        raise Conflict(
            _("只有进行中的轮岗可以结束（当前：%(status)s）。")
            % {"status": rotation.get_status_display()}
        )
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not reflects and not assesses:
        errors["reflection" if rules.can_reflect(by, rotation) else "host_assessment"] = [
            _("请填写体会或评价。")
        ]
    if reflects and not reflection.strip():
        errors["reflection"] = [_("请填写体会与反思。")]
    if assesses:
        if host_score is None or not 1 <= int(host_score) <= 5:
            errors["host_score"] = [_("评分须为1到5分。")]
        if not (host_assessment or "").strip():
            errors["host_assessment"] = [_("请填写接收方评价。")]
    if actual_end and (actual_end > today or actual_end < rotation.actual_start):
        errors["actual_end"] = [_("结束日期须在实际开始之后、今天之前。")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(rotation, FIELDS)
    if reflects:
        rotation.reflection = reflection.strip()
    if assesses:
        rotation.host_score = int(host_score)
        rotation.host_assessment = host_assessment.strip()
        rotation.assessed_by = by
    if actual_end:
        rotation.actual_end = actual_end
    done = bool(rotation.reflection and rotation.host_score)
    if done:
        _move(rotation, S.CLOSED)
        rotation.actual_end = rotation.actual_end or max(today, rotation.actual_start)
        rotation.closed_at = timezone.now()
    rotation.save()
    _audit(
        by,
        "job_rotation.closed" if done else "job_rotation.close_part",
        rotation,
        before,
        part="reflection" if reflects else "assessment",
    )
    if done:
        notify(
            [rotation.user, rotation.mentor, rotation.assessed_by],
            kind="job_rotation.decided",
            project=_code(rotation),
            subject=lambda: _("互换岗位体验已结束：%(place)s") % {"place": rotation.place},
            url=_url(rotation),
        )
    return rotation
