import pytest

from coordination.core.models import AuditEvent
from projects.core.models import Project, Stage, StageTransition
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def url(project):
    return f"/api/v1/projects/{project.code}/transition/"


def test_gate_refusal_is_409_listing_every_unmet_condition(project):
    factories.MilestoneFactory(project=project, name="竣工验收")
    factories.MilestoneFactory(
        project=project, name="已完成的", status="done", actual_date="2026-05-01"
    )
    response = client_for(project.business_pm).post(
        url(project), {"to": "delivered", "reason": "申请交付"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": response.json()["detail"],
        "unmet": ["里程碑未完成：竣工验收"],
    }
    assert response.json()["detail"]
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION
    assert not StageTransition.objects.exists()


def test_a_passing_move_answers_the_full_project(project):
    response = client_for(project.business_pm).post(
        url(project), {"to": "delivered", "reason": "验收通过"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "delivered" and body["code"] == project.code
    assert body["actual_end"] is not None
    assert AuditEvent.objects.filter(
        action="project.stage_changed", project_code=project.code
    ).exists()


def test_a_disallowed_move_is_409(pmo_client, project):
    response = pmo_client.post(url(project), {"to": "opportunity"}, format="json")
    assert response.status_code == 409 and "unmet" in response.json()


def test_bad_target_is_400(pmo_client, project):
    for body in ({"to": "heaven"}, {}, {"to": "on_hold", "override": "maybe"}):
        response = pmo_client.post(url(project), body, format="json")
        assert response.status_code == 400, body
    response = pmo_client.post(url(project), {"to": "on_hold"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()  # hold needs a reason
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION


def test_invisible_project_is_404(project):
    response = client_for(factories.business_user()).post(
        url(project), {"to": "delivered"}, format="json"
    )
    assert response.status_code == 404


def test_refused_move_leaves_no_trace(project):
    factories.MilestoneFactory(project=project)
    before = AuditEvent.objects.count()
    client_for(project.business_pm).post(url(project), {"to": "delivered"}, format="json")
    assert AuditEvent.objects.count() == before
    assert Project.objects.get(pk=project.pk).stage == Stage.EXECUTION


@pytest.fixture
def soft_gate():
    """A temporary overridable gate on execution → delivered."""
    from projects.core import stages

    def acceptance_sheet(project):
        return ["客户验收单未上传"]

    stages.gate(Stage.EXECUTION, Stage.DELIVERED, overridable=True)(acceptance_sheet)
    yield
    key = (Stage.EXECUTION, Stage.DELIVERED)
    stages._gates[key] = [g for g in stages._gates[key] if g.check is not acceptance_sheet]


def test_pmo_may_override_a_soft_gate_with_a_reason(soft_gate, pmo_client, project):
    pm = client_for(project.business_pm)
    refused = pm.post(
        url(project), {"to": "delivered", "override": True, "reason": "急"}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["unmet"] == ["客户验收单未上传"]

    no_reason = pmo_client.post(url(project), {"to": "delivered", "override": True}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()

    passed = pmo_client.post(
        url(project),
        {"to": "delivered", "override": True, "reason": "验收单纸质版已确认"},
        format="json",
    )
    assert passed.status_code == 200 and passed.json()["stage"] == "delivered"
    assert StageTransition.objects.get(project=project).overridden == ["客户验收单未上传"]
