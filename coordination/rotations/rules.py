"""Who does what on a job rotation: the rule once, read by services, pages, API and tests.

- Plans: the person themselves, or PMO for anyone.
- Approves: for each side (the person's own department, the host department) the head of
  that department (group `department_head` with that profile department,
  coordination.core.roles.is_department_head), never the person themselves. PMO may record
  a side's decision on its head's behalf (代为审批, e.g. the head approved by e-mail): the
  row says so and a comment is required.
- Starts: the person, the mentor, either head, PMO.
- Checks in: the person, the mentor, PMO.
- Closes: the person writes the reflection; the mentor or the host head writes the host's
  assessment; the rotation closes once both are in.
- Cancels (planned, returned, approved): the person, who planned it, either head, PMO.
Executives are read-only everywhere (can_write)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from coordination.core.models import Department
from coordination.core.roles import GROUP_DEPARTMENT_HEAD, can_write, is_department_head, is_pmo
from coordination.rotations.models import JobRotation, RotationApproval

Side = RotationApproval.Side
SIDES = (Side.OWN, Side.HOST)


def default_host_department(from_department: str) -> str:
    """工程-业务互换: an engineer goes to business, anyone else to engineering (the site)."""
    if from_department == Department.ENGINEERING:
        return Department.BUSINESS
    return Department.ENGINEERING


def department_of_side(rotation: JobRotation, side: str) -> str:
    return rotation.from_department if side == Side.OWN else rotation.host_department


def department_heads(department: str) -> QuerySet:
    """The active heads of `department`."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name=GROUP_DEPARTMENT_HEAD, profile__department=department
        )
        .distinct()
    )


def heads_side(user, rotation: JobRotation, side: str) -> bool:
    """`user` heads the department of `side` (and is not the person rotating)."""
    department = department_of_side(rotation, side)
    return bool(department) and user.pk != rotation.user_id and is_department_head(user, department)


def sides_for(user, rotation: JobRotation) -> list[str]:
    """The sides `user` may decide: those they head; every side for PMO (on behalf)."""
    if not can_write(user):
        return []
    mine = [side for side in SIDES if heads_side(user, rotation, side)]
    if mine:
        return mine
    return list(SIDES) if is_pmo(user) and user.pk != rotation.user_id else []


def can_plan(by, user) -> bool:
    """Anyone plans their own rotation; PMO plans anyone's."""
    return can_write(by) and (user.pk == by.pk or is_pmo(by))


def _is_head_of_either(user, rotation: JobRotation) -> bool:
    return any(heads_side(user, rotation, side) for side in SIDES)


def can_start(user, rotation: JobRotation) -> bool:
    return can_write(user) and (
        user.pk in (rotation.user_id, rotation.mentor_id)
        or is_pmo(user)
        or _is_head_of_either(user, rotation)
    )


def can_check_in(user, rotation: JobRotation) -> bool:
    return can_write(user) and (user.pk in (rotation.user_id, rotation.mentor_id) or is_pmo(user))


def can_reflect(user, rotation: JobRotation) -> bool:
    return can_write(user) and user.pk == rotation.user_id


def can_assess(user, rotation: JobRotation) -> bool:
    """The mentor or the host department's head (never the person)."""
    if not can_write(user) or user.pk == rotation.user_id:
        return False
    return user.pk == rotation.mentor_id or heads_side(user, rotation, Side.HOST)


def can_resubmit(user, rotation: JobRotation) -> bool:
    return can_write(user) and (
        user.pk in (rotation.user_id, rotation.created_by_id) or is_pmo(user)
    )


def can_cancel(user, rotation: JobRotation) -> bool:
    return can_resubmit(user, rotation) or (can_write(user) and _is_head_of_either(user, rotation))


# Who may make each move at all (whatever the state and the input): pages and API ask this
# before they read the input, so a refusal is a 403 whatever was sent.
MOVES = {
    "approve": lambda user, rotation: bool(sides_for(user, rotation)),
    "reject": lambda user, rotation: bool(sides_for(user, rotation)),
    "resubmit": can_resubmit,
    "start": can_start,
    "check_in": can_check_in,
    "close": lambda user, rotation: can_reflect(user, rotation) or can_assess(user, rotation),
    "cancel": can_cancel,
}


def may(move: str, user, rotation: JobRotation) -> bool:
    return MOVES[move](user, rotation)
