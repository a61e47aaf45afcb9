import pytest

from coordination.core.models import AuditEvent
from projects.core.models import Milestone, Risk
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def test_create_and_list_milestones(project):
    client = client_for(project.engineering_pm)
    url = f"/api/v1/projects/{project.code}/milestones/"
    response = client.post(
        url,
        {"name": "设备到场", "baseline_date": "2026-08-01", "owner_department": "engineering"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["project"] == project.code and body["forecast_date"] == "2026-08-01"
    assert body["status"] == "planned" and body["slip_days"] == 0
    assert AuditEvent.objects.filter(action="milestone.created").exists()

    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_milestone_bad_input_is_400(project):
    client = client_for(project.engineering_pm)
    url = f"/api/v1/projects/{project.code}/milestones/"
    for body in (
        {},
        {"name": "x", "baseline_date": "not-a-date"},
        {"name": "x", "baseline_date": "2026-01-01", "status": "whatever"},
    ):
        assert client.post(url, body, format="json").status_code == 400, body
    assert not Milestone.objects.exists()


def test_marking_a_milestone_done_sets_its_actual_date(project):
    milestone = factories.MilestoneFactory(project=project)
    response = client_for(project.engineering_pm).patch(
        f"/api/v1/milestones/{milestone.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["actual_date"]


def test_committed_baseline_cannot_move(project):
    milestone = factories.MilestoneFactory(project=project, is_committed=True)
    response = client_for(project.engineering_pm).patch(
        f"/api/v1/milestones/{milestone.pk}/", {"baseline_date": "2026-12-01"}, format="json"
    )
    assert response.status_code == 409 and response.json()["unmet"]


def test_risks_create_list_update(project):
    client = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/risks/"
    response = client.post(
        url,
        {
            "title": "钢材价格上涨",
            "category": "material_price",
            "probability": 4,
            "impact": 5,
            "owner": project.engineering_pm.username,
            "mitigation": "提前锁价",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    risk = response.json()
    assert risk["score"] == 20 and risk["owner"] == project.engineering_pm.username

    assert client.get(url + "?category=material_price").json()["count"] == 1
    assert client.get(url + "?category=bogus").status_code == 400

    patched = client.patch(f"/api/v1/risks/{risk['id']}/", {"status": "closed"}, format="json")
    assert patched.status_code == 200 and patched.json()["status"] == "closed"
    assert Risk.objects.get(pk=risk["id"]).status == "closed"


def test_risk_bad_input_is_400(project):
    client = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/risks/"
    for body in (
        {"title": "x", "probability": 9},
        {"title": "x", "owner": "ghost"},
        {"probability": 2},
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
    assert not Risk.objects.exists()
