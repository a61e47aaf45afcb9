"""The per-person annual appraisal: each PM's and lead's joint KPIs over their own projects,
their department's figure beside each; PMO sees everyone, a PM only themselves (page, XLSX,
PDF, API)."""

import io
from decimal import Decimal

import openpyxl
import pytest

from projects.core.models import MemberRole
from tests import factories
from tests.conftest import client_for
from tests.formpage import login

pytestmark = pytest.mark.django_db


def _rows(person):
    return {row["code"]: row for row in person["rows"]}


def test_each_person_gets_their_own_projects_figures_beside_their_departments(world):
    a, b = world["a"], world["b"]
    lead = factories.business_user(username="lead_b")
    b.memberships.create(user=lead, role=MemberRole.BUSINESS_LEAD)
    data = client_for(factories.pmo_user()).get("/api/v1/kpis/appraisal/", {"year": 2026}).json()
    people = {p["username"]: p for p in data["people"]}
    assert set(people) >= {a.business_pm.username, b.engineering_pm.username, "lead_b"}
    assert all(row["code"] != "promise_gap_rate" for row in people["lead_b"]["rows"])  # joint only
    # 2026's internal complaints: A has two, B one; the company three
    mine = _rows(people[a.business_pm.username])["cross_department_complaints"]
    assert Decimal(mine["value"]) == 2 and Decimal(mine["department_value"]) == 3
    assert Decimal(_rows(people["lead_b"])["cross_department_complaints"]["value"]) == 1
    assert people["lead_b"]["projects"] == 1 and people["lead_b"]["department"] == "business"
    # satisfaction: A's two surveys (5, 3) against all three (5, 3, 4)
    sat = _rows(people[a.business_pm.username])["customer_satisfaction"]
    assert sat["value"] != sat["department_value"]


def test_a_pm_sees_only_their_own_appraisal_and_pmo_exports_everyone(world):
    a, b = world["a"], world["b"]
    pm = a.business_pm
    mine = client_for(pm).get("/api/v1/kpis/appraisal/", {"year": 2026}).json()
    assert [p["username"] for p in mine["people"]] == [pm.username]
    page = login(pm).get("/kpi/appraisal/", {"year": 2026}).content.decode()
    assert f'data-person="{pm.username}"' in page
    assert f'data-person="{b.engineering_pm.username}"' not in page
    assert client_for(pm).get("/api/v1/kpis/appraisal/", {"year": "x"}).status_code == 400
    assert login(pm).get("/kpi/appraisal/export/", {"year": "1"}).status_code == 400

    pmo = login(factories.pmo_user())
    response = pmo.get("/kpi/appraisal/export/", {"year": 2026, "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("person", "username", "department", "projects", "kpi")
    people = {row[1] for row in rows[1:]}
    assert {a.business_pm.username, a.engineering_pm.username, b.business_pm.username} <= people
    complaints = [
        r for r in rows[1:] if r[1] == pm.username and r[4] == "cross_department_complaints"
    ]
    assert complaints and complaints[0][8] == 2 and complaints[0][12] == 3
    pdf = pmo.get("/kpi/appraisal/pdf/", {"year": 2026})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
