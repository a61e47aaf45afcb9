"""What every move of a job rotation shares: the row lock, the one status change, the audit
event, the approvers asked."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.people import display_name
from coordination.core.roles import pmo_q
from coordination.core.services import notify, record_audit, snapshot
from coordination.rotations import rules
from coordination.rotations.models import (
    ALLOWED_MOVES,
    JobRotation,
    RotationApproval,
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
    return User.objects.filter(pmo_q(), is_active=True).distinct()


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
            % {"person": display_name(person), "place": rotation.place}
        ),
        body=lambda: (
            _("计划日期：%(start)s 至 %(end)s")
            % {"start": rotation.start_date, "end": rotation.end_date or "…"}
        ),
        url=_url(rotation),
    )
