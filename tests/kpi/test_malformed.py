"""However malformed, a KPI request never gets a 500 and a refused one changes nothing."""

import pytest

from kpi.models import Complaint, SatisfactionSurvey
from kpi.services import COMPLAINT_FIELDS, SURVEY_FIELDS
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NASTY = [None, "", "\x00", "a\x00b", "x" * 5000, -1, 10**30, 1.5, True, [], {}, "2026-02-30"]
NASTY_QUERY = ["\x00", "%00", "'; drop table x;--", "9" * 40, "-1", "2026-13-01T00:00", "true'"]
GOOD_SURVEY = {"respondent": "r", "overall_score": 4, "scores": {"q": 4}}
GOOD_COMPLAINT = {"source": "customer", "description": "d"}


@pytest.mark.parametrize("value", NASTY)
def test_nasty_bodies(project, value):
    client = client_for(project.business_pm)
    for url, good, fields in [
        (f"/api/v1/projects/{project.code}/surveys/", GOOD_SURVEY, SURVEY_FIELDS),
        (f"/api/v1/projects/{project.code}/complaints/", GOOD_COMPLAINT, COMPLAINT_FIELDS),
    ]:
        for field in fields:
            response = client.post(url, {**good, field: value}, format="json")
            assert response.status_code in (201, 400), (field, value, response.status_code)
        assert client.post(url, value, format="json").status_code in (400, 415)
    nul_key = client.post(
        f"/api/v1/projects/{project.code}/surveys/",
        {**GOOD_SURVEY, "scores": {"a\x00": 3}},
        format="json",
    )
    assert nul_key.status_code == 400


@pytest.mark.parametrize("value", NASTY_QUERY)
def test_nasty_queries(project, value):
    client = client_for(factories.pmo_user())
    params = {
        "/api/v1/kpis/values/": ["kpi", "scope", "granularity", "from", "to", "format"],
        "/api/v1/kpis/scorecard/": ["department", "period", "format"],
        "/api/v1/kpis/compare/": ["split", "months", "projects", "cohort"],
        f"/api/v1/projects/{project.code}/surveys/": ["updated_since", "ordering", "page"],
        f"/api/v1/projects/{project.code}/complaints/": ["source", "updated_since"],
        "/kpi/": ["scope", "granularity", "from", "to"],
        "/kpi/scorecards/": ["period"],
        "/kpi/compare/": ["split", "projects", "cohort", "months"],
        "/kpi/export/": ["year", "format"],
    }
    client.force_login(factories.pmo_user(username="pmo_nasty"))
    for url, names in params.items():
        for name in names:
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.status_code)
    assert not SatisfactionSurvey.objects.exists() and not Complaint.objects.exists()
