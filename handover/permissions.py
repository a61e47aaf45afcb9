"""Which side of a handover a user is on.

Business side provides the evidence: the project's business PM, business lead and the
business-department members of the project. Engineering side reviews it: engineering PM,
engineering director and tech lead. PMO sees every handover but acts for neither side, and
a read-only role (executives, `can_write`) is on neither side whatever roles it holds.
"""

from __future__ import annotations

from coordination.core.models import Department
from coordination.core.roles import can_write, department_of
from projects.core.models import Project
from projects.core.roles import BUSINESS_ROLES, ENGINEERING_ROLES
from projects.core.selectors import project_roles


def is_business_side(user, project: Project, roles: set[str] | None = None) -> bool:
    if not can_write(user):
        return False
    roles = project_roles(user, project) if roles is None else roles
    if roles & BUSINESS_ROLES:
        return True
    return bool(roles) and department_of(user) == Department.BUSINESS


def is_engineering_side(user, project: Project, roles: set[str] | None = None) -> bool:
    if not can_write(user):
        return False
    roles = project_roles(user, project) if roles is None else roles
    return bool(roles & ENGINEERING_ROLES)


def sides(user, project: Project) -> dict[str, bool]:
    roles = project_roles(user, project)
    return {
        "business": is_business_side(user, project, roles),
        "engineering": is_engineering_side(user, project, roles),
    }
