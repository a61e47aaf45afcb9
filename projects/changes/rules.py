"""Who decides a change request, for which department: the rule once, in its Python form (one
request in hand) and its SQL form (lists of requests), side by side. tests/changes/test_rules.py
proves the two forms agree."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from coordination.core.models import Department
from coordination.core.roles import is_pmo
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


def departments_for(user, project: Project) -> list[str]:
    """The departments `user` may decide for on `project` (never for PMO staff)."""
    if not user or not user.is_authenticated or is_pmo(user):
        return []
    return departments_of_roles(project_roles(user, project))


def acts_for_q(user, department: str) -> Q:
    """SQL form of `departments_for`: change requests whose project `user` decides on for
    `department` (a membership in one of its roles, or being the project's PM of that side)."""
    return role_on_project_q(user, DEPARTMENT_ROLES[department])


def open_departments(cr: ChangeRequest, roles: set[str], decided: set[str]) -> list[str]:
    """The required departments still undecided on `cr` that these roles decide for."""
    mine = departments_of_roles(roles)
    return [d for d in required_departments(cr) if d in mine and d not in decided]
