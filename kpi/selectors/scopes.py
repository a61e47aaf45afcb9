"""The scopes a KPI is read for and the projects each one covers.

`company` (every project); `department:<business|engineering|pmo>` (every project: each one
has a business PM and an engineering PM, so the joint KPIs are identical on both scorecards —
shared fate); `department:finance` (projects with a finance representative, or every
project when PMO sets the finance scorecard's project scope to the company's);
`project:<code>`; `pm:<username>` (a person's projects: where the user is business or
engineering PM, business lead or engineering director: the per-person appraisal's scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, Q, QuerySet

from coordination.core.models import Department
from kpi.models import ScopeType, Scorecard
from projects.core.models import Project, ProjectMembership
from projects.core.roles import LEAD_ROLES


@dataclass(frozen=True)
class Scope:
    type: str
    key: str = ""

    def __str__(self) -> str:
        return self.type if self.type == ScopeType.COMPANY else f"{self.type}:{self.key}"


COMPANY = Scope(ScopeType.COMPANY)
# Whose joint KPIs go into their own appraisal beside the PMs (跨部门指标纳入年终绩效考核).
APPRAISED_ROLES = sorted(LEAD_ROLES)
SCORECARD_DEPARTMENTS = [Department.BUSINESS, Department.ENGINEERING, Department.FINANCE]


def parse_scope(text: str | None) -> Scope:
    """`company`, `department:business`, `project:PRJ-2026-0001`, `pm:alice`; ValueError else."""
    text = (text or "company").strip()
    if text == ScopeType.COMPANY:
        return COMPANY
    kind, sep, key = text.partition(":")
    if not sep or not key or kind not in ScopeType.values or kind == ScopeType.COMPANY:
        raise ValueError(text)
    if kind == ScopeType.DEPARTMENT and key not in Department.values:
        raise ValueError(text)
    return Scope(kind, key)


def scope_projects(scope: Scope) -> QuerySet[Project] | None:
    """The projects a scope covers; None means every project (no filter needed)."""
    if scope.type == ScopeType.COMPANY:
        return None
    if scope.type == ScopeType.DEPARTMENT:
        if scope.key == Department.FINANCE:
            # an id subquery, not a join + DISTINCT: every KPI query embeds it (perf doc)
            # the scope rule is read in the same SQL (no query of its own, and the cached
            # statements of kpi.selectors.statements stay right when PMO changes it)
            finance = ProjectMembership.objects.filter(role="finance_rep").values("project_id")
            company_wide = Scorecard.objects.filter(
                department=Department.FINANCE, project_scope=Scorecard.ProjectScope.COMPANY
            )
            return Project.objects.filter(Q(pk__in=finance) | Exists(company_wide))
        return None  # both PMs sit on every project: shared fate
    if scope.type == ScopeType.PROJECT:
        return Project.objects.filter(code=scope.key)
    if scope.type == ScopeType.PM:
        leads = ProjectMembership.objects.filter(
            user__username=scope.key, role__in=APPRAISED_ROLES
        ).values("project_id")
        return Project.objects.filter(
            Q(business_pm__username=scope.key)
            | Q(engineering_pm__username=scope.key)
            | Q(pk__in=leads)
        )
    raise ValueError(str(scope))


def in_scope(qs: QuerySet, projects: QuerySet | None, path: str = "project") -> QuerySet:
    """`qs` restricted to the rows whose `path` is one of `projects` (None: every project)."""
    if projects is None:
        return qs
    return qs.filter(**{f"{path}__in": projects.values("pk")})


def pm_usernames() -> list[str]:
    """Every user who is business or engineering PM, business lead or engineering director of
    some project (the `pm:` scopes, frozen at each close; the per-person appraisal)."""
    User = get_user_model()
    leads = ProjectMembership.objects.filter(role__in=APPRAISED_ROLES).values("user_id")
    return list(
        User.objects.filter(
            Q(business_projects__isnull=False)
            | Q(engineering_projects__isnull=False)
            | Q(pk__in=leads)
        )
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )
