"""The annual appraisal per person (跨部门指标纳入年终绩效考核): each PM's and lead's joint
KPIs over their own projects for a year, with their department's figure beside each one.

A person's projects are the `pm:` scope (kpi.selectors.scopes: business or engineering PM,
business lead, engineering director); a closed year reads the values frozen at its close,
an open one is computed live, as every KPI page does (kpi.selectors.kpi_values.values)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from coordination.core.models import Department
from coordination.core.people import display_name
from kpi import periods as P
from kpi.models import ScopeType
from kpi.selectors.config import active_kpis, closed_period_keys
from kpi.selectors.kpi_values import values
from kpi.selectors.scopes import COMPANY, SCORECARD_DEPARTMENTS, Scope, pm_usernames, scope_projects


def _department_scope(department: str) -> Scope:
    if department in SCORECARD_DEPARTMENTS:
        return Scope(ScopeType.DEPARTMENT, department)
    return COMPANY


def person_appraisal(year_no: int, usernames: list[str] | None = None) -> dict:
    """{"period", "frozen", "kpis": [joint KPIs], "people": [{username, name, department,
    projects, rows: [{code, name, unit, direction, target, value, numerator, denominator,
    no_cases, department_value}]}]} for `usernames` (default: everyone with a `pm:` scope).
    Queries: a handful, then per person the project count and their values (at most three
    statements each)."""
    period = P.year(year_no)
    kpis = [k for k in active_kpis() if k.is_joint]
    closed = closed_period_keys([period.key])
    wanted = pm_usernames() if usernames is None else sorted(set(usernames))
    User = get_user_model()
    people = User.objects.filter(username__in=wanted).select_related("profile")
    by_department: dict[str, dict] = {}
    out = []
    for user in sorted(people, key=lambda u: (display_name(u), u.username)):
        department = getattr(getattr(user, "profile", None), "department", "") or ""
        scope = _department_scope(department)
        if str(scope) not in by_department:
            by_department[str(scope)] = values(kpis, scope, [period], closed)
        theirs = by_department[str(scope)]
        mine = values(kpis, Scope(ScopeType.PM, user.username), [period], closed)
        rows = []
        for kpi in kpis:
            v = mine[(kpi.code, period.key)]
            rows.append(
                {
                    "code": kpi.code,
                    "name": kpi.name,
                    "unit": kpi.unit_label,
                    "direction": kpi.direction,
                    "target": kpi.target,
                    "value": v.value,
                    "numerator": v.numerator,
                    "denominator": v.denominator,
                    "no_cases": v.no_cases,
                    "department_value": theirs[(kpi.code, period.key)].value,
                }
            )
        out.append(
            {
                "username": user.username,
                "name": display_name(user),
                "department": department,
                "department_label": str(Department(department).label) if department else "",
                "projects": scope_projects(Scope(ScopeType.PM, user.username)).count(),
                "rows": rows,
            }
        )
    return {
        "period": period.key,
        "year": year_no,
        "frozen": period.key in closed,
        "kpis": [{"code": k.code, "name": k.name, "unit": k.unit_label} for k in kpis],
        "people": out,
    }
