"""Project roles grouped by who they act for: one definition for every permission rule."""

from __future__ import annotations

from coordination.core.models import Department
from projects.core.models import MemberRole

PM_ROLES = frozenset({MemberRole.BUSINESS_PM, MemberRole.ENGINEERING_PM})
LEAD_ROLES = PM_ROLES | {MemberRole.BUSINESS_LEAD, MemberRole.ENGINEERING_DIRECTOR}
BUSINESS_ROLES = frozenset({MemberRole.BUSINESS_PM, MemberRole.BUSINESS_LEAD})
# The engineering side: provides estimates and assessments, reviews the handover.
ENGINEERING_ROLES = frozenset(
    {MemberRole.ENGINEERING_PM, MemberRole.ENGINEERING_DIRECTOR, MemberRole.TECH_LEAD}
)
# Who may decide for a department (a tech lead assesses but does not decide).
DEPARTMENT_ROLES: dict[str, frozenset[str]] = {
    Department.BUSINESS: BUSINESS_ROLES,
    Department.ENGINEERING: frozenset({MemberRole.ENGINEERING_PM, MemberRole.ENGINEERING_DIRECTOR}),
    Department.FINANCE: frozenset({MemberRole.FINANCE_REP}),
}
