"""Concurrent approvals, and an approval racing a withdrawal, on real PostgreSQL connections:
exactly one valid outcome, and the loser gets a Conflict that changed nothing."""

from __future__ import annotations

import pytest

from coordination.core import workdays
from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent
from projects.changes import services as changes
from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange
from tests import factories
from tests.changes import factories as f
from tests.concurrency import together

pytestmark = pytest.mark.django_db(transaction=True)
S = ChangeRequest.Status


def race(*calls):
    return together(calls, timeout=30)


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_business_and_engineering_approvals_approve_exactly_once(attempt):
    c = f.cast()
    cr = f.assessed(c)
    results = race(
        lambda: changes.approve_change_request(cr.pk, by=c.biz_lead),
        lambda: changes.approve_change_request(cr.pk, by=c.eng_pm),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    cr.refresh_from_db()
    assert cr.status == S.APPROVED
    assert set(
        ChangeDecision.objects.filter(change_request=cr).values_list("department", flat=True)
    ) == {
        "business",
        "engineering",
    }
    # the forecast moved once, not twice
    assert MilestoneChange.objects.filter(change_request=cr).count() == 1
    assert (
        AuditEvent.objects.filter(action="change_request.decided", target_id=str(cr.pk)).count()
        == 1
    )
    c.project.refresh_from_db()
    assert c.project.forecast_end == workdays.add_working_days(c.project.planned_end, 14)


@pytest.mark.parametrize("attempt", range(3))
def test_same_department_approving_twice_at_once_records_one_decision(attempt):
    c = f.cast()
    second_lead = factories.business_user()
    factories.MembershipFactory(project=c.project, user=second_lead, role="business_lead")
    cr = f.assessed(c)
    results = race(
        lambda: changes.approve_change_request(cr.pk, by=second_lead),
        lambda: changes.approve_change_request(cr.pk, by=c.biz_lead),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert ChangeDecision.objects.filter(change_request=cr).count() == 1


@pytest.mark.parametrize("attempt", range(4))
def test_final_approval_racing_withdrawal_has_exactly_one_outcome(attempt):
    c = f.cast()
    cr = f.assessed(c)
    changes.approve_change_request(cr.pk, by=c.eng_pm)
    results = race(
        lambda: changes.approve_change_request(cr.pk, by=c.biz_lead),
        lambda: changes.withdraw_change_request(cr.pk, by=c.biz_pm),
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    cr.refresh_from_db()
    c.project.refresh_from_db()
    if isinstance(results[1], Conflict):  # approval won
        assert cr.status == S.APPROVED
        assert ChangeDecision.objects.filter(change_request=cr).count() == 2
        assert c.project.forecast_end == workdays.add_working_days(c.project.planned_end, 14)
    else:  # withdrawal won: the late approval left no decision and no forecast move
        assert cr.status == S.WITHDRAWN
        assert ChangeDecision.objects.filter(change_request=cr).count() == 1
        assert c.project.forecast_end == c.project.planned_end
        assert not MilestoneChange.objects.filter(change_request=cr).exists()
