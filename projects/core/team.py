"""The project team: which people fit which project role, the department defaults a new
project starts with, and the one way members are added and removed (HTML, API, admin).

The rule "a role needs a person of its department, never an API client account, never a
read-only role" has a Python form (`role_refusal`, for one person) and a SQL form
(`eligible_users`, for a picker and a batch); `tests/projects/test_team.py` proves they agree.
The project's two PMs are the project's own fields (`business_pm`, `engineering_pm`): a
member added with a PM role *replaces* that PM (projects.core.services.update_project), so a
project always has exactly its two PMs and a PM is never "removed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.core.models import Department
from coordination.core.roles import GROUP_EXECUTIVE, can_write, department_of, is_pmo
from coordination.core.services import notify, record_audit, record_audit_many
from coordination.core.text import join_list
from projects.core.models import DefaultMember, MemberRole, Project, ProjectMembership
from projects.core.permissions import can_manage_members, require
from projects.core.roles import PM_ROLES

User = get_user_model()

# The department a project role needs. A plain member may come from any delivery department.
ROLE_DEPARTMENTS: dict[str, frozenset[str]] = {
    MemberRole.BUSINESS_PM: frozenset({Department.BUSINESS}),
    MemberRole.BUSINESS_LEAD: frozenset({Department.BUSINESS}),
    MemberRole.ENGINEERING_PM: frozenset({Department.ENGINEERING}),
    MemberRole.ENGINEERING_DIRECTOR: frozenset({Department.ENGINEERING}),
    MemberRole.TECH_LEAD: frozenset({Department.ENGINEERING}),
    MemberRole.FINANCE_REP: frozenset({Department.FINANCE}),
    MemberRole.MEMBER: frozenset({Department.BUSINESS, Department.ENGINEERING, Department.FINANCE}),
}
# The roles PMO sets as department defaults (the PMs are chosen per project).
DEFAULT_ROLES = [
    MemberRole.BUSINESS_LEAD,
    MemberRole.ENGINEERING_DIRECTOR,
    MemberRole.TECH_LEAD,
    MemberRole.FINANCE_REP,
]
MANAGE_MEMBERS_REFUSED = gettext_lazy("只有项目经理、部门负责人或PMO可以管理项目成员。")


# ---------------------------------------------------------------- who fits a role
def is_api_client(user) -> bool:
    """An ERP/API client's service account (coordination.integration ApiClient.user): it
    signs in with a token only and is never a person on a project."""
    flag = getattr(user, "is_api_client_account", None)
    if flag is None:
        flag = user.api_clients.exists()
    return bool(flag)


def role_refusal(user, role: str) -> str | None:
    """Why `user` may not hold `role` on a project (None: they may). Python form of
    eligible_users."""
    if user is None or not user.is_active:
        return _("该用户不存在或已停用。")
    if is_api_client(user):
        return _("API客户端账号不能担任项目角色。")
    if not can_write(user):
        return _("只读角色（高管）不能担任项目角色。")
    departments = ROLE_DEPARTMENTS.get(role, frozenset())
    if department_of(user) not in departments:
        return _("%(role)s须由%(departments)s的人员担任。") % {
            "role": MemberRole(role).label,
            "departments": join_list(str(Department(d).label) for d in sorted(departments)),
        }
    return None


def check_role(user, role: str, field: str) -> None:
    """ValidationError on `field` when `user` may not hold `role`."""
    refusal = role_refusal(user, role)
    if refusal:
        raise ValidationError({field: [refusal]})


def check_project_pms(project: Project) -> None:
    """The business PM is a business person, the engineering PM an engineering person
    (create, edit, ERP upsert; the bulk upsert asks `role_refusal` with its batch's users)."""
    errors = {}
    for field, role in (
        ("business_pm", MemberRole.BUSINESS_PM),
        ("engineering_pm", MemberRole.ENGINEERING_PM),
    ):
        user = getattr(project, field, None) if getattr(project, f"{field}_id", None) else None
        if user is None:
            continue  # full_clean reports the missing PM
        refusal = role_refusal(user, role)
        if refusal:
            errors[field] = [refusal]
    if errors:
        raise ValidationError(errors)


def api_client_account_q() -> Q:
    """Users that are an API client's service account (SQL form of is_api_client)."""
    return Q(api_clients__isnull=False)


def people() -> QuerySet:
    """Active users who are people, never an API client's service account (kickoff attendees
    and responsible persons; the base of eligible_users)."""
    client = User.objects.filter(pk=OuterRef("pk")).filter(api_client_account_q())
    return User.objects.filter(is_active=True).exclude(Exists(client))


def eligible_users(role: str | None = None) -> QuerySet:
    """The people who may hold `role` (None: any project role), with their profile (SQL form
    of role_refusal): active, of the role's department, not an API client account, not a
    read-only executive."""
    departments = ROLE_DEPARTMENTS.get(role) if role else ROLE_DEPARTMENTS[MemberRole.MEMBER]
    executive = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=GROUP_EXECUTIVE
    )
    return (
        people()
        .filter(profile__department__in=departments)
        .exclude(Exists(executive))
        .select_related("profile")
        .order_by("profile__department", "username")
    )


