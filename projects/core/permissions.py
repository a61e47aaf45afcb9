"""Who may do what on a project. Services call these; views and API map the refusal.

Every function here asks `coordination.core.roles.can_write` first: a read-only role
(executives) may do none of it, whatever department or project role it also holds.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.core.models import Department
from coordination.core.roles import can_write, department_of, is_pmo
from projects.core.models import Customer, MemberRole, Project
from projects.core.roles import BUSINESS_ROLES, LEAD_ROLES
from projects.core.selectors import customer_roles, project_roles

CREATE_CUSTOMER_REFUSED = gettext_lazy("只有业务部或PMO可以新建客户。")
EDIT_CUSTOMER_REFUSED = gettext_lazy("只有PMO和该客户项目的业务项目经理、业务负责人可以修改客户。")


def can_create_project(user) -> bool:
    return can_write(user) and (is_pmo(user) or department_of(user) == Department.BUSINESS)


def can_create_customer(user) -> bool:
    """New customers (also through the ERP upsert of an unknown ERP id): business department
    and PMO."""
    return can_write(user) and (is_pmo(user) or department_of(user) == Department.BUSINESS)


def can_edit_customer(user, customer: Customer) -> bool:
    """A customer is edited by PMO and by the business side (business PM, business lead) of
    one of its projects: the people who hold the relationship, not every business PM."""
    return can_write(user) and (
        is_pmo(user) or bool(customer_roles(user, customer) & BUSINESS_ROLES)
    )


def can_upsert_customer(user, customer: Customer | None) -> bool:
    """The ERP upsert: editing when the ERP id is known (`customer`), creating when not."""
    if customer is None:
        return can_create_customer(user)
    return can_edit_customer(user, customer)


def can_edit_project(user, project: Project) -> bool:
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & LEAD_ROLES))


def can_manage_members(user, project: Project) -> bool:
    """Adding and removing members (and replacing a PM from the team panel): the project's
    PMs, its business lead and engineering director, and PMO (projects.core.team)."""
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & LEAD_ROLES))


def can_transition(user, project: Project) -> bool:
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & LEAD_ROLES))


def can_edit_plan(user, project: Project) -> bool:
    """Milestones and risks: both PMs, leads, tech lead and PMO."""
    if not can_write(user):
        return False
    roles = project_roles(user, project)
    return is_pmo(user) or bool(roles & (LEAD_ROLES | {MemberRole.TECH_LEAD}))


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("你没有执行此操作的权限。"))
