import pytest

from coordination.core.exceptions import Conflict, GateRefused
from coordination.core.models import AuditEvent
from projects.core import services
from projects.core.models import Stage, StageTransition
from tests import factories

pytestmark = pytest.mark.django_db


def test_execution_to_delivered_lists_every_unfinished_milestone(pmo):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    factories.MilestoneFactory(project=project, name="设备到场")
    factories.MilestoneFactory(project=project, name="竣工验收")

    with pytest.raises(GateRefused) as refused:
        services.transition_project(project.pk, to=Stage.DELIVERED, by=pmo)

    assert sorted(refused.value.unmet) == ["里程碑未完成：竣工验收", "里程碑未完成：设备到场"]
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION
    assert not StageTransition.objects.filter(project=project).exists()


def test_a_move_is_logged_and_audited(pmo):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    services.transition_project(
        project.pk, to=Stage.DELIVERED, by=project.business_pm, reason="验收"
    )

    project.refresh_from_db()
    assert project.stage == Stage.DELIVERED
    assert project.actual_end is not None
    log = StageTransition.objects.get(project=project)
    assert (log.from_stage, log.to_stage, log.actor, log.reason) == (
        "execution",
        "delivered",
        project.business_pm,
        "验收",
    )
    event = AuditEvent.objects.get(action="project.stage_changed", project_code=project.code)
    assert event.before == {"stage": "execution"} and event.after == {"stage": "delivered"}


def test_hold_remembers_the_stage_and_resumes_it(pmo):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    services.transition_project(project.pk, to=Stage.ON_HOLD, by=pmo, reason="客户暂停")
    project = services.transition_project(project.pk, to=Stage.KICKOFF, by=pmo)
    assert project.stage == Stage.KICKOFF and project.stage_before_hold == ""


def test_skipping_a_stage_is_a_conflict(pmo):
    project = factories.ProjectFactory(stage=Stage.OPPORTUNITY)
    with pytest.raises(Conflict):
        services.transition_project(project.pk, to=Stage.EXECUTION, by=pmo)
