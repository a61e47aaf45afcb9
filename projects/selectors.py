"""Reads shared by HTML views, the API and tasks."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from coordination.roles import sees_everything

from .models import MemberRole, Project, ProjectMembership


def visible_projects(user) -> QuerySet[Project]:
    """Projects `user` may see: PMO and executives all, others those they are on."""
    qs = Project.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    member = ProjectMembership.objects.filter(project=OuterRef("pk"), user=user)
    return qs.filter(Q(business_pm=user) | Q(engineering_pm=user) | Exists(member))


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
