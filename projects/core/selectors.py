"""Reads shared by HTML views, the API and tasks."""

from __future__ import annotations

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from coordination.core.roles import sees_everything
from projects.core.models import Customer, MemberRole, Project, ProjectMembership


def visible_projects(user) -> QuerySet[Project]:
    """Projects `user` may see: PMO and executives all, others those they are on."""
    qs = Project.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    return qs.filter(pk__in=my_project_ids(user))


def my_project_ids(user) -> QuerySet:
    """The ids of the projects `user` is a PM or a member of, from three index scans. The
    equivalent `Q(business_pm) | Q(engineering_pm) | Exists(membership)` made PostgreSQL
    scan every project and probe memberships per row (docs/performance.md)."""
    return (
        Project.objects.filter(business_pm=user)
        .order_by()
        .values("pk")
        .union(
            Project.objects.filter(engineering_pm=user).order_by().values("pk"),
            ProjectMembership.objects.filter(user=user).order_by().values("project_id"),
            all=True,
        )
    )


# The exact number of projects, kept by triggers (projects/migrations/0006_project_total.py):
# a full-visibility list reads it instead of counting 100,000 rows on every request.
PROJECT_TOTAL_SQL = "SELECT COALESCE(SUM(n), 0)::bigint FROM projects_project_total"


def is_every_project(qs: QuerySet) -> bool:
    """True when `qs` holds every project (no condition) on PostgreSQL, where the kept
    total is its exact count."""
    query = qs.query
    return (
        qs.model is Project
        and not query.where
        and not query.combinator
        and not query.distinct
        and not query.is_sliced
        and connections[qs.db].vendor == "postgresql"
    )


def count_projects(qs: QuerySet) -> int:
    """`qs.count()`, read from the kept total when `qs` is every project."""
    if not is_every_project(qs):
        return qs.count()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(PROJECT_TOTAL_SQL)
        return cursor.fetchone()[0]


class CountedProjects:
    """A project queryset for a paginator: counted with count_projects, sliced as is."""

    def __init__(self, qs: QuerySet):
        self.qs = qs
        self.ordered = qs.ordered

    def count(self) -> int:
        return count_projects(self.qs)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return self.qs[index]


def customer_contains(text: str) -> Q:
    """Projects whose customer's name or ERP id contains `text` (a typed customer filter)."""
    return Q(customer__name__icontains=text) | Q(customer__erp_id__icontains=text)


def pm_contains(text: str, *pm_fields: str) -> Q:
    """Projects whose PM in any of `pm_fields` has `text` in their username or name."""
    match = Q()
    for pm in pm_fields:
        for part in ("username", "first_name", "last_name"):
            match |= Q(**{f"{pm}__{part}__icontains": text})
    return match


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


def customer_roles(user, customer: Customer) -> set[str]:
    """The roles `user` holds on any project of `customer` (PM roles from the projects)."""
    if not user or not user.is_authenticated:
        return set()
    roles = set(
        ProjectMembership.objects.filter(user=user, project__customer=customer)
        .values_list("role", flat=True)
        .distinct()
    )
    for business_pm_id, engineering_pm_id in (
        Project.objects.filter(customer=customer)
        .filter(Q(business_pm=user) | Q(engineering_pm=user))
        .values_list("business_pm_id", "engineering_pm_id")
    ):
        if business_pm_id == user.pk:
            roles.add(MemberRole.BUSINESS_PM)
        if engineering_pm_id == user.pk:
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


def role_on_project_q(user, roles) -> Q:
    """Rows whose `project` has `user` in one of `roles`: a membership in that role, or being
    the project's business or engineering PM when that role is asked for (SQL form of
    project_roles(user, project) & roles)."""
    member = ProjectMembership.objects.filter(
        project=OuterRef("project"), user=user, role__in=roles
    )
    q = Q(Exists(member))
    if MemberRole.BUSINESS_PM in roles:
        q |= Q(project__business_pm=user)
    if MemberRole.ENGINEERING_PM in roles:
        q |= Q(project__engineering_pm=user)
    return q
