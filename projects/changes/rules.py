"""Who decides a change request, for which department: the rule once, in its Python form (one
request in hand) and its SQL form (lists of requests), side by side. tests/changes/test_rules.py
proves the two forms agree.

Who decides for a department: a member in one of its roles (DEPARTMENT_ROLES) on the project,
never PMO staff nor a read-only role, and never the requester for their own department
(their profile's) unless settings.CHANGE_REQUEST_REQUESTER_MAY_APPROVE allows it: a request
is decided by someone other than who asked for it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from coordination.core.models import Department
from coordination.core.roles import can_write, department_of, is_pmo
from projects.changes.models import ChangeRequest
from projects.core.models import Project
from projects.core.roles import DEPARTMENT_ROLES
from projects.core.selectors import project_roles, role_on_project_q

DEPARTMENTS = list(DEPARTMENT_ROLES)  # business, engineering, finance


def finance_threshold() -> Decimal:
    """Above this absolute cost impact finance decides too
    (settings.CHANGE_REQUEST_FINANCE_THRESHOLD)."""
    return Decimal(str(getattr(settings, "CHANGE_REQUEST_FINANCE_THRESHOLD", "100000")))


def required_departments(cr: ChangeRequest) -> list[str]:
    """Business and engineering always; finance when |cost impact| is above the threshold."""
    depts = [Department.BUSINESS, Department.ENGINEERING]
    if abs(cr.cost_impact or Decimal("0")) > finance_threshold():
        depts.append(Department.FINANCE)
    return depts


def required_q(department: str) -> Q:
    """SQL form of `required_departments`: change requests on which `department` must decide."""
    if department != Department.FINANCE:
        return Q()
    threshold = finance_threshold()
    return Q(cost_impact__gt=threshold) | Q(cost_impact__lt=-threshold)


def departments_of_roles(roles: set[str]) -> list[str]:
    """The departments these project roles decide for."""
    return [dept for dept, allowed in DEPARTMENT_ROLES.items() if roles & allowed]


def decides_at_all(user) -> bool:
    """PMO staff and read-only roles (executives) never decide for a department."""
    return can_write(user) and not is_pmo(user)


def requester_may_approve() -> bool:
    """settings.CHANGE_REQUEST_REQUESTER_MAY_APPROVE (default False)."""
    return bool(getattr(settings, "CHANGE_REQUEST_REQUESTER_MAY_APPROVE", False))


def requester_barred(user, department: str) -> bool:
    """Whether `user`, on a request they made, may not decide for `department` (their own)."""
    return not requester_may_approve() and department == department_of(user)


def departments_for(user, project: Project) -> list[str]:
    """The departments `user` may decide for on `project` (never for PMO staff)."""
    if not decides_at_all(user):
        return []
    return departments_of_roles(project_roles(user, project))


def deciding_departments(cr: ChangeRequest, user, roles: set[str] | None = None) -> list[str]:
    """The required departments `user` decides for on `cr` (`roles`: theirs on its project,
    when already read). SQL form: `decides_q`."""
    if not decides_at_all(user):
        return []
    if roles is None:
        roles = project_roles(user, cr.project)
    mine = departments_of_roles(roles)
    own = cr.requested_by_id == user.pk
    return [
        d for d in required_departments(cr) if d in mine and not (own and requester_barred(user, d))
    ]


def acts_for_q(user, department: str) -> Q:
    """SQL form of `departments_for`: change requests whose project `user` decides on for
    `department` (a membership in one of its roles, or being the project's PM of that side)."""
    return role_on_project_q(user, DEPARTMENT_ROLES[department])


def decides_q(user, department: str) -> Q:
    """SQL form of `deciding_departments`: change requests on which `user` decides for
    `department` (required of it, `user` acts for it, and not barred as the requester).
    Callers check `decides_at_all(user)` first."""
    q = acts_for_q(user, department) & required_q(department)
    if requester_barred(user, department):
        q &= ~Q(requested_by=user)
    return q


def open_departments(cr: ChangeRequest, user, roles: set[str], decided: set[str]) -> list[str]:
    """The departments `user` (holding `roles` on its project) decides for on `cr` that have
    not decided yet."""
    return [d for d in deciding_departments(cr, user, roles) if d not in decided]
