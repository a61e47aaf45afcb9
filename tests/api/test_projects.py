import datetime

import pytest
from django.contrib.auth import get_user_model

from coordination.core.models import AuditEvent
from projects.core.models import Project, Stage
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db
User = get_user_model()

REPRESENTATION = {
    "code",
    "erp_id",
    "name",
    "stage",
    "business_pm",
    "engineering_pm",
    "customer",
    "customer_erp_id",
    "primary_owner",
    "is_key_project",
    "contract_value",
    "currency",
    "planned_start",
    "planned_end",
    "forecast_end",
    "actual_start",
    "actual_end",
    "baseline_budget",
    "forecast_budget",
    "customer_core_needs",
    "expected_standards",
    "created_at",
    "updated_at",
}


def new_project_body(customer, business_pm, engineering_pm, **extra):
    return {
        "name": "苏州工业园区配电",
        "customer": customer.pk,
        "business_pm": business_pm.username,
        "engineering_pm": engineering_pm.username,
        "contract_value": "2500000.50",
        "planned_start": "2026-03-01",
        "planned_end": "2026-10-31",
        "is_key_project": True,
        "customer_core_needs": "停电窗口不超过4小时",
        **extra,
    }


def test_detail_has_the_full_representation(pmo_client, project):
    body = pmo_client.get(f"/api/v1/projects/{project.code}/").json()
    assert REPRESENTATION <= set(body)
    assert body["business_pm"] == project.business_pm.username
    assert body["engineering_pm"] == project.engineering_pm.username
    assert body["customer"] == project.customer_id and body["customer_erp_id"] == "ERP-C-1"
    assert body["contract_value"] == "1000000.00" and body["currency"] == "CNY"


