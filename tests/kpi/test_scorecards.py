"""Department scorecards: shared fate, weights, weighted score, constant query count."""

import datetime
from decimal import Decimal

import pytest

from kpi import periods as P
from kpi import selectors
from kpi.models import KpiDefinition, Scorecard, ScorecardWeight
from projects.core.models import Stage
from tests import factories
from tests.kpi.factories import ComplaintFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_joint_kpis_are_identical_on_business_and_engineering_scorecards(world):
    period = P.parse("2026-Q1")
    business = selectors.scorecard("business", period)
    engineering = selectors.scorecard("engineering", period)

    def joint(card):
        return {
            k["code"]: (k["value"], k["numerator"], k["denominator"])
            for k in card["kpis"]
            if k["is_joint"]
        }

    assert joint(business) == joint(engineering)
    assert joint(business)["delivery_cycle_time"][0] == Decimal("69")
    assert joint(business)["cross_department_complaints"][0] == 2
    # the business-owned promise-gap rate is on the business card only
    assert "promise_gap_rate" in {k["code"] for k in business["kpis"]}
    assert "promise_gap_rate" not in {k["code"] for k in engineering["kpis"]}


def test_kpi_score_respects_direction_and_is_capped():
    higher = KpiDefinition(code="h", direction="higher", target=Decimal("90"))
    lower = KpiDefinition(code="l", direction="lower", target=Decimal("10"))
    assert selectors.kpi_score(higher, Decimal("45")) == Decimal("50.0")
    assert selectors.kpi_score(higher, Decimal("99")) == Decimal("100.0")  # capped
    assert selectors.kpi_score(lower, Decimal("20")) == Decimal("50.0")
    assert selectors.kpi_score(lower, Decimal("5")) == Decimal("100.0")
    assert selectors.kpi_score(lower, Decimal("0")) == Decimal("100.0")
    assert selectors.kpi_score(higher, None) is None


def test_weighted_score_uses_pmo_weights_and_skips_missing_values(world):
    card = Scorecard.objects.get(department="engineering")
    ScorecardWeight.objects.filter(scorecard=card).delete()
    kpis = {k.code: k for k in KpiDefinition.objects.all()}
    # delivery cycle Q1 = 69 days vs target 240 (lower): 100; on-time Q1 = 50% vs 90: 55.6
    ScorecardWeight.objects.create(scorecard=card, kpi=kpis["delivery_cycle_time"], weight=1)
    ScorecardWeight.objects.create(scorecard=card, kpi=kpis["on_time_delivery_rate"], weight=3)
    # no change request decided: no value, its weight is left out
    ScorecardWeight.objects.create(scorecard=card, kpi=kpis["change_request_cycle_time"], weight=5)
    result = selectors.scorecard("engineering", P.parse("2026-Q1"))
    scores = {k["code"]: k["score"] for k in result["kpis"]}
    assert scores["delivery_cycle_time"] == Decimal("100.0")
    assert scores["on_time_delivery_rate"] == Decimal("55.6")
    assert scores["change_request_cycle_time"] is None
    # (1 × 100 + 3 × 55.6) / 4 = 66.7
    assert result["score"] == Decimal("66.7")


def _grow(n: int) -> None:
    for i in range(n):
        project = factories.ProjectFactory(
            stage=Stage.DELIVERED,
            contract_signed_on=datetime.date(2026, 1, 5),
            actual_end=datetime.date(2026, 8, 1 + i % 20),
        )
        factories.MilestoneFactory(project=project, baseline_date=datetime.date(2026, 7, 10))
        SurveyFactory(project=project, surveyed_on=datetime.date(2026, 8, 3))
        ComplaintFactory(project=project, source="internal", opened_on=datetime.date(2026, 7, 9))


def test_scorecard_query_count_is_constant(django_assert_max_num_queries, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period = P.parse("2026-Q3")
    _grow(2)
    with CaptureQueriesContext(connection) as small:
        selectors.scorecard("business", period)
    _grow(15)
    with CaptureQueriesContext(connection) as large:
        card = selectors.scorecard("business", period)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 15
    assert card["kpis"][0]["code"] == "on_time_delivery_rate"


def test_scorecard_api_query_count_is_constant(db, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import client_for

    user = factories.executive_user()
    client = client_for(user)
    url = "/api/v1/kpis/scorecard/?department=engineering&period=2026-Q3"
    _grow(2)
    client.get(url)  # warm caches (content types, groups)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
