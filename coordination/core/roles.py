"""Who a user is: department and company-wide roles (groups)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from coordination.core.models import Department

GROUP_BUSINESS_MANAGER = "business_manager"
GROUP_ENGINEERING_MANAGER = "engineering_manager"
GROUP_FINANCE = "finance"
GROUP_PMO = "pmo"
GROUP_EXECUTIVE = "executive"
# The head of a department (部门负责人: 业务总监, 工程总监, 财务经理 …): this group together with
# the profile's department. Department heads approve what crosses their department, e.g. a
# job rotation (coordination.rotations.rules).
GROUP_DEPARTMENT_HEAD = "department_head"
ALL_GROUPS = [
    GROUP_BUSINESS_MANAGER,
    GROUP_ENGINEERING_MANAGER,
    GROUP_FINANCE,
    GROUP_PMO,
    GROUP_EXECUTIVE,
    GROUP_DEPARTMENT_HEAD,
]


def _group_names(user) -> set[str]:
    if not user or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    cached = getattr(user, "_group_names_cache", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._group_names_cache = cached
    return cached


def remember_group_names(user, names) -> None:
    """Group names read together with the user (token authentication): the role checks
    of this request use them instead of querying."""
    user._group_names_cache = set(names)


def department_of(user) -> str:
    if not user or not user.is_authenticated:
        return ""
    profile = getattr(user, "profile", None)
    return profile.department if profile else ""


def is_pmo(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (
            user.is_superuser
            or GROUP_PMO in _group_names(user)
            or department_of(user) == Department.PMO
        )
    )


def is_executive(user) -> bool:
    return bool(user and user.is_authenticated and GROUP_EXECUTIVE in _group_names(user))


def sees_everything(user) -> bool:
    """PMO and executives see every project; everyone else sees their own."""
    return is_pmo(user) or is_executive(user)


def can_write(user) -> bool:
    """Whether `user` may change anything at all. Executives are read-only everywhere (they
    follow the projects, they do not run them); PMO staff in the executive group still act
    as PMO. Every write permission asks this first, so a read-only role is refused in one
    place whatever else it holds (a project role, the business department)."""
    return bool(user and user.is_authenticated) and (is_pmo(user) or not is_executive(user))


def pmo_q() -> Q:
    """is_pmo in SQL, for a user queryset (superusers aside): PMO's group or department."""
    return Q(groups__name=GROUP_PMO) | Q(profile__department=Department.PMO)


def is_department_head(user, department: str = "") -> bool:
    """Whether `user` heads a department (`department`: that one; else any, their own)."""
    if not department_of(user) or GROUP_DEPARTMENT_HEAD not in _group_names(user):
        return False
    return not department or department_of(user) == department
