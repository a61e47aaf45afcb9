"""Closing a period freezes its values; reopening is a PMO action with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.core import events
from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent
from kpi import periods as P
from kpi import selectors, services, tasks
from kpi.models import ClosedPeriod, KpiSnapshot
from tests import factories
from tests.kpi.factories import ComplaintFactory, SurveyFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def company(code, key):
    kpi = selectors.active_kpis([code])
    return selectors.values(kpi, selectors.COMPANY, [P.parse(key)])[(code, key)]


def test_closing_march_freezes_values_that_later_edits_do_not_change(
    world, django_capture_on_commit_callbacks
):
    received = []
    events.listen("kpi.period_closed", lambda event, payload: received.append(payload))
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.close_period("2026-03", today=TODAY)
    assert closed == ["2026-03", "2026-Q1"]
    assert {p["period"] for p in received} >= {"2026-03", "2026-Q1"}

    snap = KpiSnapshot.objects.get(
        kpi__code="cross_department_complaints", scope_type="company", period="2026-03"
    )
    assert snap.value == 1 and snap.computed_at is not None
    dept = KpiSnapshot.objects.get(
        kpi__code="customer_satisfaction",
        scope_type="department",
        scope_key="engineering",
        period="2026-03",
    )
    assert (dept.numerator, dept.denominator, dept.value) == (1, 2, Decimal("50.0000"))
    assert KpiSnapshot.objects.filter(scope_type="project", scope_key=world["a"].code).exists()
    assert KpiSnapshot.objects.filter(scope_type="pm").exists()

    # data edits after the close do not move the frozen figures
    ComplaintFactory(project=world["a"], source="internal", opened_on=datetime.date(2026, 3, 12))
    SurveyFactory(project=world["a"], overall_score=1, surveyed_on=datetime.date(2026, 3, 30))
    v = company("cross_department_complaints", "2026-03")
    assert v.frozen and v.value == 1
    assert company("customer_satisfaction", "2026-03").value == Decimal("50.0000")
    assert company("cross_department_complaints", "2026-Q1").value == 2
    # an open period is live
    live = company("cross_department_complaints", "2026")
    assert not live.frozen and live.value == 4
    card = selectors.scorecard("business", P.parse("2026-03"))
    assert card["frozen"]


def test_closing_twice_changes_nothing(world):
    services.close_period("2026-03", today=TODAY)
    count = KpiSnapshot.objects.count()
    assert services.close_period("2026-03", today=TODAY) == []
    assert KpiSnapshot.objects.count() == count
    assert AuditEvent.objects.filter(action="kpi.period_closed").count() == 2  # month + quarter


def test_an_unfinished_period_cannot_be_closed(db):
    with pytest.raises(Conflict):
        services.close_period("2026-11", today=TODAY)
    with pytest.raises(ValidationError):
        services.close_period("2026-13", today=TODAY)


def test_the_monthly_task_closes_last_month(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    assert tasks.close_period.delay().get() == ["2026-10"]
    assert ClosedPeriod.objects.get(period="2026-10").status == "closed"
    assert tasks.close_previous_month() == []  # idempotent


def test_reopen_needs_pmo_and_a_reason_and_is_audited(world):
    pmo = factories.pmo_user()
    services.close_period("2026-03", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.reopen_period("2026-03", by=world["a"].business_pm, reason="更正")
    with pytest.raises(ValidationError):
        services.reopen_period("2026-03", by=pmo, reason="  ")
    assert ClosedPeriod.objects.get(period="2026-03").status == "closed"

    ComplaintFactory(project=world["a"], source="internal", opened_on=datetime.date(2026, 3, 12))
    reopened = services.reopen_period("2026-03", by=pmo, reason="漏录了一条投诉")
    assert sorted(reopened) == ["2026-03", "2026-Q1"]
    assert not KpiSnapshot.objects.filter(period__in=["2026-03", "2026-Q1"]).exists()
    assert company("cross_department_complaints", "2026-03").value == 2  # live again
    event = AuditEvent.objects.get(action="kpi.period_reopened", target_repr__startswith="2026-03")
    assert event.reason == "漏录了一条投诉" and event.actor == pmo

    with pytest.raises(Conflict):
        services.reopen_period("2026-03", by=pmo, reason="again")
    # closing again freezes the corrected figures
    assert services.close_period("2026-03", today=TODAY) == ["2026-03", "2026-Q1"]
    assert company("cross_department_complaints", "2026-03").frozen
