"""Who may do what with training (one place; pages, API and admin actions ask here).

PMO and the department heads (coordination.core.roles.is_department_head: the
department_head group, heading the department on their profile) schedule sessions. A
session's organisers are PMO, the person who scheduled it and its trainer when the trainer is
a user: they tick attendance, mark it held or cancelled and upload its materials. Attendees
give their own feedback. A person's record is theirs, PMO's, the executives' and their
department head's; the coverage grid is PMO's, the executives' and the heads'. Executives read
everything and write nothing (coordination.core.roles.can_write)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.core.roles import (
    can_write,
    department_of,
    is_department_head,
    is_pmo,
    sees_everything,
)
from coordination.training.models import TrainingSession


def may_schedule(user) -> bool:
    return can_write(user) and (is_pmo(user) or is_department_head(user))


def is_organiser(user, session: TrainingSession) -> bool:
    if not can_write(user):
        return False
    return is_pmo(user) or user.pk in {session.created_by_id, session.trainer_id}


def may_see_record(viewer, person) -> bool:
    """One's own record; PMO and executives see anyone's, a department head their
    department's people's."""
    if not (viewer and viewer.is_authenticated):
        return False
    if viewer.pk == person.pk or sees_everything(viewer):
        return True
    department = department_of(person)
    return bool(department) and is_department_head(viewer, department)


def may_see_coverage(user) -> bool:
    return sees_everything(user) or is_department_head(user)


def require_schedule(user) -> None:
    if not may_schedule(user):
        raise PermissionDenied(_("只有PMO和部门负责人可以安排培训。"))


def require_organiser(user, session: TrainingSession) -> None:
    if not is_organiser(user, session):
        raise PermissionDenied(_("只有培训的组织者或PMO可以执行此操作。"))


def require_record(viewer, person) -> None:
    if not may_see_record(viewer, person):
        raise PermissionDenied(_("只能查看自己的培训记录。"))


def require_coverage(user) -> None:
    if not may_see_coverage(user):
        raise PermissionDenied(_("培训覆盖率仅对PMO、管理层和部门负责人开放。"))
