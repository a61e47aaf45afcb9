"""Taiga-style permission checks: one endpoint, every kind of user, one line of statuses."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.test import APIClient

from projects.core.models import Project
from tests import factories

# The kinds of user every endpoint is checked against, in this order.
ROLES = [
    "anonymous",
    "non_member",  # business department, not on the project
    "member",  # engineering, plain member of the project
    "pm",  # the project's business PM
    "other_department",  # finance, not on the project
    "pmo",
    "executive",
]


def people_for(project: Project) -> dict:
    return {
        "anonymous": None,
        "non_member": factories.business_user(),
        "member": factories.MembershipFactory(project=project, role="member").user,
        "pm": project.business_pm,
        "other_department": factories.finance_user(),
        "pmo": factories.pmo_user(),
        "executive": factories.executive_user(),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_statuses(
    people: dict,
    method: str,
    url: str,
    expected: list[int],
    data=None,
    before_each: Callable[[], None] | None = None,
) -> None:
    """Call `method url` as each of ROLES and compare the statuses with `expected`."""
    got = {}
    for role in ROLES:
        if before_each:
            before_each()
        body = data() if callable(data) else data
        response = getattr(client_for(people[role]), method)(url, body, format="json")
        got[role] = response.status_code
    assert got == dict(zip(ROLES, expected, strict=True))
