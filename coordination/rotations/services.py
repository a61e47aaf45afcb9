"""The job rotation's moves (互换岗位体验). Pages, API, admin and the Celery tasks call these.

    planned ──approve (both sides)──▶ approved ──start / start date──▶ in progress ──close──▶ closed
       │  ▲                              │
  reject  resubmit                    cancel
       ▼  │                              ▼
    returned ─────────cancel────────▶ cancelled  (planned too)

Each move locks the row (select_for_update), checks who may (rules.py) and the move table
(models.ALLOWED_MOVES: a refused move is a Conflict, 409), records one audit event and tells
the people concerned. Bad input is a ValidationError (400) and changes nothing."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import GROUP_PMO, is_department_head, is_pmo
from coordination.core.services import notify, record_audit, snapshot
from coordination.rotations import rules
from coordination.rotations.models import (
    ALLOWED_MOVES,
    JobRotation,
    RotationApproval,
    RotationCheckIn,
    RotationStatus,
)

User = get_user_model()
S = RotationStatus
Side = RotationApproval.Side

PLAN_FIELDS = [
    "user",
    "from_department",
    "host_department",
    "to_project",
    "to_site",
    "mentor",
    "start_date",
    "end_date",
]
FIELDS = [
    "status",
    "round",
    *PLAN_FIELDS,
    "actual_start",
    "actual_end",
    "host_score",
    "assessed_by",
]
SITE_MAX_LENGTH = 200


def check_in_reminder_day() -> int:
    """From this day of a month on, a rotation in progress with no check-in that month is
    reminded, once (settings.ROTATION_CHECK_IN_REMINDER_DAY, default 20)."""
    return int(getattr(settings, "ROTATION_CHECK_IN_REMINDER_DAY", 20))


def _require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message or _("你没有执行此操作的权限。"))


def _locked(rotation_id: int) -> JobRotation:
    return (
        JobRotation.objects.select_for_update(of=("self",))
        .select_related("user", "mentor", "to_project")
        .get(pk=rotation_id)
    )


def _move(rotation: JobRotation, to: str) -> None:
    """The only place the status changes: refused unless the move table allows it."""
    if to not in ALLOWED_MOVES[rotation.status]:
        raise Conflict(
            _("轮岗当前状态为“%(status)s”，不能改为“%(to)s”。")
            % {"status": rotation.get_status_display(), "to": S(to).label},
            unmet=[str(S(rotation.status).label)],
        )
    rotation.status = to


def _url(rotation: JobRotation) -> str:
    return f"/reviews/job-rotations/{rotation.pk}/"


def _code(rotation: JobRotation) -> str:
    return rotation.to_project.code if rotation.to_project_id else ""


def _audit(by, action: str, rotation: JobRotation, before: dict | None, **extra) -> None:
    after = snapshot(rotation, FIELDS) | extra
    record_audit(
        actor=by,
        action=action,
        target=rotation,
        before=before,
        after=after,
        project_code=_code(rotation),
    )


def _pmo_users():
    return User.objects.filter(
        Q(groups__name=GROUP_PMO) | Q(profile__department=Department.PMO), is_active=True
    ).distinct()


def approvers_of(rotation: JobRotation) -> list:
    """Who is asked to decide: each open side's heads, or PMO when that side has none."""
    decided = set(rotation.approvals.filter(round=rotation.round).values_list("side", flat=True))
    people: list = []
    for side in rules.SIDES:
        if side in decided:
            continue
        heads = [
            u
            for u in rules.department_heads(rules.department_of_side(rotation, side))
            if u.pk != rotation.user_id
        ]
        people += heads or list(_pmo_users())
    return people


def _ask_approvers(rotation: JobRotation) -> None:
    person = rotation.user
    notify(
        approvers_of(rotation),
        kind="job_rotation.planned",
        project=_code(rotation),
        subject=lambda: (
            _("互换岗位体验待审批：%(person)s → %(place)s")
            % {"person": person.get_full_name() or person.get_username(), "place": rotation.place}
        ),
        body=lambda: (
            _("计划日期：%(start)s 至 %(end)s")
            % {"start": rotation.start_date, "end": rotation.end_date or "…"}
        ),
        url=_url(rotation),
    )


# --- the plan --------------------------------------------------------------------------------


