"""Measures: decision cycle time, share approved, cost and schedule drift per project."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from projects.changes.selectors import drift_by_project, measures, project_drift
from projects.core.models import Project
from tests.changes import factories as f

pytestmark = pytest.mark.django_db


def test_cycle_time_share_and_drift():
    c = f.cast()
    a = f.approved(c)  # +50 000, +14 working days
    b = f.approved(c, cost_impact=Decimal("-10000"), schedule_impact_days=-4)
    r = f.assessed(c)
    changes.reject_change_request(r.pk, by=c.biz_lead, comment="不同意")
    f.submitted(c)  # open, not decided
    base = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
    for cr, days in ((a, 2), (b, 4), (r, 3)):
        ChangeRequest.objects.filter(pk=cr.pk).update(
            submitted_at=base, decided_at=base + datetime.timedelta(days=days)
        )
    data = project_drift(Project.objects.get(pk=c.project.pk))
    assert (
        data["decided"] == 3 and data["approved"] == 2 and data["open"] == 3
    )  # approved, not yet implemented, count as open
    assert data["cycle_days"] == Decimal("3.00")
    assert data["approved_share_pct"] == Decimal("66.7")
    assert data["approved_cost_impact"] == Decimal("40000.00")
    assert data["approved_schedule_impact_days"] == 10
    assert data["budget_drift"] == Decimal("40000.00")  # forecast − baseline
    # +14 then −4 working days from 2026-12-31: 2027-01-20, then 2027-01-14
    assert data["end_drift_days"] == 14
    other = f.cast()
    rows = {r["code"]: r for r in drift_by_project(Project.objects.all())}
    assert rows[c.project.code]["cr_cost"] == Decimal("40000.00")
    assert rows[c.project.code]["cr_days"] == 10 and rows[c.project.code]["cr_count"] == 2
    assert rows[other.project.code]["cr_cost"] == 0
    assert measures(Project.objects.filter(pk=other.project.pk))["cycle_days"] is None
