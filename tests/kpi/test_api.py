"""KPI API: inputs, definitions, values, scorecard and its CSV/XLSX export, comparison."""

import io

import pytest
from openpyxl import load_workbook

from coordination.core.models import AuditEvent
from kpi.models import Complaint, SatisfactionSurvey
from tests import factories
from tests.conftest import client_for
from tests.kpi.factories import ComplaintFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(project):
    outsider = factories.business_user()
    member = factories.engineering_user()
    factories.MembershipFactory(project=project, user=member, role="tech_lead")
    return {
        "anonymous": None,
        "non_member": outsider,
        "member": member,
        "business_pm": project.business_pm,
        "pmo": factories.pmo_user(),
    }


SURVEY = {
    "respondent": "客户项目总监",
    "overall_score": 5,
    "scores": {"沟通协调": 5, "施工质量": 4},
    "comments": "配合顺畅",
    "surveyed_on": "2026-09-30",
}
COMPLAINT = {
    "source": "internal",
    "category": "requirement",
    "severity": "high",
    "description": "特殊要求传递延迟",
    "responsible_department": "business",
}


def test_survey_post_permissions(project, users):
    url = f"/api/v1/projects/{project.code}/surveys/"
    statuses = {
        name: client_for(user).post(url, SURVEY, format="json").status_code
        for name, user in users.items()
    }
    assert statuses == {
        "anonymous": 401,
        "non_member": 404,
        "member": 201,
        "business_pm": 201,
        "pmo": 201,
    }
    assert SatisfactionSurvey.objects.filter(project=project).count() == 3
    assert AuditEvent.objects.filter(action="kpi.survey_recorded").count() == 3


