"""Reads shared by HTML views, the API and tasks."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.roles import sees_everything

from .models import MemberRole, Project, ProjectMembership


def visible_projects(user) -> QuerySet[Project]:
    """Projects `user` may see: PMO and executives all, others those they are on."""
    qs = Project.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    # The ids of the user's projects from three index scans. The equivalent
    # `Q(business_pm) | Q(engineering_pm) | Exists(membership)` made PostgreSQL scan every
    # project and probe memberships per row (150 ms at 100k projects; docs/performance.md).
    mine = (
        Project.objects.filter(business_pm=user)
        .order_by()
        .values("pk")
        .union(
            Project.objects.filter(engineering_pm=user).order_by().values("pk"),
            ProjectMembership.objects.filter(user=user).order_by().values("project_id"),
            all=True,
        )
    )
    return qs.filter(pk__in=mine)


def project_list(user) -> QuerySet[Project]:
    """The project list: one query whatever the number of rows."""
    return visible_projects(user).select_related("customer", "business_pm", "engineering_pm")


def project_roles(user, project: Project) -> set[str]:
    """The roles `user` holds on `project` (PM roles from the project, others from members)."""
    if not user or not user.is_authenticated:
        return set()
    roles = set(project.memberships.filter(user=user).values_list("role", flat=True))
    if project.business_pm_id == user.pk:
        roles.add(MemberRole.BUSINESS_PM)
    if project.engineering_pm_id == user.pk:
        roles.add(MemberRole.ENGINEERING_PM)
    return roles


def members_with_role(project: Project, *roles: str) -> list:
    """Users holding any of `roles` on `project` (PM roles included)."""
    users = [m.user for m in project.memberships.select_related("user").filter(role__in=roles)]
    if MemberRole.BUSINESS_PM in roles:
        users.append(project.business_pm)
    if MemberRole.ENGINEERING_PM in roles:
        users.append(project.engineering_pm)
    seen, out = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out