def _clean_plan(data: dict) -> dict:
    """The plan's fields checked together; ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    user = data["user"]
    if data["from_department"] not in Department.values:
        errors["from_department"] = [_("请选择原部门。")]
    if not data["host_department"]:
        data["host_department"] = rules.default_host_department(data["from_department"])
    if data["host_department"] not in Department.values:
        errors["host_department"] = [_("请选择接收部门。")]
    elif data["host_department"] == data["from_department"]:
        errors["host_department"] = [_("接收部门须与原部门不同。")]
    data["to_site"] = (data.get("to_site") or "").strip()
    if data.get("to_project") is None and not data["to_site"]:
        errors["to_site"] = [_("请填写轮岗项目或现场。")]
    if len(data["to_site"]) > SITE_MAX_LENGTH:
        errors["to_site"] = [_("现场/岗位最多 200 个字符。")]
    if not data.get("start_date"):
        errors["start_date"] = [_("请填写计划开始日期。")]
    elif data.get("end_date") and data["end_date"] < data["start_date"]:
        errors["end_date"] = [_("结束日期不能早于开始日期。")]
    mentor = data.get("mentor")
    if mentor is not None:
        profile = getattr(mentor, "profile", None)
        if not mentor.is_active:
            errors["mentor"] = [_("导师须为有效用户。")]
        elif mentor.pk == user.pk:
            errors["mentor"] = [_("导师不能是本人。")]
        elif not profile or profile.department != data["host_department"]:
            errors["mentor"] = [_("导师须为接收部门的人员。")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def plan_rotation(
    *,
    by,
    user=None,
    from_department: str = "",
    host_department: str = "",
    to_project=None,
    to_site: str = "",
    mentor=None,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    reflection: str = "",
) -> JobRotation:
    """Plan a 互换岗位体验: the person (PMO may plan for anyone), the host department (by
    default the other side of 工程-业务), the host project or site, an optional mentor of
    the host department, the planned dates. The approvers are told."""
    user = user or by
    _require(rules.can_plan(by, user), _("只能为本人登记轮岗（PMO可为任何人登记）。"))
    if not from_department:
        profile = getattr(user, "profile", None)
        from_department = profile.department if profile else ""
    data = _clean_plan(
        {
            "user": user,
            "from_department": from_department,
            "host_department": host_department,
            "to_project": to_project,
            "to_site": to_site,
            "mentor": mentor,
            "start_date": start_date,
            "end_date": end_date,
        }
    )
    rotation = JobRotation.objects.create(
        **data, reflection=(reflection or "").strip(), created_by=by, status=S.PLANNED
    )
    _audit(by, "job_rotation.planned", rotation, None)
    _ask_approvers(rotation)
    return rotation


def create_job_rotation(**kwargs) -> JobRotation:
    """The old name of `plan_rotation` (a rotation recorded is now a rotation planned)."""
    return plan_rotation(**kwargs)


@transaction.atomic
def resubmit_rotation(rotation_id: int, *, by, **changes) -> JobRotation:
    """A returned plan, changed or not, goes to a new round of approvals."""
    rotation = _locked(rotation_id)
    _require(rules.can_resubmit(by, rotation))
    before = snapshot(rotation, FIELDS)
    _move(rotation, S.PLANNED)
    unknown = set(changes) - (set(PLAN_FIELDS) - {"user"}) - {"reflection"}
    if unknown:
        raise ValidationError({name: [_("不能修改此字段。")] for name in sorted(unknown)})
    data = {name: getattr(rotation, name) for name in PLAN_FIELDS} | changes
    data = _clean_plan(data)
    for name, value in data.items():
        setattr(rotation, name, value)
    rotation.round += 1
    rotation.save()
    _audit(by, "job_rotation.resubmitted", rotation, before)
    _ask_approvers(rotation)
    return rotation


# --- approvals -------------------------------------------------------------------------------


def _side_for(by, rotation: JobRotation, side: str | None) -> str:
    """The side `by` decides now: the one asked for, else the only open one they may."""
    allowed = rules.sides_for(by, rotation)
    _require(bool(allowed), _("只有原部门和接收部门的负责人（或PMO代为）可以审批轮岗。"))
    if rotation.status != S.PLANNED:
        status = rotation.get_status_display()
        raise Conflict(_("轮岗当前状态为“%(status)s”，不在审批中。") % {"status": status})
    decided = set(rotation.approvals.filter(round=rotation.round).values_list("side", flat=True))
    if side:
        if side not in rules.SIDES:
            raise ValidationError({"side": [_("请选择审批方。")]})
        _require(side in allowed, _("你不是该部门的负责人。"))
        if side in decided:
            raise Conflict(_("该部门已审批本轮计划。"))
        return side
    open_sides = [s for s in allowed if s not in decided]
    if not open_sides:
        raise Conflict(_("该部门已审批本轮计划。"))
    if len(open_sides) > 1:
        raise ValidationError({"side": [_("请选择代为审批的一方。")]})
    return open_sides[0]


def _decide(rotation: JobRotation, *, by, side: str, decision: str, comment: str):
    on_behalf = not rules.heads_side(by, rotation, side)
    if on_behalf and not comment:
        raise ValidationError({"comment": [_("PMO代为审批时请说明（如负责人已邮件同意）。")]})
    return RotationApproval.objects.create(
        rotation=rotation,
        round=rotation.round,
        side=side,
        department=rules.department_of_side(rotation, side),
        decision=decision,
        approver=by,
        on_behalf=on_behalf,
        comment=comment,
    )


def _tell_person(rotation: JobRotation, subject, body, extra=()) -> None:
    notify(
        [rotation.user, rotation.created_by, *extra],
        kind="job_rotation.decided",
        project=_code(rotation),
        subject=subject,
        body=body,
        url=_url(rotation),
    )


@transaction.atomic
def approve_rotation(
    rotation_id: int, *, by, side: str | None = None, comment: str = ""
) -> JobRotation:
    """One side's approval; with both sides approved in this round the plan is approved."""
    rotation = _locked(rotation_id)
    side = _side_for(by, rotation, side)
    before = snapshot(rotation, FIELDS)
    approval = _decide(
        rotation,
        by=by,
        side=side,
        decision=RotationApproval.Decision.APPROVED,
        comment=(comment or "").strip(),
    )
    approved = set(
        rotation.approvals.filter(
            round=rotation.round, decision=RotationApproval.Decision.APPROVED
        ).values_list("side", flat=True)
    )
    if approved >= set(rules.SIDES):
        _move(rotation, S.APPROVED)
        rotation.save(update_fields=["status", "updated_at"])
        _tell_person(
            rotation,
            lambda: _("互换岗位体验已批准：%(place)s") % {"place": rotation.place},
            lambda: _("计划开始日期：%(start)s") % {"start": rotation.start_date},
            extra=[rotation.mentor],
        )
    _audit(
        by,
        "job_rotation.approved" if rotation.status == S.APPROVED else "job_rotation.side_approved",
        rotation,
        before,
        side=side,
        on_behalf=approval.on_behalf,
    )
    return rotation


