"""coordination.dashboard.health: one selector rates many projects red / amber / green with the
reasons."""

import pytest
from django.utils import timezone

from coordination.dashboard import health
from projects.changes.models import ChangeRequest
from projects.core.models import Stage
from tests import factories
from tests.changes import factories as cr_factories
from tests.dashboard import factories as f
from tests.kpi.factories import ComplaintFactory
from tests.presales.factories import AssessmentFactory, QuoteFactory
from tests.reviews.factories import ActionItemFactory

pytestmark = pytest.mark.django_db


def codes(h):
    return {r.code for r in h.reasons}


def test_a_project_on_plan_is_green_without_reasons():
    h = health.project_health(f.healthy_project())
    assert h.level == health.GREEN and h.reasons == []


def test_overdue_milestone_is_red_and_names_the_milestone():
    project = f.healthy_project()
    factories.MilestoneFactory(
        project=project, name="主体封顶", baseline_date=f.days(-10), forecast_date=f.days(-1)
    )
    h = health.project_health(project)
    assert h.level == health.RED
    assert codes(h) == {"milestone_overdue"}
    assert "主体封顶" in h.reasons[0].message


def test_done_or_cancelled_milestones_do_not_count():
    project = f.healthy_project()
    factories.MilestoneFactory(
        project=project,
        baseline_date=f.days(-10),
        forecast_date=f.days(-1),
        actual_date=f.days(-1),
        status="done",
    )
    factories.MilestoneFactory(
        project=project, baseline_date=f.days(-10), forecast_date=f.days(-1), status="cancelled"
    )
    assert health.project_health(project).level == health.GREEN


@pytest.mark.parametrize(("slip", "level"), [(14, health.AMBER), (15, health.RED)])
def test_slipped_milestone_is_amber_then_red_beyond_the_threshold(slip, level):
    project = f.healthy_project()
    factories.MilestoneFactory(
        project=project, name="验收", baseline_date=f.days(10), forecast_date=f.days(10 + slip)
    )
    h = health.project_health(project)
    assert h.level == level
    assert codes(h) == {"milestone_slipped"}
    assert f"{slip} 天" in h.reasons[0].message


def test_slip_threshold_is_a_setting(settings):
    settings.HEALTH_SLIP_RED_DAYS = 3
    project = f.healthy_project()
    factories.MilestoneFactory(project=project, baseline_date=f.days(10), forecast_date=f.days(14))
    assert health.project_health(project).level == health.RED


def test_overdue_handover_is_red():
    handover = f.overdue_handover()
    h = health.project_health(handover.project)
    assert h.level == health.RED
    assert "handover_overdue" in codes(h)


def test_accepted_handover_is_never_overdue():
    handover = f.overdue_handover()
    handover.status = "accepted"
    handover.accepted_at = handover.created_at
    handover.save()
    assert "handover_overdue" not in codes(health.project_health(handover.project))


def test_pending_change_requests_are_amber():
    c = cr_factories.cast()
    c.milestone.forecast_date = c.milestone.baseline_date = f.days(30)
    c.milestone.save()
    c.other_milestone.baseline_date = c.other_milestone.forecast_date = f.days(60)
    c.other_milestone.save()
    cr_factories.submitted(c)
    cr_factories.assessed(c)
    cr_factories.draft(c)  # drafts wait for nobody
    h = health.project_health(c.project)
    assert h.level == health.AMBER
    assert [r.message for r in h.reasons] == ["2 个变更申请待评估或审批"]


def test_overdue_action_items_amber_then_red_from_three():
    project = f.healthy_project()
    for _ in range(2):
        ActionItemFactory(project=project, due_date=f.days(-1))
    ActionItemFactory(project=project, due_date=f.days(-5), status="done", done_at=timezone.now())
    ActionItemFactory(project=project, due_date=f.days(3))
    h = health.project_health(project)
    assert h.level == health.AMBER and codes(h) == {"action_items_overdue"}
    ActionItemFactory(project=project, due_date=f.days(-9))
    h = health.project_health(project)
    assert h.level == health.RED
    assert f.days(-9).isoformat() in h.reasons[0].message


def test_open_complaints_amber_high_severity_red_closed_ignored():
    project = f.healthy_project()
    ComplaintFactory(project=project, closed_on=f.days(-1))
    assert health.project_health(project).level == health.GREEN
    ComplaintFactory(project=project)
    assert health.project_health(project).level == health.AMBER
    ComplaintFactory(project=project, severity="high")
    h = health.project_health(project)
    assert h.level == health.RED and codes(h) == {"complaints_open"}


def test_promise_gap_amber_and_red_on_a_key_project():
    # margin 2 % below the 10 % floor: a real gap
    for key, level in [(False, health.AMBER), (True, health.RED)]:
        project = factories.ProjectFactory(stage=Stage.OPPORTUNITY, is_key_project=key)
        assessment = AssessmentFactory(project=project)
        QuoteFactory(project=project, assessment=assessment, quoted_price="765000")
        h = health.project_health(project)
        assert h.level == level, key
        assert codes(h) == {"promise_gap"}


def test_missing_assessment_or_quote_is_only_amber_even_on_a_key_project():
    project = factories.ProjectFactory(stage=Stage.OPPORTUNITY, is_key_project=True)
    h = health.project_health(project)
    assert h.level == health.AMBER
    assert len(h.reasons) == 2


def test_closed_projects_are_not_rated():
    project = f.troubled_project(stage=Stage.CLOSED)
    assert health.project_health(project).level == health.NONE


def test_reasons_worst_first():
    h = health.project_health(f.troubled_project())
    assert h.level == health.RED
    ranks = [health._RANK[r.level] for r in h.reasons]
    assert ranks == sorted(ranks, reverse=True)
    assert codes(h) == {
        "milestone_overdue",
        "milestone_slipped",
        "action_items_overdue",
        "complaints_open",
    }


@pytest.mark.parametrize("n", [1, 8])
def test_bulk_rating_runs_a_constant_number_of_queries(django_assert_num_queries, n):
    f.portfolio(n)
    projects = list(factories.ProjectFactory._meta.model.objects.all())
    assert len(projects) == n
    with django_assert_num_queries(10):  # seven, and three for the slipping critical tasks
        result = health.health_bulk(projects)
    assert all(h.level == health.RED for h in result.values())


def test_unused_statuses_are_not_pending():
    assert ChangeRequest.Status.DRAFT not in health.PENDING_CR
    assert ChangeRequest.Status.APPROVED not in health.PENDING_CR
