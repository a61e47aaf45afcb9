"""API per API.md: statuses for every move and every kind of user, inbox, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core import workdays
from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from tests import factories
from tests.api.helpers import client_for
from tests.changes import factories as f

pytestmark = pytest.mark.django_db
S = ChangeRequest.Status


@pytest.fixture
def c():
    return f.cast()


BODY = {
    "title": "增加一条输送线",
    "origin": "customer",
    "cost_impact": "-35000.50",
    "schedule_impact_days": 20,
    "scope_impact": "新增输送线",
}


def test_create_list_and_detail(c):
    api = client_for(c.biz_pm)
    url = f"/api/v1/projects/{c.project.code}/change-requests/"
    r = api.post(url, {**BODY, "affected_milestones": [c.milestone.pk]}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"] == "CR-001" and body["status"] == "draft"
    assert body["cost_impact"] == "-35000.50" and body["currency"] == "CNY"
    assert body["requested_by"] == c.biz_pm.username
    assert body["affected_milestones"] == [c.milestone.pk]
    assert body["required_departments"] == ["business", "engineering"]
    listing = api.get(url).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]
    assert api.get(f"/api/v1/change-requests/{body['id']}/").json()["title"] == BODY["title"]


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"origin": "martians"},
        {"cost_impact": "lots"},
        {"schedule_impact_days": "soon"},
        {"affected_milestones": [999999]},
        {"status": "approved", "title": "x", "number": "CR-999"},  # read-only ignored → ok
    ],
)
def test_bad_input_is_400(c, bad):
    api = client_for(c.biz_pm)
    r = api.post(
        f"/api/v1/projects/{c.project.code}/change-requests/", {**BODY, **bad}, format="json"
    )
    if "status" in bad:
        assert r.status_code == 201 and r.json()["status"] == "draft"
        assert r.json()["number"] == "CR-001"
    else:
        assert r.status_code == 400, r.content
        assert not ChangeRequest.objects.exists()


def test_foreign_milestone_is_400(c):
    foreign = factories.MilestoneFactory()
    r = client_for(c.biz_pm).post(
        f"/api/v1/projects/{c.project.code}/change-requests/",
        {**BODY, "affected_milestones": [foreign.pk]},
        format="json",
    )
    assert r.status_code == 400 and "affected_milestones" in r.json()


def test_patch_only_in_draft(c):
    cr = f.draft(c)
    api = client_for(c.biz_pm)
    r = api.patch(f"/api/v1/change-requests/{cr.pk}/", {"title": "改"}, format="json")
    assert r.status_code == 200 and r.json()["title"] == "改"
    assert (
        client_for(c.tech_lead)
        .patch(f"/api/v1/change-requests/{cr.pk}/", {"title": "x"}, format="json")
        .status_code
        == 403
    )
    api.post(f"/api/v1/change-requests/{cr.pk}/submit/")
    r = api.patch(f"/api/v1/change-requests/{cr.pk}/", {"title": "再改"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]


def test_full_flow_over_the_api(c, settings):
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "10000"
    cr = f.draft(c)
    base = f"/api/v1/change-requests/{cr.pk}"
    assert client_for(c.biz_pm).post(f"{base}/submit/").json()["status"] == "submitted"
    assert client_for(c.biz_lead).post(f"{base}/approve/").status_code == 409  # not assessed
    bad = client_for(c.eng_pm).post(f"{base}/assess/", {"effort_days": -1}, format="json")
    assert bad.status_code == 400
    assert (
        client_for(c.biz_pm)
        .post(f"{base}/assess/", {"effort_days": "3", "assessment_risks": "r"}, format="json")
        .status_code
        == 403
    )
    r = client_for(c.eng_pm).post(
        f"{base}/assess/", {"effort_days": "3", "assessment_risks": "停线"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "assessed"
    assert client_for(c.pmo).post(f"{base}/approve/").status_code == 403
    assert client_for(c.biz_pm).post(f"{base}/approve/").status_code == 403  # the requester
    assert (
        client_for(c.biz_lead)
        .post(f"{base}/approve/", {"comment": "ok"}, format="json")
        .json()["status"]
        == "assessed"
    )
    second_lead = factories.business_user()
    factories.MembershipFactory(project=c.project, user=second_lead, role="business_lead")
    assert client_for(second_lead).post(f"{base}/approve/").status_code == 409  # stale
    assert client_for(c.eng_pm).post(f"{base}/approve/").json()["status"] == "assessed"
    r = client_for(c.finance).post(f"{base}/approve/")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert {d["department"] for d in r.json()["decisions"]} == {
        "business",
        "engineering",
        "finance",
    }
    assert client_for(c.biz_pm).post(f"{base}/withdraw/").status_code == 409
    assert client_for(c.eng_director).post(f"{base}/implement/").status_code == 403
    assert client_for(c.eng_pm).post(f"{base}/implement/").json()["status"] == "implemented"


def test_reject_needs_comment_and_department_choice_is_checked(c):
    cr = f.assessed(c)
    base = f"/api/v1/change-requests/{cr.pk}"
    assert client_for(c.biz_lead).post(f"{base}/reject/", {}, format="json").status_code == 400
    assert (
        client_for(c.biz_lead)
        .post(f"{base}/approve/", {"department": "pmo"}, format="json")
        .status_code
        == 400
    )
    assert (
        client_for(c.biz_lead)
        .post(f"{base}/approve/", {"department": "engineering"}, format="json")
        .status_code
        == 403
    )
    r = client_for(c.biz_lead).post(f"{base}/reject/", {"comment": "超出合同"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_two_department_user_gets_400_without_department(c):
    both = factories.business_user()
    factories.MembershipFactory(project=c.project, user=both, role="business_lead")
    factories.MembershipFactory(project=c.project, user=both, role="engineering_director")
    cr = f.assessed(c)
    r = client_for(both).post(f"/api/v1/change-requests/{cr.pk}/approve/")
    assert r.status_code == 400 and "department" in r.json()
    r = client_for(both).post(
        f"/api/v1/change-requests/{cr.pk}/approve/", {"department": "business"}, format="json"
    )
    assert r.status_code == 200


def _people(c):
    return {
        "anonymous": None,
        "non_member": factories.business_user(),
        "member": c.member,
        "pm": c.biz_pm,
        "other_department": factories.finance_user(),
        "pmo": c.pmo,
        "executive": factories.executive_user(),
    }


def test_read_permissions(c):
    cr = f.draft(c)
    statuses = {
        name: (
            client_for(user).get(f"/api/v1/projects/{c.project.code}/change-requests/").status_code,
            client_for(user).get(f"/api/v1/change-requests/{cr.pk}/").status_code,
        )
        for name, user in _people(c).items()
    }
    assert statuses == {
        "anonymous": (401, 401),
        "non_member": (404, 404),
        "member": (200, 200),
        "pm": (200, 200),
        "other_department": (404, 404),
        "pmo": (200, 200),
        "executive": (200, 200),
    }


def test_approve_permissions(c):
    statuses = {}
    for name, user in {**_people(c), "business_lead": c.biz_lead}.items():
        cr = f.assessed(c)  # asked for by the business PM
        statuses[name] = (
            client_for(user).post(f"/api/v1/change-requests/{cr.pk}/approve/").status_code
        )
    assert statuses == {
        "anonymous": 401,
        "non_member": 404,
        "member": 403,
        "pm": 403,  # the requester, for their own department
        "business_lead": 200,
        "other_department": 404,
        "pmo": 403,
        "executive": 403,
    }


def test_create_permissions(c):
    statuses = {
        name: client_for(user)
        .post(f"/api/v1/projects/{c.project.code}/change-requests/", BODY, format="json")
        .status_code
        for name, user in _people(c).items()
    }
    assert statuses == {
        "anonymous": 401,
        "non_member": 404,
        "member": 201,
        "pm": 201,
        "other_department": 404,
        "pmo": 201,
        "executive": 403,
    }


def test_awaiting_me_inbox(c, settings):
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    small = f.assessed(c)
    big = f.assessed(c, cost_impact=Decimal("250000"))
    f.submitted(c)  # not assessed yet: nobody's decision
    changes.approve_change_request(small.pk, by=c.biz_lead)

    def inbox(user):
        r = client_for(user).get("/api/v1/change-requests/?awaiting_me=1")
        assert r.status_code == 200
        return {row["number"] for row in r.json()["results"]}

    assert inbox(c.biz_pm) == set()  # the requester does not decide for business
    assert inbox(c.biz_lead) == {big.number}
    assert inbox(c.eng_pm) == {small.number, big.number}
    assert inbox(c.finance) == {big.number}
    assert inbox(c.pmo) == set()
    assert inbox(c.tech_lead) == set()
    assert client_for(c.biz_pm).get("/api/v1/change-requests/?awaiting_me=maybe").status_code == 400
    everything = client_for(c.pmo).get("/api/v1/change-requests/").json()
    assert everything["count"] == 3


def test_status_filter_and_updated_since(c):
    f.draft(c)
    f.submitted(c)
    url = f"/api/v1/projects/{c.project.code}/change-requests/"
    api = client_for(c.biz_pm)
    assert api.get(url, {"status": "submitted"}).json()["count"] == 1
    assert api.get(url, {"status": "nope"}).status_code == 400
    assert api.get(url, {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    assert api.get(url, {"updated_since": "yesterday"}).status_code == 400


def _list_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(c):
    api = client_for(c.biz_pm)
    url = f"/api/v1/projects/{c.project.code}/change-requests/"
    global_url = "/api/v1/change-requests/?awaiting_me=1"
    for _ in range(2):
        cr = f.assessed(c)
        changes.approve_change_request(cr.pk, by=c.eng_pm)
    few, few_global = _list_queries(api, url), _list_queries(api, global_url)
    for _ in range(6):
        cr = f.assessed(c)
        changes.approve_change_request(cr.pk, by=c.eng_pm)
    many, many_global = _list_queries(api, url), _list_queries(api, global_url)
    assert few == many
    assert few_global == many_global


def test_invisible_project_is_404(c):
    r = client_for(factories.business_user()).post(
        f"/api/v1/projects/{c.project.code}/change-requests/", BODY, format="json"
    )
    assert r.status_code == 404
    assert client_for(c.biz_pm).get("/api/v1/projects/NOPE/change-requests/").status_code == 404


def test_schema_documents_change_request_endpoints(c):
    r = client_for(c.pmo).get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in (
        "/api/v1/projects/{code}/change-requests/",
        "/api/v1/change-requests/",
        "/api/v1/change-requests/{id}/",
        "/api/v1/change-requests/{id}/approve/",
        "/api/v1/change-requests/{id}/assess/",
    ):
        assert p in paths, p


def test_measures_endpoint(c):
    f.approved(c)
    url = f"/api/v1/projects/{c.project.code}/change-requests/measures/"
    body = client_for(c.biz_pm).get(url).json()
    assert body["project"] == c.project.code and body["approved"] == 1
    assert body["approved_cost_impact"] == "50000.00" and body["budget_drift"] == "50000.00"
    # 14 working days of impact on China's working calendar, drift shown in calendar days
    shifted = workdays.add_working_days(c.project.planned_end, 14)
    assert body["end_drift_days"] == (shifted - c.project.planned_end).days
    assert body["approved_share_pct"] == "100.0"
    assert client_for(factories.business_user()).get(url).status_code == 404


def test_search(c):
    f.draft(c, title="加装遮阳棚")
    f.draft(c, title="改地坪")
    url = f"/api/v1/projects/{c.project.code}/change-requests/"
    api = client_for(c.biz_pm)
    assert [r["title"] for r in api.get(url, {"search": "遮阳"}).json()["results"]] == [
        "加装遮阳棚"
    ]
    assert api.get(url, {"search": "CR-002"}).json()["count"] == 1
    nul = api.get(url, {"search": "a\x00b"})  # refused for every /api/ query (middleware)
    assert nul.status_code == 400 and list(nul.json()) == ["search"]


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"title": "a\x00b"},
        {"cost_impact": "1e30"},
        {"schedule_impact_days": 10**9},
        {"affected_milestones": "1"},
        {"currency": "RMBX"},
    ],
)
def test_malformed_input_is_400_never_500(c, body):
    cr = f.draft(c)
    api = client_for(c.biz_pm)
    create = api.post(
        f"/api/v1/projects/{c.project.code}/change-requests/",
        {**BODY, **body} if isinstance(body, dict) else body,
        format="json",
    )
    assert create.status_code == 400, create.content
    assert api.patch(f"/api/v1/change-requests/{cr.pk}/", body, format="json").status_code == 400
    changes.submit_change_request(cr.pk, by=c.biz_pm)
    assess = api.post(f"/api/v1/change-requests/{cr.pk}/assess/", body, format="json")
    assert assess.status_code in (400, 403)
    assert ChangeRequest.objects.count() == 1
