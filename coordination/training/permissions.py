"""Who may do what with training (one place; pages, API and admin actions ask here).

The codebase has no department-head role: the business_manager / engineering_manager groups
hold every PM and lead, so PMO alone schedules sessions. A session's organisers are PMO, the
person who scheduled it and its trainer when the trainer is a user: they tick attendance,
mark it held or cancelled and upload its materials. Attendees give their own feedback.
Executives read everything and write nothing (coordination.core.roles.can_write)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.core.roles import can_write, is_pmo, sees_everything
from coordination.training.models import TrainingSession


def may_schedule(user) -> bool:
    return can_write(user) and is_pmo(user)


def is_organiser(user, session: TrainingSession) -> bool:
    if not can_write(user):
        return False
    return is_pmo(user) or user.pk in {session.created_by_id, session.trainer_id}


def may_see_record(viewer, person) -> bool:
    """One's own record; PMO and executives see anyone's."""
    return bool(viewer and viewer.is_authenticated) and (
        viewer.pk == person.pk or sees_everything(viewer)
    )


def may_see_coverage(user) -> bool:
    return sees_everything(user)


def require_schedule(user) -> None:
    if not may_schedule(user):
        raise PermissionDenied(_("只有PMO可以安排培训。"))


def require_organiser(user, session: TrainingSession) -> None:
    if not is_organiser(user, session):
        raise PermissionDenied(_("只有培训的组织者或PMO可以执行此操作。"))


def require_record(viewer, person) -> None:
    if not may_see_record(viewer, person):
        raise PermissionDenied(_("只能查看自己的培训记录。"))


def require_coverage(user) -> None:
    if not may_see_coverage(user):
        raise PermissionDenied(_("培训覆盖率仅对PMO和管理层开放。"))
