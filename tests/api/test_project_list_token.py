"""The project list as ERP clients call it (a user's DRF token): the token, the user, the
profile and the group names in one query; the page and its exact count in one statement;
the same answers as the paginator's plain path (docs/performance.md)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from coordination.core.roles import GROUP_EXECUTIVE, GROUP_FINANCE
from projects.core.models import Project, Stage
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/api/v1/projects/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user, recently_used=True)}")
    return client


def _projects(n, **extra):
    customer = factories.CustomerFactory()
    biz, eng = factories.business_user(), factories.engineering_user()
    return factories.ProjectFactory.create_batch(
        n, customer=customer, business_pm=biz, engineering_pm=eng, **extra
    )


@pytest.mark.parametrize("who", ["pmo", "executive", "member"])
@pytest.mark.parametrize("size", [3, 30])
def test_two_queries_with_a_token_whatever_the_size(who, size, django_assert_num_queries):
    user = {
        "pmo": factories.pmo_user,
        "executive": factories.executive_user,
        "member": factories.engineering_user,
    }[who]()
    for project in _projects(size):
        factories.MembershipFactory(project=project, user=user)
    client = token_client(user)
    # token + user + profile + groups (1); page with its count (1)
    with django_assert_num_queries(2):
        response = client.get(URL, {"page_size": 200})
    assert response.status_code == 200 and response.json()["count"] == size


def test_groups_read_with_the_token_are_all_of_them():
    _projects(2)
    two_groups = factories.finance_user()
    two_groups.groups.add(Group.objects.get_or_create(name=GROUP_EXECUTIVE)[0])
    assert {GROUP_FINANCE, GROUP_EXECUTIVE} <= set(two_groups.groups.values_list("name", flat=True))
    assert token_client(two_groups).get(URL).json()["count"] == 2  # executive: sees all

    nobody = User.objects.create_user("no_groups", password="x")
    assert not nobody.groups.exists()
    body = token_client(nobody).get(URL).json()
    assert body["count"] == 0 and body["results"] == []


def test_inactive_and_unknown_tokens_are_401():
    user = factories.pmo_user()
    client = token_client(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(URL).status_code == 401
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert stranger.get(URL).status_code == 401


def _codes(body):
    return [p["code"] for p in body["results"]]


def test_pages_and_counts_equal_the_plain_paginator():
    projects = _projects(7)
    Project.objects.filter(pk__in=[p.pk for p in projects[:3]]).update(stage=Stage.KICKOFF)
    client = token_client(factories.pmo_user())
    plain = [p.code for p in Project.objects.order_by("-created_at", "-id")]

    pages = [client.get(URL, {"page_size": 3, "page": n}).json() for n in (1, 2, 3)]
    assert [b["count"] for b in pages] == [7, 7, 7]
    assert [c for b in pages for c in _codes(b)] == plain
    assert pages[2]["next"] is None and len(pages[2]["results"]) == 1
    assert _codes(client.get(URL, {"page_size": 3, "page": "last"}).json()) == plain[6:]

    for beyond in (4, 0, "x"):
        assert client.get(URL, {"page_size": 3, "page": beyond}).status_code == 404, beyond

    kickoff = client.get(URL, {"stage": "kickoff", "page_size": 2, "page": 2}).json()
    assert kickoff["count"] == 3 and len(kickoff["results"]) == 1
    found = client.get(URL, {"search": projects[0].code}).json()
    assert found["count"] == 1 and _codes(found) == [projects[0].code]
    assert client.get(URL, {"search": "no such thing"}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_a_member_counts_only_their_projects_on_every_page():
    user = factories.engineering_user()
    mine = _projects(5)
    _projects(4)
    for project in mine:
        factories.MembershipFactory(project=project, user=user)
    client = token_client(user)
    pages = [client.get(URL, {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    assert [b["count"] for b in pages] == [5, 5, 5]
    assert sorted(c for b in pages for c in _codes(b)) == sorted(p.code for p in mine)


def test_unrelated_parameters_do_not_filter_and_bad_filters_still_400():
    _projects(3)
    client = client_for(factories.pmo_user())
    assert client.get(URL, {"format": "json", "unknown": "1"}).json()["count"] == 3
    assert client.get(URL, {"stage": "bogus"}).status_code == 400
    assert client.get(URL, {"updated_since": "nonsense"}).status_code == 400


def test_a_kept_page_statement_reads_current_rows_and_never_another_users():
    pmo_client = token_client(factories.pmo_user())
    member = factories.engineering_user()
    mine = _projects(2)
    for project in mine:
        factories.MembershipFactory(project=project, user=member)
    member_client = token_client(member)
    assert pmo_client.get(URL).json()["count"] == 2
    assert member_client.get(URL).json()["count"] == 2
    others = _projects(3)  # the same statements again: new rows counted, visibility kept
    assert pmo_client.get(URL).json()["count"] == 5
    body = member_client.get(URL).json()
    assert body["count"] == 2 and {p["code"] for p in body["results"]} == {p.code for p in mine}
    assert not {p.code for p in others} & set(_codes(body))


def test_an_empty_queryset_counts_zero_without_sql(django_assert_num_queries):
    from projects.api.views import _ValuesPage

    with django_assert_num_queries(0):
        page = _ValuesPage(Project.objects.none(), (0, 100))
        assert page.count() == 0
