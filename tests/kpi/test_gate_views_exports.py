"""The delivered → closed gate, the HTML pages, the annual export and the demo seeder."""

import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from coordination.core.exceptions import GateRefused
from kpi import exports
from kpi.models import Complaint, SatisfactionSurvey
from projects.core import services as project_services
from projects.core.models import Stage
from tests import factories
from tests.kpi.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_a_delivered_project_closes_only_with_a_satisfaction_survey(pmo):
    project = factories.ProjectFactory(stage=Stage.DELIVERED)
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(project.pk, to=Stage.CLOSED, by=pmo)
    assert refused.value.unmet == ["尚未录入客户满意度调查。"]
    SurveyFactory(project=project)
    project = project_services.transition_project(project.pk, to=Stage.CLOSED, by=pmo)
    assert project.stage == Stage.CLOSED


def test_safe_cell_defuses_formulas_but_keeps_numbers():
    from decimal import Decimal

    assert exports.safe_cell("=1+1") == "'=1+1"
    assert exports.safe_cell("+86 138") == "'+86 138"
    assert exports.safe_cell("-cmd") == "'-cmd"
    assert exports.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.safe_cell("\tx") == "'\tx"
    assert exports.safe_cell("正常文本") == "正常文本"
    assert exports.safe_cell(Decimal("-27.0")) == Decimal("-27.0")
    assert exports.safe_cell(None) == ""


def test_xlsx_never_stores_a_formula():
    data = exports.write_xlsx([("s", ["a"], [["=cmd|'/C calc'!A0"], [3]])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["A3"].value == 3


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_render(world):
    client = _login(factories.executive_user())
    for url in [
        "/kpi/",
        "/kpi/?granularity=quarter&from=2026-Q1&to=2026-Q4",
        "/kpi/?granularity=bogus",
        "/kpi/scorecards/?period=2026-Q1",
        "/kpi/scorecards/?period=garbage",
        "/kpi/compare/",
        "/kpi/compare/?split=2026-04-01&months=3",
        "/kpi/compare/?split=nope",
        f"/kpi/compare/?projects={world['a'].code}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/kpi/scorecards/?period=2026-Q1").content.decode()
    assert 'data-scorecard="business"' in page and 'data-scorecard="engineering"' in page
    assert "vendor/chartjs/chart.umd.min.js" in client.get("/kpi/").content.decode()
    assert client.get("/kpi/", follow=False).status_code == 200
    assert Client().get("/kpi/").status_code == 302  # login required


def test_annual_export(world):
    client = _login(factories.pmo_user())
    response = client.get("/kpi/export/?year=2026&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4  # three scorecards + company monthly values
    csv = client.get("/kpi/export/?year=2026&format=csv")
    assert csv.status_code == 200 and "weighted_score" in csv.content.decode("utf-8-sig")
    assert client.get("/kpi/export/?year=abc").status_code == 400
    assert client.get("/kpi/export/?format=pdf").status_code == 400


def test_annual_export_says_which_values_had_no_cases(world):
    """An empty value in the appraisal file is told apart from a zero: `no_cases` is true
    exactly where nothing was there to count."""
    client = _login(factories.pmo_user())
    book = load_workbook(io.BytesIO(client.get("/kpi/export/?year=2026&format=xlsx").content))
    seen = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = list(rows[0])
        assert header[-1] == "no_cases"
        value_at = header.index("value")
        for row in rows[1:]:
            if row[2] == "weighted_score":
                continue
            no_cases = row[-1] == "是"  # booleans are written as 是 / 否
            seen.add(no_cases)
            if no_cases:
                assert row[value_at] in (None, ""), repr((sheet.title, header, row))
    assert seen == {True, False}


def test_project_tab_panel_and_forms(project):
    pm = _login(project.business_pm)
    panel = pm.get(f"/kpi/projects/{project.code}/panel/")
    assert panel.status_code == 200 and "kpi-panel" in panel.content.decode()
    response = pm.post(
        f"/kpi/projects/{project.code}/surveys/",
        {
            "respondent": "客户总监",
            "overall_score": 4,
            "surveyed_on": "2026-10-10",
            "scores_text": "施工质量=5\n沟通协调=4",
        },
    )
    assert response.status_code == 302
    survey = SatisfactionSurvey.objects.get(project=project)
    assert survey.scores == {"施工质量": 5, "沟通协调": 4}
    response = pm.post(
        f"/kpi/projects/{project.code}/complaints/",
        {
            "source": "customer",
            "category": "schedule",
            "severity": "high",
            "responsible_department": "engineering",
            "opened_on": "2026-10-01",
            "closed_on": "2026-09-01",
            "description": "节点延误",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # panel re-rendered with the error
    assert not Complaint.objects.exists()
    outsider = _login(factories.business_user())
    assert outsider.get(f"/kpi/projects/{project.code}/panel/").status_code == 404
    assert (
        outsider.post(f"/kpi/projects/{project.code}/surveys/", {"respondent": "x"}).status_code
        == 404
    )


def test_demo_seeder_reproduces_the_case_study(db):
    from coordination.devtools.demo import DemoContext
    from coordination.devtools.demo.kpi import seed_kpi
    from kpi import selectors

    today = datetime.date(2026, 11, 25)
    ctx = DemoContext(today=today, log=lambda *_: None)
    ctx.users = {"biz_pm": factories.business_user(), "eng_pm": factories.engineering_user()}
    ctx.users["pmo"] = factories.pmo_user()
    seed_kpi(ctx)
    seed_kpi(ctx)  # idempotent
    result = selectors.compare_split(datetime.date(2026, 1, 1), today=today)
    change = result["change"]
    assert change["delivery_cycle_pct"] == -27
    assert result["after"]["satisfaction_share"] >= 96
    assert change["cross_department_complaints_pct"] == -60
