"""KPIs that tell the truth (issue “Trust at a glance”, point 5): an early delivery is on time
when it happens, an open period is marked as open and no case is “—”, never 0, every target
carries its unit, the compare chart has one axis of relative change, legends are text."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpi import periods as P
from kpi import selectors
from kpi.selectors import COMPANY, Scope
from kpi.selectors.drilldown import rows_behind
from kpi.selectors.kpi_values import project_kpi_panel
from projects.core.models import Milestone, Stage
from tests import factories

pytestmark = pytest.mark.django_db

d = datetime.date
TODAY = d(2026, 12, 3)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def early(today):
    """A project delivered ten months early: every milestone done in 2026, due in 2027."""
    project = factories.ProjectFactory(
        stage=Stage.DELIVERED, contract_signed_on=d(2026, 1, 5), actual_end=d(2026, 11, 20)
    )
    for baseline, actual in [(d(2027, 6, 30), d(2026, 9, 10)), (d(2027, 9, 30), d(2026, 11, 20))]:
        factories.MilestoneFactory(
            project=project,
            baseline_date=baseline,
            status=Milestone.Status.DONE,
            actual_date=actual,
        )
    return project


# ---------------------------------------------------------------- on-time: early is on time
def test_an_early_milestone_counts_as_on_time_in_the_period_it_was_done(early, today):
    scope = Scope("project", early.code)

    def v(key):
        return selectors.compute("on_time_delivery_rate", scope, P.parse(key), today)

    assert (v("2026-09").value, v("2026-09").denominator) == (Decimal("100"), 1)
    assert (v("2026-11").value, v("2026-11").denominator) == (Decimal("100"), 1)
    assert (v("2026").numerator, v("2026").denominator) == (2, 2)
    # not counted a second time when its baseline date comes
    assert v("2027-06").denominator == 0 and v("2027").denominator == 0


def test_the_project_tab_of_an_early_project_has_an_on_time_rate(early, today, client):
    panel = project_kpi_panel(early)
    found = {kpi.code: value for kpi, value in panel["rows"]}
    assert found["on_time_delivery_rate"].value == Decimal("100")
    client.force_login(factories.pmo_user())
    page = client.get(f"/kpi/projects/{early.code}/panel/").content.decode()
    row = page.split('data-kpi="on_time_delivery_rate"')[1].split("</tr>")[0]
    assert "100" in row and "—" not in row.split("</td>")[1]


def test_late_and_due_milestones_still_count_by_their_baseline_date(today):
    project = factories.ProjectFactory(stage=Stage.EXECUTION, contract_signed_on=d(2026, 1, 5))
    for baseline, status, actual in [
        (d(2026, 10, 10), Milestone.Status.DONE, d(2026, 11, 2)),  # late: October, missed
        (d(2026, 10, 20), Milestone.Status.PLANNED, None),  # not done: October, missed
        (d(2026, 11, 5), Milestone.Status.DONE, d(2026, 11, 5)),  # same day: November
        (d(2027, 1, 5), Milestone.Status.CANCELLED, None),  # never
    ]:
        factories.MilestoneFactory(
            project=project, baseline_date=baseline, status=status, actual_date=actual
        )
    october = selectors.compute("on_time_delivery_rate", COMPANY, P.parse("2026-10"), today)
    november = selectors.compute("on_time_delivery_rate", COMPANY, P.parse("2026-11"), today)
    assert (october.numerator, october.denominator) == (0, 2)
    assert (november.numerator, november.denominator) == (1, 1)


def test_the_drill_down_lists_an_early_milestone_under_the_day_it_was_done(early, today):
    rows = rows_behind(
        "on_time_delivery_rate", Scope("project", early.code), P.parse("2026-Q4"), today
    )[0]["rows"]
    assert [(r["date"], r["in_numerator"]) for r in rows] == [(d(2026, 11, 20), True)]
