"""The plan and its approval: plan, resubmit, approve, reject (and cancel before it starts)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.services import notify, snapshot
from coordination.rotations import rules
from coordination.rotations.models import (
    JobRotation,
    RotationApproval,
)
from coordination.rotations.services.base import (
    FIELDS,
    PLAN_FIELDS,
    SITE_MAX_LENGTH,
    S,
    _ask_approvers,
    _audit,
    _code,
    _locked,
    _move,
    _require,
    _url,
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