def test_survey_fields_and_listing(project):
    client = client_for(project.business_pm)
    body = client.post(f"/api/v1/projects/{project.code}/surveys/", SURVEY, format="json").json()
    assert body["project"] == project.code
    assert body["scores"] == {"沟通协调": 5, "施工质量": 4}
    assert body["surveyed_on"] == "2026-09-30"
    listing = client.get(f"/api/v1/projects/{project.code}/surveys/").json()
    assert listing["count"] == 1 and listing["results"][0]["respondent"] == "客户项目总监"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"overall_score": 6}, "overall_score"),
        ({"overall_score": 0}, "overall_score"),
        ({"scores": {"质量": 7}}, "scores"),
        ({"scores": ["5"]}, "scores"),
        ({"surveyed_on": "yesterday"}, "surveyed_on"),
        ({"respondent": ""}, "respondent"),
    ],
)
def test_survey_bad_input_is_400(project, change, field):
    client = client_for(project.business_pm)
    response = client.post(
        f"/api/v1/projects/{project.code}/surveys/", {**SURVEY, **change}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not SatisfactionSurvey.objects.exists()


def test_complaint_defaults_to_today_and_refuses_closing_before_opening(project):
    client = client_for(project.engineering_pm)
    url = f"/api/v1/projects/{project.code}/complaints/"
    response = client.post(url, COMPLAINT, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["opened_on"] and body["closed_on"] is None and body["source"] == "internal"
    bad = client.post(
        url, {**COMPLAINT, "opened_on": "2026-05-10", "closed_on": "2026-05-01"}, format="json"
    )
    assert bad.status_code == 400 and "closed_on" in bad.json()
    bad = client.post(url, {**COMPLAINT, "severity": "critical"}, format="json")
    assert bad.status_code == 400 and "severity" in bad.json()
    assert Complaint.objects.count() == 1
    listing = client.get(url + "?source=internal").json()
    assert listing["count"] == 1


def test_definitions(db):
    user = factories.business_user()
    rows = client_for(user).get("/api/v1/kpis/").json()
    codes = {r["code"] for r in rows}
    assert codes == {
        "on_time_delivery_rate",
        "customer_satisfaction",
        "customer_complaint_rate",
        "cross_department_complaints",
        "delivery_cycle_time",
        "handover_lead_time",
        "change_request_cycle_time",
        "promise_gap_rate",
        "payment_timeliness_rate",
        "complaint_closure_time",
    }
    row = next(r for r in rows if r["code"] == "delivery_cycle_time")
    assert row["direction"] == "lower" and row["unit"] == "天" and row["name_en"]


def test_values(world):
    client = client_for(factories.executive_user())
    response = client.get(
        "/api/v1/kpis/values/?kpi=cross_department_complaints&granularity=quarter"
        "&from=2026-Q1&to=2026-Q2"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["period"], r["value"]) for r in results] == [
        ("2026-Q1", "2.0000"),
        ("2026-Q2", "1.0000"),
    ]
    assert results[0]["start"] == "2026-01-01" and results[0]["end"] == "2026-03-31"
    # dates are accepted as bounds too
    response = client.get(
        "/api/v1/kpis/values/?kpi=delivery_cycle_time&scope=department:engineering"
        "&granularity=year&from=2026-05-01&to=2026-12-31"
    )
    assert response.json()["results"][0]["value"] == "84.0000"


@pytest.mark.parametrize(
    "query,field",
    [
        ("granularity=week", "granularity"),
        ("scope=galaxy", "scope"),
        ("scope=department:marketing", "scope"),
        ("kpi=happiness", "kpi"),
        ("from=2026-13", "from"),
        ("from=2026-05&to=2026-01", "from"),
        ("from=2000-01&to=2026-12", "to"),
        ("to=not-a-date", "to"),
    ],
)
def test_values_bad_params_are_400(db, query, field):
    response = client_for(factories.pmo_user()).get(f"/api/v1/kpis/values/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_values_scope_access(world):
    outsider = factories.business_user()
    client = client_for(outsider)
    a = world["a"]
    assert client.get(f"/api/v1/kpis/values/?scope=project:{a.code}").status_code == 404
    assert client.get(f"/api/v1/kpis/values/?scope=pm:{a.business_pm.username}").status_code == 403
    assert client.get("/api/v1/kpis/values/?scope=department:business").status_code == 200
    own = client_for(a.business_pm)
    assert own.get(f"/api/v1/kpis/values/?scope=project:{a.code}").status_code == 200
    assert own.get(f"/api/v1/kpis/values/?scope=pm:{a.business_pm.username}").status_code == 200
    assert client_for(None).get("/api/v1/kpis/values/").status_code == 401


def test_scorecard_json(world):
    response = client_for(factories.finance_user()).get(
        "/api/v1/kpis/scorecard/?department=business&period=2026-Q1"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2026-Q1" and body["department"] == "business"
    rows = {k["code"]: k for k in body["kpis"]}
    assert rows["delivery_cycle_time"]["value"] == "69.0000"
    assert body["score"] is not None


@pytest.mark.parametrize(
    "query,field",
    [("department=sales", "department"), ("period=2026-Q7", "period"), ("period=Q3", "period")],
)
def test_scorecard_bad_params_are_400(db, query, field):
    response = client_for(factories.pmo_user()).get(f"/api/v1/kpis/scorecard/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_scorecard_csv_export_is_injection_safe(world):
    SurveyFactory(project=world["a"])
    client = client_for(factories.pmo_user())
    from kpi.models import KpiDefinition

    KpiDefinition.objects.filter(code="customer_satisfaction").update(name_zh="=HYPERLINK(1)")
    response = client.get("/api/v1/kpis/scorecard/?department=engineering&period=2026&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert ",=HYPERLINK" not in text
    assert "delivery_cycle_time" in text


def test_scorecard_xlsx_opens_with_openpyxl(world):
    response = client_for(factories.pmo_user()).get(
        "/api/v1/kpis/scorecard/?department=business&period=2026-Q1&format=xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["department", "period", "kpi"]
    values = {row[2]: row[8] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["delivery_cycle_time"] == 69


def test_export_formats_never_404_or_500(db):
    client = client_for(factories.pmo_user())
    for fmt in ("csv", "xlsx", "json"):
        ok = client.get(f"/api/v1/kpis/scorecard/?period=2026-Q1&format={fmt}")
        assert ok.status_code == 200, fmt
        bad = client.get(f"/api/v1/kpis/scorecard/?period=nope&format={fmt}")
        assert bad.status_code == 400, fmt
    assert client.get("/api/v1/kpis/values/?format=csv&granularity=year").status_code == 200


def test_compare_endpoint(world):
    client = client_for(factories.executive_user())
    response = client.get("/api/v1/kpis/compare/?split=2026-04-01&months=3")
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "split" and body["window_days"] == 91
    assert body["before"]["delivery_cycle_days"] == "69.0"
    assert body["after"]["delivery_cycle_days"] == "99.0"
    assert body["change"]["delivery_cycle_pct"] == "43.5"
    response = client.get(f"/api/v1/kpis/compare/?projects={world['a'].code}")
    assert response.status_code == 200 and response.json()["projects"] == [world["a"].code]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "split=2026-02-30",
        "split=2026-01-01&projects=X",
        "split=2026-01-01&months=0",
        "split=2099-01-01",
        "cohort=unknown",
        "projects=,,",
    ],
)
def test_compare_bad_params_are_400(db, query):
    response = client_for(factories.pmo_user()).get(f"/api/v1/kpis/compare/?{query}")
    assert response.status_code == 400


def test_inputs_of_invisible_project_list_is_404(project):
    outsider = factories.business_user()
    ComplaintFactory(project=project)
    response = client_for(outsider).get(f"/api/v1/projects/{project.code}/complaints/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/kpis/values/?from=0001-01-01&to=0001-02-01",
        "/api/v1/kpis/values/?to=9999-12-31",
        "/api/v1/kpis/values/?granularity=year&to=9999",
        "/api/v1/kpis/compare/?split=0001-01-01",
        "/api/v1/kpis/compare/?split=9999-12-31&months=60",
        "/api/v1/kpis/scorecard/?period=9999-12",
    ],
)
def test_extreme_dates_are_400_not_500(db, url):
    assert client_for(factories.pmo_user()).get(url).status_code == 400


def test_bad_updated_since_is_400(project):
    client = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/surveys/?updated_since=2026-13-45T99:00:00"
    assert client.get(url).status_code == 400


def test_input_lists_have_a_constant_query_count(project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(project.business_pm)
    client.get(f"/api/v1/projects/{project.code}/surveys/")  # warm per-user caches
    counts = []
    for n in (2, 12):
        for _i in range(n - SatisfactionSurvey.objects.count()):
            SurveyFactory(project=project)
            ComplaintFactory(project=project)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/projects/{project.code}/surveys/").json()["count"] == n
            assert client.get(f"/api/v1/projects/{project.code}/complaints/").json()["count"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_values_query_count_does_not_grow_with_data(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(factories.pmo_user())
    url = "/api/v1/kpis/values/?granularity=quarter&from=2026-Q1&to=2026-Q4"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _i in range(10):
        SurveyFactory(project=factories.ProjectFactory(stage="delivered"))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)
