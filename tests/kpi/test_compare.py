"""Before/after comparison: split date, list of projects, saved cohort."""

import datetime
from decimal import Decimal

import pytest

from kpi import selectors
from projects.core.models import Stage
from tests import factories
from tests.kpi.factories import ComplaintFactory, SurveyFactory

pytestmark = pytest.mark.django_db

d = datetime.date


def _delivered(signed, end, **kw):
    return factories.ProjectFactory(
        stage=Stage.CLOSED, contract_signed_on=signed, actual_end=end, **kw
    )


@pytest.fixture
def history(db):
    """Split 2026-01-01, today 2026-07-01: windows 2025-07-01..12-31 and 2026-01-01..06-30."""
    old1 = _delivered(d(2025, 1, 1), d(2025, 9, 28))  # 270 days
    old2 = _delivered(d(2025, 2, 1), d(2025, 12, 8))  # 310 days
    new1 = _delivered(d(2025, 9, 1), d(2026, 3, 30))  # 210 days
    new2 = _delivered(d(2025, 10, 1), d(2026, 5, 20))  # 231 days
    _delivered(d(2024, 1, 1), d(2025, 3, 1))  # before the window: ignored
    for i, score in enumerate([5, 3, 4, 2]):  # 2 of 4 satisfied
        SurveyFactory(project=old1, overall_score=score, surveyed_on=d(2025, 8, 1 + i))
    for i, score in enumerate([5, 4, 5, 4, 5]):  # 5 of 5
        SurveyFactory(project=new1, overall_score=score, surveyed_on=d(2026, 4, 1 + i))
    for i in range(5):
        ComplaintFactory(project=old2, source="internal", opened_on=d(2025, 10, 1 + i))
    for i in range(2):
        ComplaintFactory(project=new2, source="internal", opened_on=d(2026, 2, 1 + i))
    for i in range(4):
        ComplaintFactory(project=old1, source="customer", opened_on=d(2025, 11, 1 + i))
    ComplaintFactory(project=new1, source="customer", opened_on=d(2026, 6, 1))
    return {"old": [old1, old2], "new": [new1, new2]}


def test_split_date_comparison(history):
    result = selectors.compare_split(d(2026, 1, 1), 12, today=d(2026, 6, 30))
    before, after, change = result["before"], result["after"], result["change"]
    # six whole calendar months on each side (not the same number of days)
    assert result["window_months"] == 6 and result["window_days"] == 181
    assert before["start"] == d(2025, 7, 1) and before["end"] == d(2025, 12, 31)
    assert after["end"] == d(2026, 6, 30)

    assert (before["delivery_cycle_days"], after["delivery_cycle_days"]) == (
        Decimal("290.0"),
        Decimal("220.5"),
    )
    assert change["delivery_cycle_pct"] == Decimal("-24.0")  # (220.5 - 290) / 290
    assert (before["satisfaction_share"], after["satisfaction_share"]) == (
        Decimal("50.0"),
        Decimal("100.0"),
    )
    assert change["satisfaction_share_points"] == Decimal("50.0")
    assert (before["cross_department_complaints"], after["cross_department_complaints"]) == (5, 2)
    assert change["cross_department_complaints_pct"] == Decimal("-60.0")
    assert change["customer_complaints_pct"] == Decimal("-75.0")


def test_split_windows_are_calendar_months_without_the_month_in_progress(db):
    from kpi.selectors.comparison import split_windows

    # on 2026-12-02 the after window is January to November (December is in progress)
    before, after, n = split_windows(d(2026, 1, 1), 12, today=d(2026, 12, 2))
    assert n == 11 and after == (d(2026, 1, 1), d(2026, 12, 1))
    assert before == (d(2025, 2, 1), d(2026, 1, 1))
    # a finished year: twelve months each side
    before, after, n = split_windows(d(2025, 1, 1), 12, today=d(2026, 12, 2))
    assert n == 12 and before == (d(2024, 1, 1), d(2025, 1, 1)) and after[1] == d(2026, 1, 1)
    with pytest.raises(ValueError):
        split_windows(d(2026, 11, 15), 12, today=d(2026, 12, 2))


def test_split_in_the_future_is_refused(db):
    with pytest.raises(ValueError):
        selectors.compare_split(d(2027, 1, 1), today=d(2026, 6, 30))


def test_project_set_comparison_is_per_project(history):
    codes = [p.code for p in history["new"]]
    result = selectors.compare_projects(codes)
    before, after = result["before"], result["after"]
    assert result["projects"] == sorted(codes)
    assert after["delivery_cycle_days"] == Decimal("220.5")
    assert before["delivery_cycle_days"] == Decimal("335.0")  # 270, 310 and 425 days
    assert after["cross_department_complaints_per_project"] == Decimal("1.00")  # 2 / 2
    assert before["cross_department_complaints_per_project"] == Decimal("1.67")  # 5 / 3
    assert result["change"]["cross_department_complaints_pct"] == Decimal("-40.1")
