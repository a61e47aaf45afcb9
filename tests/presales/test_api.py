"""API per API.md: status codes for every kind of caller, 409 shape, versioning."""

import pytest

from projects.core.models import Stage
from projects.presales.models import FeasibilityAssessment, Quote
from tests import factories
from tests.conftest import client_for
from tests.presales.factories import AssessmentFactory, QuoteFactory, cast

pytestmark = pytest.mark.django_db
S = FeasibilityAssessment.Status

BODY = {
    "verdict": "conditional",
    "conditions": "客户提供设备基础图",
    "labour_cost": "200000.00",
    "materials_cost": "300000.00",
    "equipment_cost": "100000.00",
    "subcontracting_cost": "100000.00",
    "contingency_cost": "50000.00",
    "estimated_duration_days": 200,
    "key_risks": [{"title": "进口PLC交期", "probability": 3, "impact": 4}],
    "assumptions": "双班施工",
}
QUOTE = {
    "quoted_price": "1000000.00",
    "currency": "CNY",
    "promised_delivery_date": "2026-12-31",
    "payment_terms": "30/60/10",
}


@pytest.fixture
def c():
    return cast()


def statuses(users, call):
    return [call(client_for(u)).status_code for u in users]


def test_create_assessment_statuses(c, pmo):
    url = f"/api/v1/projects/{c.project.code}/feasibility/"
    users = [None, c.outsider_eng, c.business_pm, pmo, c.engineering_pm]
    assert statuses(users, lambda cl: cl.post(url, BODY, format="json")) == [
        401,
        404,
        403,
        403,
        201,
    ]
    assert FeasibilityAssessment.objects.count() == 1


def test_created_assessment_representation(c):
    url = f"/api/v1/projects/{c.project.code}/feasibility/"
    data = client_for(c.engineering_pm).post(url, BODY, format="json").json()
    assert data["project"] == c.project.code
    assert (data["version"], data["status"], data["total_cost"]) == (1, "draft", "750000.00")
    assert data["key_risks"] == [
        {"title": "进口PLC交期", "description": "", "probability": 3, "impact": 4}
    ]
    assert data["author"] == c.engineering_pm.username


def test_bad_input_is_400(c):
    url = f"/api/v1/projects/{c.project.code}/feasibility/"
    res = client_for(c.engineering_pm).post(
        url, {**BODY, "labour_cost": "-1", "verdict": "maybe"}, format="json"
    )
    assert res.status_code == 400
    assert set(res.json()) >= {"labour_cost", "verdict"}
    res = client_for(c.engineering_pm).post(url, ["not", "an", "object"], format="json")
    assert res.status_code == 400


def test_list_is_paginated_and_hidden_from_outsiders(c, pmo):
    AssessmentFactory(project=c.project, version=1, status=S.SUPERSEDED)
    AssessmentFactory(project=c.project, version=2)
    url = f"/api/v1/projects/{c.project.code}/feasibility/"
    assert statuses([None, c.outsider_biz, c.business_pm, pmo], lambda cl: cl.get(url)) == [
        401,
        404,
        200,
        200,
    ]
    data = client_for(c.finance).get(url).json()
    assert data["count"] == 2 and [r["version"] for r in data["results"]] == [2, 1]
    assert [r["is_current"] for r in data["results"]] == [True, False]


def test_lifecycle_with_return_and_resubmit_as_new_version(c):
    eng, director = client_for(c.engineering_pm), client_for(c.director)
    a = eng.post(f"/api/v1/projects/{c.project.code}/feasibility/", BODY, format="json").json()
    assert (
        eng.patch(
            f"/api/v1/feasibility/{a['id']}/", {"labour_cost": "250000"}, format="json"
        ).json()["total_cost"]
        == "800000.00"
    )  # noqa: E501
    assert eng.post(f"/api/v1/feasibility/{a['id']}/submit/").json()["status"] == "submitted"
    # editing a submitted version is a state conflict
    res = eng.patch(f"/api/v1/feasibility/{a['id']}/", {"labour_cost": "1"}, format="json")
    assert res.status_code == 409 and set(res.json()) == {"detail", "unmet"}
    # only the engineering director decides
    assert eng.post(f"/api/v1/feasibility/{a['id']}/approve/").status_code == 403
    assert (
        director.post(f"/api/v1/feasibility/{a['id']}/return/", {}, format="json").status_code
        == 400
    )  # noqa: E501
    res = director.post(
        f"/api/v1/feasibility/{a['id']}/return/", {"reason": "单价偏低"}, format="json"
    )  # noqa: E501
    assert res.json()["status"] == "returned" and res.json()["return_reason"] == "单价偏低"
    v2 = eng.patch(
        f"/api/v1/feasibility/{a['id']}/", {"materials_cost": "400000"}, format="json"
    ).json()  # noqa: E501
    assert (v2["version"], v2["status"], v2["based_on_version"]) == (2, "draft", 1)
    eng.post(f"/api/v1/feasibility/{v2['id']}/submit/")
    res = director.post(f"/api/v1/feasibility/{v2['id']}/approve/")
    assert res.status_code == 200 and res.json()["status"] == "approved"
    # approving twice: 409 with the contract's shape
    res = director.post(f"/api/v1/feasibility/{v2['id']}/approve/")
    assert res.status_code == 409
    body = res.json()
    assert isinstance(body["detail"], str) and isinstance(body["unmet"], list) and body["unmet"]
    old = eng.get(f"/api/v1/feasibility/{a['id']}/").json()
    assert (old["version"], old["status"]) == (1, "returned")


