"""One set of numbers: the contract is the accepted quote, the forecast end is never earlier than
the open work, and an approved change that moves schedule or cost asks for a new commitment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coordination.core.models import AuditEvent
from coordination.kickoff.models import CollaborationCommitment
from coordination.kickoff.renewal import renew_after_change
from projects.changes.models import ChangeRequest
from projects.core.models import Stage
from projects.core.services import transition_project
from tests import factories
from tests.changes import factories as cf
from tests.kickoff.factories import Team
from tests.presales.factories import AssessmentFactory, QuoteFactory, cast

pytestmark = pytest.mark.django_db


def test_contracting_copies_the_quoted_price_and_promised_date_to_the_project():
    c = cast(
        contract_value=Decimal("1200000.00"),
        planned_start=datetime.date(2027, 1, 4),
        planned_end=datetime.date(2027, 9, 30),
        forecast_end=datetime.date(2027, 9, 30),
    )
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a, revision=1, is_current=False)
    QuoteFactory(
        project=c.project,
        assessment=a,
        revision=2,
        quoted_price=Decimal("5000000.00"),
        promised_delivery_date=datetime.date(2027, 11, 15),
    )
    project = transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert project.stage == Stage.HANDOVER  # handover's hook still moved it on
    assert project.contract_value == Decimal("5000000.00")
    assert project.planned_end == datetime.date(2027, 11, 15)
    assert project.forecast_end == datetime.date(2027, 11, 15)
    event = AuditEvent.objects.get(action="project.contract_from_quote")
    assert event.before["contract_value"] == "1200000.00"
    assert event.after["planned_end"] == "2027-11-15"
    assert "R2" in event.reason


def test_a_known_slip_later_than_the_promise_stays_and_no_quote_changes_nothing():
    c = cast(planned_end=datetime.date(2027, 9, 30), forecast_end=datetime.date(2027, 12, 20))
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a, promised_delivery_date=datetime.date(2027, 11, 1))
    project = transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert project.planned_end == datetime.date(2027, 11, 1)
    assert project.forecast_end == datetime.date(2027, 12, 20)

    bare = cast(contract_value=Decimal("700000.00"))
    project = transition_project(bare.project.pk, to=Stage.CONTRACTED, by=bare.business_pm)
    assert project.contract_value == Decimal("700000.00")
    assert not AuditEvent.objects.filter(
        action="project.contract_from_quote", target_id=str(bare.project.pk)
    ).exists()


def test_after_an_approved_change_the_forecast_end_is_not_before_the_last_milestone():
    c = cf.cast(planned_end=datetime.date(2027, 9, 30), forecast_end=datetime.date(2027, 9, 30))
    factories.MilestoneFactory(
        project=c.project,
        baseline_date=datetime.date(2027, 11, 1),
        forecast_date=datetime.date(2027, 11, 14),
    )
    cf.approved(c, schedule_impact_days=10)
    c.project.refresh_from_db()
    assert c.project.forecast_end == datetime.date(2027, 11, 14)  # not 2027-10-22


def _signed_commitment():
    team = Team(stage="execution")
    return team, team.sign_all(team.hold())


def _payload(project, **values):
    return {
        "project": project.code,
        "number": "CR-2027-0001",
        "status": "approved",
        "cost_impact": "0.00",
        "currency": "CNY",
        "schedule_impact_days": 0,
        **values,
    }


def test_an_approved_change_that_moves_the_schedule_opens_a_new_commitment_version():
    team, signed = _signed_commitment()
    assert signed.status == CollaborationCommitment.Status.SIGNED
    new = renew_after_change(
        "change_request.decided", _payload(team.project, schedule_impact_days=5)
    )
    assert new.version == signed.version + 1
    assert new.status == CollaborationCommitment.Status.OPEN
    signed.refresh_from_db()
    assert signed.status == CollaborationCommitment.Status.SUPERSEDED
    assert "CR-2027-0001" in new.amendment_reason
    # every signatory is asked to sign the new version
    for person in team.signatories:
        assert person.notifications.filter(kind="commitment.open").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"status": "rejected", "schedule_impact_days": 5},
        {"schedule_impact_days": 0, "cost_impact": "0.00"},
    ],
)
def test_no_new_version_for_a_rejection_or_a_change_without_impact(values):
    team, signed = _signed_commitment()
    assert renew_after_change("change_request.decided", _payload(team.project, **values)) is None
    assert CollaborationCommitment.objects.filter(project=team.project).count() == 1


def test_the_thresholds_are_settings(settings):
    settings.COMMITMENT_RENEWAL_DAYS = 10
    settings.COMMITMENT_RENEWAL_COST = "100000"
    team, signed = _signed_commitment()
    small = _payload(team.project, schedule_impact_days=5, cost_impact="50000.00")
    assert renew_after_change("change_request.decided", small) is None
    big = _payload(team.project, cost_impact="-120000.00")  # a saving counts too
    assert renew_after_change("change_request.decided", big).version == signed.version + 1


def test_the_decision_of_both_departments_triggers_it(django_capture_on_commit_callbacks):
    team, signed = _signed_commitment()
    c = cf.cast()
    c.project = team.project  # the change cast's people on the commitment's project
    for user, role in [(c.biz_lead, "business_lead"), (c.eng_director, "engineering_director")]:
        factories.MembershipFactory(project=team.project, user=user, role=role)
    with django_capture_on_commit_callbacks(execute=True):
        cr = cf.ChangeRequestFactory(
            project=team.project,
            requested_by=team.business_pm,
            title="延期",
            description="设备晚到",
            origin="customer",
            cost_impact=Decimal("0"),
            schedule_impact_days=7,
            status=ChangeRequest.Status.APPROVED,
            submitted_by=team.business_pm,
            assessed_by=team.engineering_pm,
            approvers={"business": c.biz_lead, "engineering": team.engineering_pm},
        )
    assert cr.status == ChangeRequest.Status.APPROVED
    versions = CollaborationCommitment.objects.filter(project=team.project).order_by("version")
    assert [v.status for v in versions] == ["superseded", "open"]