def test_create_starts_as_opportunity_and_answers_the_full_project(pmo_client):
    customer = factories.CustomerFactory()
    biz, eng = factories.business_user(), factories.engineering_user()
    response = pmo_client.post(
        "/api/v1/projects/", new_project_body(customer, biz, eng), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert REPRESENTATION <= set(body)
    assert body["stage"] == "opportunity" and body["code"].startswith("PRJ-")
    assert body["forecast_end"] == "2026-10-31" and body["contract_value"] == "2500000.50"
    project = Project.objects.get(code=body["code"])
    assert (project.business_pm, project.engineering_pm) == (biz, eng)
    assert AuditEvent.objects.filter(action="project.created", project_code=project.code).exists()


def test_unknown_username_is_400_naming_the_field(pmo_client):
    customer = factories.CustomerFactory()
    body = new_project_body(customer, factories.business_user(), factories.engineering_user())
    body["engineering_pm"] = "nobody"
    response = pmo_client.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["engineering_pm"]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"contract_value": "lots"},
        {"contract_value": "-5"},
        {"planned_start": "2026-02-30"},
        {"planned_end": "2025-01-01"},
        {"customer": "abc"},
        {"customer": 999999},
        {"is_key_project": "perhaps"},
        {"currency": "yuan"},
        {"primary_owner": "both"},
        {"name": ["a", "list"]},
    ],
)
def test_malformed_fields_are_400(pmo_client, change):
    customer = factories.CustomerFactory()
    body = new_project_body(customer, factories.business_user(), factories.engineering_user())
    response = pmo_client.post("/api/v1/projects/", {**body, **change}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(change)


def test_malformed_bodies_are_400(pmo_client, project):
    url = f"/api/v1/projects/{project.code}/"
    bad_json = pmo_client.patch(url, "{not json", content_type="application/json")
    assert bad_json.status_code == 400
    assert pmo_client.patch(url, [1, 2], format="json").status_code == 400
    assert (
        pmo_client.post("/api/v1/projects/", "null", content_type="application/json").status_code
        == 400
    )


def test_stage_is_not_writable_by_patch(pmo_client, project):
    response = pmo_client.patch(
        f"/api/v1/projects/{project.code}/", {"stage": "closed"}, format="json"
    )
    assert response.status_code == 400 and "stage" in response.json()
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION


def test_planned_end_before_the_stored_start_is_400_and_changes_nothing(pmo_client, project):
    response = pmo_client.patch(
        f"/api/v1/projects/{project.code}/", {"planned_end": "2025-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"planned_end": ["计划完成日期不能早于计划开始日期。"]}
    project.refresh_from_db()
    assert project.planned_end == datetime.date(2026, 12, 31)
    assert not AuditEvent.objects.filter(action="project.updated").exists()


def test_patch_answers_the_full_project_and_audits(pmo_client, project):
    new_pm = factories.engineering_user(username="eng_new")
    response = pmo_client.patch(
        f"/api/v1/projects/{project.code}/",
        {"engineering_pm": "eng_new", "contract_value": "1200000"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["engineering_pm"] == "eng_new"
    assert response.json()["contract_value"] == "1200000.00"
    project.refresh_from_db()
    assert project.engineering_pm == new_pm
    event = AuditEvent.objects.get(action="project.updated", project_code=project.code)
    assert event.after["engineering_pm"] == "eng_new"


def test_members_see_their_projects_only():
    mine = factories.ProjectFactory()
    factories.ProjectFactory()
    member = factories.MembershipFactory(project=mine).user
    codes = [p["code"] for p in client_for(member).get("/api/v1/projects/").json()["results"]]
    assert codes == [mine.code]
    everyone = client_for(factories.executive_user()).get("/api/v1/projects/").json()
    assert everyone["count"] == 2


def test_filters(pmo_client):
    biz = factories.business_user(username="biz_a")
    key = factories.ProjectFactory(stage=Stage.KICKOFF, is_key_project=True, business_pm=biz)
    other = factories.ProjectFactory(stage=Stage.OPPORTUNITY)

    def codes(query):
        response = pmo_client.get("/api/v1/projects/" + query)
        assert response.status_code == 200, response.json()
        return {p["code"] for p in response.json()["results"]}

    assert codes("?stage=kickoff") == {key.code}
    assert codes("?stage=kickoff&stage=opportunity") == {key.code, other.code}
    assert codes(f"?customer={other.customer_id}") == {other.code}
    assert codes("?business_pm=biz_a") == {key.code}
    assert codes(f"?engineering_pm={other.engineering_pm.username}") == {other.code}
    assert codes("?is_key_project=true") == {key.code}
    assert codes("?is_key_project=false") == {other.code}
    assert codes("?business_pm=nobody") == set()


def test_unknown_filter_values_are_400(pmo_client):
    for query in ("?stage=bogus", "?customer=abc", "?updated_since=2026-13-45"):
        assert pmo_client.get("/api/v1/projects/" + query).status_code == 400, query


def test_search_matches_code_name_and_customer_name(pmo_client):
    a = factories.ProjectFactory(name="地铁三号线", customer__name="申通集团")
    b = factories.ProjectFactory(name="Data center")

    def codes(term):
        return {
            p["code"]
            for p in pmo_client.get("/api/v1/projects/", {"search": term}).json()["results"]
        }

    assert codes("三号线") == {a.code}
    assert codes("申通") == {a.code}
    assert codes(b.code) == {b.code}


def test_updated_since_returns_what_changed(pmo_client):
    old, recent = factories.ProjectFactory(), factories.ProjectFactory()
    Project.objects.filter(pk=old.pk).update(
        updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    Project.objects.filter(pk=recent.pk).update(
        updated_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    )
    response = pmo_client.get(
        "/api/v1/projects/",
        {"updated_since": "2026-06-01T08:00:00+08:00", "ordering": "updated_at"},
    )
    assert [p["code"] for p in response.json()["results"]] == [recent.code]
    assert pmo_client.get("/api/v1/projects/?updated_since=tomorrow").status_code == 400


def test_pagination_shape_and_page_size_cap(pmo_client):
    customer = factories.CustomerFactory()
    biz, eng = factories.business_user(), factories.engineering_user()
    factories.ProjectFactory.create_batch(5, customer=customer, business_pm=biz, engineering_pm=eng)
    body = pmo_client.get("/api/v1/projects/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["previous"] is None and "page=2" in body["next"]

    factories.ProjectFactory.create_batch(
        200, customer=customer, business_pm=biz, engineering_pm=eng
    )
    capped = pmo_client.get("/api/v1/projects/?page_size=500").json()
    assert capped["count"] == 205 and len(capped["results"]) == 200


def test_paging_in_updated_at_order_misses_nothing(pmo_client):
    customer = factories.CustomerFactory()
    biz, eng = factories.business_user(), factories.engineering_user()
    projects = factories.ProjectFactory.create_batch(
        7, customer=customer, business_pm=biz, engineering_pm=eng
    )
    same = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    Project.objects.update(updated_at=same)  # ties everywhere: the id breaks them
    seen, url = [], "/api/v1/projects/?ordering=updated_at&page_size=3"
    while url:
        body = pmo_client.get(url).json()
        seen += [p["code"] for p in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(p.code for p in projects) and len(seen) == 7


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("who", ["pmo", "member"])
def test_project_list_query_count_does_not_grow(size, who, django_assert_num_queries):
    user = factories.pmo_user() if who == "pmo" else factories.engineering_user()
    for _ in range(size):
        project = factories.ProjectFactory(is_key_project=True)
        factories.MembershipFactory(project=project, user=user)
    client = client_for(User.objects.get(pk=user.pk))
    # pmo: roles (1), page with its count (1); member: roles (1), profile (1), page
    with django_assert_num_queries(2 if who == "pmo" else 3):
        response = client.get("/api/v1/projects/?page_size=200")
    assert response.status_code == 200 and response.json()["count"] == size
