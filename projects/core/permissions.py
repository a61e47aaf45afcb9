"""Who may do what on a project. Services call these; views and API map the refusal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.core.models import Department
from coordination.core.roles import department_of, is_pmo
from projects.core.models import MemberRole, Project
from projects.core.roles import LEAD_ROLES
from projects.core.selectors import project_roles


def can_create_project(user) -> bool:
    return is_pmo(user) or department_of(user) == Department.BUSINESS


def can_manage_customers(user) -> bool:
    """Create and edit customers (also through the ERP upsert): business department and PMO."""
    return is_pmo(user) or department_of(user) == Department.BUSINESS


def can_edit_project(user, project: Project) -> bool:
    return is_pmo(user) or bool(project_roles(user, project) & LEAD_ROLES)


def can_transition(user, project: Project) -> bool:
    return is_pmo(user) or bool(project_roles(user, project) & LEAD_ROLES)


def can_edit_plan(user, project: Project) -> bool:
    """Milestones and risks: both PMs, leads, tech lead and PMO."""
    roles = project_roles(user, project)
    return is_pmo(user) or bool(roles & (LEAD_ROLES | {MemberRole.TECH_LEAD}))


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("你没有执行此操作的权限。"))
