import datetime

import pytest

from projects.core.models import Milestone, Stage
from tests import factories
from tests.kpi.factories import ComplaintFactory, SurveyFactory


@pytest.fixture
def world(db):
    """Two delivered projects with hand-countable data (see each test for the arithmetic).

    A: signed 2026-01-10, delivered 2026-03-20 (69 days)
    B: signed 2026-02-01, delivered 2026-05-11 (99 days)
    """
    d = datetime.date
    a = factories.ProjectFactory(
        code="PRJ-2026-K101",  # outside ProjectFactory's sequence (PRJ-2026-0001…)
        stage=Stage.CLOSED,
        contract_signed_on=d(2026, 1, 10),
        actual_end=d(2026, 3, 20),
    )
    b = factories.ProjectFactory(
        code="PRJ-2026-K102",
        stage=Stage.DELIVERED,
        contract_signed_on=d(2026, 2, 1),
        actual_end=d(2026, 5, 11),
    )
    done, planned, cancelled = (
        Milestone.Status.DONE,
        Milestone.Status.PLANNED,
        Milestone.Status.CANCELLED,
    )
    for project, baseline, status, actual in [
        (a, d(2026, 3, 5), done, d(2026, 3, 4)),  # on time
        (a, d(2026, 3, 20), done, d(2026, 3, 25)),  # late
        (a, d(2026, 3, 28), cancelled, None),  # not counted
        (b, d(2026, 4, 10), done, d(2026, 4, 10)),  # on time (same day)
        (b, d(2026, 6, 30), planned, None),  # due, not done
    ]:
        factories.MilestoneFactory(
            project=project, baseline_date=baseline, status=status, actual_date=actual
        )
    SurveyFactory(project=a, overall_score=5, surveyed_on=d(2026, 3, 25))
    SurveyFactory(project=a, overall_score=3, surveyed_on=d(2026, 3, 31))
    SurveyFactory(project=b, overall_score=4, surveyed_on=d(2026, 5, 15))
    ComplaintFactory(project=a, source="customer", opened_on=d(2026, 3, 2))
    ComplaintFactory(project=b, source="customer", opened_on=d(2026, 4, 15))
    ComplaintFactory(project=a, source="internal", opened_on=d(2026, 3, 10))
    ComplaintFactory(project=a, source="internal", opened_on=d(2026, 1, 31))
    ComplaintFactory(project=b, source="internal", opened_on=d(2026, 6, 1))
    return {"a": a, "b": b}
