"""The project team: who fits which role, department defaults, the creator's visibility, the
members panel (htmx) and the members API (projects.core.team)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent, Notification
from coordination.integration import services as integration
from coordination.integration.models import ApiScope
from projects.core import services, team
from projects.core.models import DefaultMember, MemberRole, Project, ProjectMembership
from tests import factories
from tests.projects.test_views import project_form_data

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def project_data(**overrides) -> dict:
    data = {
        "name": "新风电场",
        "customer": factories.CustomerFactory(),
        "business_pm": factories.business_user(),
        "engineering_pm": factories.engineering_user(),
        "is_key_project": True,
    }
    return {**data, **overrides}


def erp_robot():
    client, _key = integration.create_api_client(name="ERP-T", scopes=[ApiScope.READ])
    return client.user


# ---------------------------------------------------------------- who fits a role
def test_the_pickers_and_the_rule_agree():
    """eligible_users (SQL) lists exactly the people role_refusal (Python) accepts."""
    people = [
        factories.business_user(),
        factories.engineering_user(),
        factories.finance_user(),
        factories.pmo_user(),
        factories.executive_user(),
        erp_robot(),
    ]
    inactive = factories.engineering_user(is_active=False)
    people.append(inactive)
    for role in MemberRole.values:
        sql = set(team.eligible_users(role).values_list("pk", flat=True))
        python = {p.pk for p in people if team.role_refusal(p, role) is None}
        assert sql & {p.pk for p in people} == python, role


@pytest.mark.parametrize(
    "field, who",
    [
        ("business_pm", "finance"),
        ("business_pm", "engineering"),
        ("business_pm", "executive"),
        ("engineering_pm", "robot"),
        ("engineering_pm", "business"),
    ],
)
def test_a_pm_of_the_wrong_kind_is_refused_everywhere(client, field, who):
    person = {
        "finance": factories.finance_user,
        "engineering": factories.engineering_user,
        "business": factories.business_user,
        "executive": factories.executive_user,
        "robot": erp_robot,
    }[who]()
    creator = factories.business_user()
    with pytest.raises(ValidationError) as refused:
        services.create_project(by=creator, data=project_data(**{field: person}))
    assert field in refused.value.message_dict
    assert not Project.objects.exists()

    # the project form: the picker does not offer them, a forged post is a field error
    client.force_login(creator)
    response = client.post(reverse("projects:create"), project_form_data(**{field: person.pk}))
    assert response.status_code == 200 and field in response.context["form"].errors
    # the API and the ERP upsert: 400 naming the field
    customer = factories.CustomerFactory()
    good = {
        "business_pm": factories.business_user(),
        "engineering_pm": factories.engineering_user(),
    }
    body = {
        "name": "X",
        "customer": customer.pk,
        **{k: v.username for k, v in good.items()},
        field: person.username,
    }
    response = api(creator).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    erp_body = {**body, "customer_erp_id": customer.erp_id}
    del erp_body["customer"]
    pmo = factories.pmo_user()
    response = api(pmo).put("/api/v1/erp/projects/E-1/", erp_body, format="json")
    assert response.status_code == 400 and field in response.json()
    response = api(pmo).post(
        "/api/v1/erp/projects/bulk/", [{**erp_body, "erp_id": "E-2"}], format="json"
    )
    assert response.status_code == 200
    assert response.json()[0]["status"] == "error" and field in response.json()[0]["errors"]
    assert not Project.objects.exists()


def test_the_project_form_offers_only_fitting_pms(client):
    biz, eng, fin = (
        factories.business_user(),
        factories.engineering_user(),
        factories.finance_user(),
    )
    robot, boss = erp_robot(), factories.executive_user()
    client.force_login(biz)
    form = client.get(reverse("projects:create")).context["form"]
    business = set(form.fields["business_pm"].queryset)
    engineering = set(form.fields["engineering_pm"].queryset)
    assert biz in business and eng not in business and fin not in business
    assert eng in engineering and biz not in engineering
    assert robot not in business | engineering and boss not in business | engineering


# ---------------------------------------------------------------- defaults and the creator
def test_a_new_project_starts_with_the_department_defaults_and_the_creator_sees_it():
    lead, director, tech, fin = (
        factories.business_user(),
        factories.engineering_user(),
        factories.engineering_user(),
        factories.finance_user(),
    )
    for role, user in [
        (MemberRole.BUSINESS_LEAD, lead),
        (MemberRole.ENGINEERING_DIRECTOR, director),
        (MemberRole.TECH_LEAD, tech),
        (MemberRole.FINANCE_REP, fin),
    ]:
        DefaultMember.objects.create(role=role, user=user)
    special = factories.CustomerFactory()
    their_tech = factories.engineering_user()
    DefaultMember.objects.create(role=MemberRole.TECH_LEAD, user=their_tech, customer=special)

    creator = factories.business_user()  # creates a project for two other PMs
    plain = services.create_project(by=creator, data=project_data())
    own = services.create_project(by=creator, data=project_data(customer=special))

    def roles(project):
        return set(project.memberships.values_list("user__username", "role"))

    assert roles(plain) == {
        (lead.username, "business_lead"),
        (director.username, "engineering_director"),
        (tech.username, "tech_lead"),
        (fin.username, "finance_rep"),
        (creator.username, "member"),
    }
    assert (their_tech.username, "tech_lead") in roles(own)
    assert (tech.username, "tech_lead") not in roles(own)  # the customer's default replaces it
    assert Notification.objects.filter(user=director, kind="project.member_added").count() == 2
    assert (
        AuditEvent.objects.filter(action="project.member_added", project_code=plain.code).count()
        == 5
    )
    # the creator sees what they created: list, detail, API
    client = api(creator)
    assert client.get(f"/api/v1/projects/{plain.code}/").status_code == 200
    codes = {p["code"] for p in client.get("/api/v1/projects/").json()["results"]}
    assert {plain.code, own.code} <= codes
    # the engineering director sees it from the first minute
    assert api(director).get(f"/api/v1/projects/{plain.code}/").status_code == 200


def test_the_erp_bulk_upsert_gives_new_projects_their_defaults():
    director = factories.engineering_user()
    DefaultMember.objects.create(role=MemberRole.ENGINEERING_DIRECTOR, user=director)
    customer = factories.CustomerFactory()
    biz, eng = factories.business_user(), factories.engineering_user()
    rows = [
        {
            "erp_id": f"B-{i}",
            "name": f"P{i}",
            "customer_erp_id": customer.erp_id,
            "business_pm": biz.username,
            "engineering_pm": eng.username,
        }
        for i in range(3)
    ]
    response = api(factories.pmo_user()).post("/api/v1/erp/projects/bulk/", rows, format="json")
    assert [r["status"] for r in response.json()] == ["created"] * 3
    assert ProjectMembership.objects.filter(user=director, role="engineering_director").count() == 3
    assert Notification.objects.filter(user=director).count() == 1  # one note for the batch
    assert AuditEvent.objects.filter(action="project.member_added").count() == 3


# ---------------------------------------------------------------- the members API
@pytest.fixture
def project():
    return factories.ProjectFactory()


def test_a_pm_adds_and_removes_members_through_the_api(project):
    director = factories.engineering_user(username="director")
    client = api(project.business_pm)
    url = f"/api/v1/projects/{project.code}/members/"
    response = client.post(url, {"user": "director", "role": "engineering_director"}, format="json")
    assert response.status_code == 201
    member = response.json()
    assert member["role"] == "engineering_director" and member["department"] == "engineering"
    assert Notification.objects.filter(user=director, kind="project.member_added").exists()
    assert AuditEvent.objects.filter(action="project.member_added").count() == 1
    assert api(director).get(f"/api/v1/projects/{project.code}/").status_code == 200

    listed = client.get(url).json()
    assert listed["count"] == 3
    assert [(r["role"], r["pm"]) for r in listed["results"]] == [
        ("business_pm", True),
        ("engineering_pm", True),
        ("engineering_director", False),
    ]
    again = client.post(url, {"user": "director", "role": "engineering_director"}, format="json")
    assert again.status_code == 400 and "user" in again.json()

    response = client.delete(f"/api/v1/project-members/{member['id']}/")
    assert response.status_code == 204
    assert not ProjectMembership.objects.exists()
    assert AuditEvent.objects.filter(action="project.member_removed").count() == 1
    assert api(director).get(f"/api/v1/projects/{project.code}/").status_code == 404


@pytest.mark.parametrize(
    "who, role",
    [
        ("finance", "tech_lead"),
        ("business", "engineering_director"),
        ("engineering", "finance_rep"),
        ("robot", "member"),
        ("executive", "business_lead"),
    ],
)
def test_a_person_of_the_wrong_department_is_a_400_on_user(project, who, role):
    person = {
        "finance": factories.finance_user,
        "business": factories.business_user,
        "engineering": factories.engineering_user,
        "robot": erp_robot,
        "executive": factories.executive_user,
    }[who]()
    response = api(project.engineering_pm).post(
        f"/api/v1/projects/{project.code}/members/",
        {"user": person.username, "role": role},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["user"]
    assert not ProjectMembership.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="project.").exists()


def test_posting_a_pm_role_replaces_that_pm(project):
    old = project.engineering_pm
    new = factories.engineering_user(username="new_eng_pm")
    response = api(project.business_pm).post(
        f"/api/v1/projects/{project.code}/members/",
        {"user": "new_eng_pm", "role": "engineering_pm"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["pm"] is True
    project.refresh_from_db()
    assert project.engineering_pm == new
    assert api(old).get(f"/api/v1/projects/{project.code}/").status_code == 404
    event = AuditEvent.objects.get(action="project.updated")
    assert event.before == {"engineering_pm": old.username}


def test_who_may_manage_members(project):
    tech = factories.engineering_user()
    factories.MembershipFactory(project=project, user=tech, role="tech_lead")
    lead = factories.business_user()
    factories.MembershipFactory(project=project, user=lead, role="business_lead")
    outsider = factories.business_user()
    body = {"user": factories.engineering_user(username="x1").username, "role": "member"}
    url = f"/api/v1/projects/{project.code}/members/"
    assert api(tech).post(url, body, format="json").status_code == 403
    assert api(outsider).post(url, body, format="json").status_code == 404
    assert api(factories.executive_user()).post(url, body, format="json").status_code == 403
    assert api(lead).post(url, body, format="json").status_code == 201
    assert api(factories.pmo_user()).get(url).status_code == 200


# ---------------------------------------------------------------- the members panel
def test_the_panel_adds_and_removes_with_htmx(client, project):
    director = factories.engineering_user(username="panel_director")
    client.force_login(project.business_pm)
    panel = client.get(reverse("projects:members", args=[project.code]))
    assert panel.status_code == 200 and 'id="member-add-form"' in panel.content.decode()
    add = reverse("projects:member_add", args=[project.code])
    response = client.post(
        add, {"user": director.pk, "role": "engineering_director"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-member="panel_director"' in html
    # refused: the picked person keeps their choice, the error is on the field
    response = client.post(
        add, {"user": director.pk, "role": "finance_rep"}, HTTP_HX_REQUEST="true"
    )
    assert response.context["form"].errors["user"]
    assert response.context["form"]["role"].value() == "finance_rep"
    membership = ProjectMembership.objects.get(user=director)
    remove = reverse("projects:member_remove", args=[project.code, membership.pk])
    response = client.post(remove, HTTP_HX_REQUEST="true")
    assert 'data-member="panel_director"' not in response.content.decode()


def test_a_plain_member_sees_the_team_but_no_form(client, project):
    member = factories.engineering_user()
    factories.MembershipFactory(project=project, user=member, role="member")
    client.force_login(member)
    panel = client.get(reverse("projects:members", args=[project.code])).content.decode()
    assert project.business_pm.username in panel and "member-add-form" not in panel
    add = reverse("projects:member_add", args=[project.code])
    assert client.post(add, {}).status_code == 403


def _team(project, n):
    for _i in range(n):
        factories.MembershipFactory(project=project, user=factories.engineering_user())


@pytest.mark.parametrize("path", ["html", "api"])
def test_the_members_panel_reads_a_constant_number_of_queries(client, path):
    counts = []
    for size in (2, 12):
        project = factories.ProjectFactory()
        _team(project, size)
        for _i in range(size):
            factories.engineering_user()  # more people to pick from
        if path == "html":
            client.force_login(project.business_pm)
            url = reverse("projects:members", args=[project.code])
            get = client.get
        else:
            url = f"/api/v1/projects/{project.code}/members/"
            get = api(project.business_pm).get
        get(url)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as queries:
            assert get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_pmo_sets_defaults_in_the_admin_and_a_wrong_department_is_refused(client):
    pmo = factories.pmo_user(is_staff=True, is_superuser=True)
    client.force_login(pmo)
    url = reverse("admin:projects_defaultmember_add")
    fin, eng = factories.finance_user(), factories.engineering_user()
    response = client.post(url, {"role": "engineering_director", "user": fin.pk})
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not DefaultMember.objects.exists()
    response = client.post(url, {"role": "engineering_director", "user": eng.pk})
    assert response.status_code == 302
    assert DefaultMember.objects.get().user == eng
    assert AuditEvent.objects.filter(action="default_member.added").count() == 1


def test_a_creator_who_is_a_default_gets_no_second_row():
    lead = factories.business_user()
    DefaultMember.objects.create(role=MemberRole.BUSINESS_LEAD, user=lead)
    project = services.create_project(by=lead, data=project_data())
    assert list(project.memberships.values_list("role", flat=True)) == ["business_lead"]