def with_client_flags(users: QuerySet) -> QuerySet:
    """`users` read with what role_refusal asks (profile, API client, groups) in one query,
    for a batch (the ERP bulk upsert)."""
    client = User.objects.filter(pk=OuterRef("pk")).filter(api_client_account_q())
    return users.select_related("profile").annotate(is_api_client_account=Exists(client))


# ---------------------------------------------------------------- the members of a project
def team_of(project: Project) -> list[dict]:
    """The team as the members panel and the API show it: the two PMs first (the project's
    fields, `id` None: replaced, never removed), then every membership by role order. Two
    queries whatever the size of the team."""
    order = {role: i for i, role in enumerate(MemberRole.values)}
    rows = [
        {"id": None, "user": project.business_pm, "role": MemberRole.BUSINESS_PM, "pm": True},
        {"id": None, "user": project.engineering_pm, "role": MemberRole.ENGINEERING_PM, "pm": True},
    ]
    memberships = sorted(
        project.memberships.select_related("user", "user__profile"),
        key=lambda m: (order.get(m.role, 99), m.user.username, m.pk),
    )
    rows += [
        {"id": m.pk, "user": m.user, "role": m.role, "pm": False, "membership": m}
        for m in memberships
    ]
    for row in rows:
        row["role_label"] = MemberRole(row["role"]).label
    return rows


def _notify_added(user, project: Project, role: str) -> None:
    notify(
        [user],
        kind="project.member_added",
        project=project.code,
        subject=lambda: (
            _("你已加入项目 %(code)s，角色：%(role)s")
            % {"code": project.code, "role": MemberRole(role).label}
        ),
        body=lambda: project.name,
        url=f"/projects/{project.code}/",
    )


@transaction.atomic
def add_member(project_id: int, *, by, user, role: str) -> ProjectMembership | Project:
    """Add `user` to the project in `role`.

    1. Lock the project; the caller must manage its members (PMs, leads, PMO).
    2. The person must fit the role (role_refusal): a 400 on `user` otherwise.
    3. A PM role replaces that PM (the project then has the new PM; the previous one keeps
       any membership they hold) and returns the project.
    4. Otherwise a membership row: already there in that role is a 400 on `user`; audit
       `project.member_added`, notify the person added.
    """
    project = Project.objects.select_for_update().get(pk=project_id)
    require(by is None or can_manage_members(by, project), MANAGE_MEMBERS_REFUSED)
    if role not in MemberRole.values:
        raise ValidationError({"role": [_("未知的项目角色：%(role)s") % {"role": role}]})
    check_role(user, role, "user")
    if role in PM_ROLES:
        return _replace_pm(project, by=by, user=user, role=role)
    if ProjectMembership.objects.filter(project=project, user=user, role=role).exists():
        raise ValidationError({"user": [_already(user, role)]})
    membership = ProjectMembership.objects.create(project=project, user=user, role=role)
    record_audit(
        actor=by,
        action="project.member_added",
        target=membership,
        after={"user": user.get_username(), "role": role},
        project_code=project.code,
    )
    _notify_added(user, project, role)
    return membership


def _replace_pm(project: Project, *, by, user, role: str) -> Project:
    """The project's PM in `role` becomes `user` (the locked project; audited as the project
    form's edit of that field is)."""
    field = "business_pm" if role == MemberRole.BUSINESS_PM else "engineering_pm"
    before = getattr(project, field)
    if before.pk == user.pk:
        raise ValidationError({"user": [_already(user, role)]})
    setattr(project, field, user)
    project.save()
    record_audit(
        actor=by,
        action="project.updated",
        target=project,
        before={field: before.get_username()},
        after={field: user.get_username()},
    )
    _notify_added(user, project, role)
    return project


def _already(user, role: str) -> str:
    return _("%(user)s 已是该项目的%(role)s。") % {
        "user": user.get_username(),
        "role": MemberRole(role).label,
    }