@transaction.atomic
def reject_rotation(rotation_id: int, *, by, reason: str, side: str | None = None) -> JobRotation:
    """A side returns the plan with its reason; the person may change it and resubmit."""
    rotation = _locked(rotation_id)
    side = _side_for(by, rotation, side)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写退回原因。")]})
    before = snapshot(rotation, FIELDS)
    approval = _decide(
        rotation, by=by, side=side, decision=RotationApproval.Decision.REJECTED, comment=reason
    )
    _move(rotation, S.RETURNED)
    rotation.save(update_fields=["status", "updated_at"])
    _audit(by, "job_rotation.returned", rotation, before, side=side, on_behalf=approval.on_behalf)
    _tell_person(
        rotation,
        lambda: _("互换岗位体验计划被退回：%(place)s") % {"place": rotation.place},
        lambda: _("退回原因：%(reason)s") % {"reason": reason},
    )
    return rotation


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


@transaction.atomic
def cancel_rotation(rotation_id: int, *, by, reason: str) -> JobRotation:
    """A rotation that has not started is cancelled, with its reason."""
    rotation = _locked(rotation_id)
    _require(rules.can_cancel(by, rotation))
    reason = (reason or "").strip()
    before = snapshot(rotation, FIELDS)
    _move(rotation, S.CANCELLED)  # 409 before 400: a started one cannot be cancelled at all
    if not reason:
        raise ValidationError({"reason": [_("请填写取消原因。")]})
    rotation.cancel_reason = reason
    rotation.save(update_fields=["status", "cancel_reason", "updated_at"])
    _audit(by, "job_rotation.cancelled", rotation, before, reason=reason)
    return rotation


def is_head(user) -> bool:
    """Heads and PMO see the rotations waiting for their decision (pages)."""
    return is_pmo(user) or is_department_head(user)