def test_action_on_invisible_assessment_is_404(c):
    a = AssessmentFactory(project=c.project, status=S.SUBMITTED)
    outsider = factories.engineering_user()
    for action in ("submit", "approve", "return", "copy-risks"):
        assert client_for(outsider).post(f"/api/v1/feasibility/{a.pk}/{action}/").status_code == 404
    assert client_for(outsider).get(f"/api/v1/feasibility/{a.pk}/").status_code == 404


def test_copy_risks_endpoint(c):
    a = AssessmentFactory(project=c.project, key_risks=[{"title": "吊装窗口受限"}])
    url = f"/api/v1/feasibility/{a.pk}/copy-risks/"
    assert client_for(c.business_pm).post(url).status_code == 403
    res = client_for(c.engineering_pm).post(url)
    assert res.status_code == 200 and len(res.json()["risks"]) == 1
    assert client_for(c.engineering_pm).post(url).status_code == 409


def test_put_quote_statuses_and_history(c, pmo):
    AssessmentFactory(project=c.project, version=1)
    url = f"/api/v1/projects/{c.project.code}/quote/"
    users = [None, c.outsider_biz, c.engineering_pm, pmo]
    assert statuses(users, lambda cl: cl.put(url, QUOTE, format="json")) == [401, 404, 403, 403]
    biz = client_for(c.business_pm)
    assert biz.get(url).status_code == 404  # no quote yet
    first = biz.put(url, QUOTE, format="json")
    assert first.status_code == 201 and first.json()["assessment_version"] == 1
    assert biz.put(url, QUOTE, format="json").status_code == 200  # unchanged
    second = biz.put(url, {**QUOTE, "quoted_price": "900000.00"}, format="json")
    assert second.status_code == 200 and second.json()["revision"] == 2
    assert biz.get(url).json()["quoted_price"] == "900000.00"
    assert Quote.objects.filter(project=c.project).count() == 2
    assert biz.put(url, {**QUOTE, "quoted_price": "0"}, format="json").status_code == 400


def test_quote_after_the_bid_is_a_conflict(c):
    c.project.stage = Stage.EXECUTION
    c.project.save()
    res = client_for(c.business_pm).put(
        f"/api/v1/projects/{c.project.code}/quote/", QUOTE, format="json"
    )
    assert res.status_code == 409 and set(res.json()) == {"detail", "unmet"}


def test_promise_gaps_endpoint(c, pmo):
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a, quoted_price="780000")
    url = f"/api/v1/projects/{c.project.code}/promise-gaps/"
    assert statuses([None, c.outsider_eng, c.finance, pmo], lambda cl: cl.get(url)) == [
        401,
        404,
        200,
        200,
    ]
    data = client_for(c.business_pm).get(url).json()
    assert data["project"] == c.project.code and data["blocks_contract"] is False
    assert [g["code"] for g in data["gaps"]] == ["margin_below_floor"]
    assert data["gaps"][0]["figures"]["quoted_price"] == "780000.00"


def test_gaps_in_english():
    c = cast(is_key_project=True)
    res = client_for(c.business_pm).get(
        f"/api/v1/projects/{c.project.code}/promise-gaps/", HTTP_ACCEPT_LANGUAGE="en"
    )
    data = res.json()
    assert data["blocks_contract"] is True
    assert [g["code"] for g in data["gaps"]] == ["no_approved_assessment", "no_quote"]


def test_transition_api_reports_gaps_as_409_unmet():
    c = cast(is_key_project=True)
    res = client_for(c.business_pm).post(
        f"/api/v1/projects/{c.project.code}/transition/", {"to": "contracted"}, format="json"
    )
    assert res.status_code == 409
    assert res.json()["unmet"] == ["尚无已批准的工程可行性评估。", "尚无业务报价。"]


def test_list_filters_and_bad_filter_values(c):
    AssessmentFactory(project=c.project, version=1, status=S.SUPERSEDED)
    AssessmentFactory(project=c.project, version=2)
    url = f"/api/v1/projects/{c.project.code}/feasibility/"
    client = client_for(c.engineering_pm)
    assert [r["version"] for r in client.get(url + "?status=approved").json()["results"]] == [2]
    assert len(client.get(url + "?updated_since=2000-01-01T00:00:00Z").json()["results"]) == 2
    assert client.get(url + "?updated_since=yesterday").status_code == 400
    assert client.get(url + "?status=nonsense").status_code == 400
    assert client.get(url + "?page_size=1").json()["next"]