@transaction.atomic
def remove_member(membership_id: int, *, by) -> ProjectMembership:
    """Remove one membership (the project's two PMs are not memberships: they are replaced).
    Audit `project.member_removed`; the person removed is told."""
    membership = (
        ProjectMembership.objects.select_for_update(of=("self",))
        .select_related("project", "user")
        .get(pk=membership_id)
    )
    project = membership.project
    require(by is None or can_manage_members(by, project), MANAGE_MEMBERS_REFUSED)
    record_audit(
        actor=by,
        action="project.member_removed",
        target=membership,
        before={"user": membership.user.get_username(), "role": membership.role},
        project_code=project.code,
    )
    membership.delete()
    notify(
        [membership.user],
        kind="project.member_removed",
        project=project.code,
        subject=lambda: (
            _("你已不再担任项目 %(code)s 的%(role)s")
            % {"code": project.code, "role": MemberRole(membership.role).label}
        ),
        url="",
    )
    return membership


# ---------------------------------------------------------------- department defaults
def default_members_for(customer_ids: Iterable[int]) -> dict[int | None, dict[str, list]]:
    """{customer id: {role: [users]}} of the defaults that apply to each customer: for each
    role, the customer's own defaults when it has any, else the company's (customer None).
    One query."""
    customer_ids = set(customer_ids)
    rows = (
        DefaultMember.objects.filter(Q(customer__isnull=True) | Q(customer_id__in=customer_ids))
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username", "pk")
    )
    company: dict[str, list] = defaultdict(list)
    own: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.customer_id is None:
            company[row.role].append(row.user)
        else:
            own[row.customer_id][row.role].append(row.user)
    result: dict[int | None, dict[str, list]] = {}
    for customer_id in customer_ids:
        mine = own.get(customer_id, {})
        result[customer_id] = {
            role: list(mine.get(role) or company.get(role) or []) for role in DEFAULT_ROLES
        }
    return result


def start_team(projects: list, *, by) -> list[ProjectMembership]:
    """The first members of new projects (create, ERP upsert, ERP bulk upsert), set-based:
    each project's department defaults (default_members_for), and its creator as a member
    when they would not see it otherwise (not PMO or an executive, not one of its PMs or
    defaults), so
    the creator always sees what they created. One read, one INSERT, one audit INSERT, one
    notification per person added; `projects` are Projects or rows with `id`, `code`, `name`,
    `customer_id`, `business_pm_id`, `engineering_pm_id`."""
    if not projects:
        return []
    defaults = default_members_for({p.customer_id for p in projects})
    creator = by if by is not None and getattr(by, "pk", None) else None
    creator_sees_all = creator is None or is_pmo(creator) or not can_write(creator)
    rows: list[ProjectMembership] = []
    for p in projects:
        on_it = {p.business_pm_id, p.engineering_pm_id}
        for role, users in defaults[p.customer_id].items():
            rows += [ProjectMembership(project_id=p.id, user=u, role=role) for u in users]
            on_it.update(u.pk for u in users)
        if not creator_sees_all and creator.pk not in on_it:
            rows.append(ProjectMembership(project_id=p.id, user=creator, role=MemberRole.MEMBER))
    if not rows:
        return []
    ProjectMembership.objects.bulk_create(rows)
    by_id = {p.id: p for p in projects}
    record_audit_many(
        actor=by,
        action="project.member_added",
        changes=[
            (
                _MembershipTarget(m, by_id[m.project_id].code),
                None,
                {"user": m.user.get_username(), "role": m.role},
            )
            for m in rows
        ],
    )
    added: dict[int, tuple] = {}
    for m in rows:
        if m.user.pk == getattr(creator, "pk", None) and m.role == MemberRole.MEMBER:
            continue  # the creator knows
        added.setdefault(m.user.pk, (m.user, []))[1].append((by_id[m.project_id], m.role))
    for user, items in added.values():
        _notify_started(user, items)
    return rows


def _notify_started(user, items: list[tuple]) -> None:
    if len(items) == 1:
        project, role = items[0]
        _notify_added(user, project, role)
        return
    notify(
        [user],
        kind="project.member_added",
        subject=lambda: _("你已按部门默认设置加入 %(n)d 个新项目") % {"n": len(items)},
        body=lambda: "\n".join(
            f"{project.code} {project.name}: {MemberRole(role).label}" for project, role in items
        ),
        url="/projects/",
    )


class _MembershipTarget:
    """What record_audit_many reads of a membership created by bulk_create: its model, pk,
    its project's code and a label (no query for the project)."""

    _meta = ProjectMembership._meta

    def __init__(self, membership: ProjectMembership, code: str):
        self.pk = membership.pk
        self.code = code
        self._label = f"{code} {membership.user.get_username()} {membership.role}"

    def __str__(self) -> str:
        return self._label
