"""Every kind of promise gap, computed by the one selector."""

import datetime
from decimal import Decimal

import pytest

from projects.core.models import Stage
from projects.presales import promise_gaps as pg
from projects.presales.models import FeasibilityAssessment
from tests import factories
from tests.presales.factories import AssessmentFactory, QuoteFactory

pytestmark = pytest.mark.django_db
S = FeasibilityAssessment.Status


def codes(project):
    return [g.code for g in pg.promise_gaps(project)]


def test_a_quote_backed_by_the_approved_estimate_has_no_gap():
    a = AssessmentFactory()
    QuoteFactory(project=a.project, assessment=a)
    assert codes(a.project) == []


def test_an_opportunity_without_assessment_or_quote_shows_both_missing():
    project = factories.ProjectFactory()
    assert codes(project) == [pg.NO_ASSESSMENT, pg.NO_QUOTE]


def test_missing_inputs_are_not_gaps_once_past_the_bid():
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    assert codes(project) == []


def test_margin_below_floor_reports_its_figures():
    a = AssessmentFactory()  # cost 750 000
    QuoteFactory(project=a.project, assessment=a, quoted_price=Decimal("800000"))
    (gap,) = pg.promise_gaps(a.project)
    assert gap.code == pg.MARGIN_BELOW_FLOOR
    assert gap.figures["margin"] == "0.0625"
    assert gap.figures["estimated_cost"] == "750000.00"
    assert gap.figures["floor"] == "0.1"
    assert "6.3%" in gap.message and "10.0%" in gap.message


def test_margin_floor_is_a_setting(settings):
    a = AssessmentFactory()
    QuoteFactory(project=a.project, assessment=a)  # margin 25 %
    settings.PROMISE_GAP_MARGIN_FLOOR = 0.30
    assert codes(a.project) == [pg.MARGIN_BELOW_FLOOR]


def test_margin_exactly_at_the_floor_is_no_gap():
    a = AssessmentFactory()
    QuoteFactory(project=a.project, assessment=a, quoted_price=Decimal("833333.34"))
    assert codes(a.project) == []


def test_promised_date_earlier_than_start_plus_duration():
    a = AssessmentFactory()  # start 2026-01-05 + 200 days = 2026-07-24
    QuoteFactory(project=a.project, assessment=a, promised_delivery_date=datetime.date(2026, 7, 14))
    (gap,) = pg.promise_gaps(a.project)
    assert gap.code == pg.DATE_BEFORE_ESTIMATE
    assert gap.figures["earliest_delivery_date"] == "2026-07-24"
    assert gap.figures["days_short"] == 10


def test_without_planned_start_the_estimate_counts_from_today():
    project = factories.ProjectFactory(planned_start=None, planned_end=None)
    a = AssessmentFactory(project=project)
    from django.utils import timezone

    soon = timezone.localdate() + datetime.timedelta(days=199)
    QuoteFactory(project=project, assessment=a, promised_delivery_date=soon)
    assert codes(project) == [pg.DATE_BEFORE_ESTIMATE]


def test_quote_on_a_superseded_assessment():
    old = AssessmentFactory(status=S.SUPERSEDED)
    AssessmentFactory(project=old.project, status=S.APPROVED)
    QuoteFactory(project=old.project, assessment=old)
    assert codes(old.project) == [pg.ASSESSMENT_SUPERSEDED]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED])
def test_quote_on_an_unapproved_assessment(status):
    a = AssessmentFactory(status=status)
    QuoteFactory(project=a.project, assessment=a)
    # no approved assessment at all in opportunity: that is a gap too
    assert codes(a.project) == [pg.NO_ASSESSMENT, pg.ASSESSMENT_UNAPPROVED]


def test_quote_without_any_assessment_reference():
    a = AssessmentFactory()
    QuoteFactory(project=a.project, assessment=None)
    assert codes(a.project) == [pg.ASSESSMENT_UNAPPROVED]


def test_infeasible_verdict():
    a = AssessmentFactory(verdict=FeasibilityAssessment.Verdict.INFEASIBLE)
    QuoteFactory(project=a.project, assessment=a)
    assert codes(a.project) == [pg.INFEASIBLE]


def test_messages_follow_the_active_language():
    from django.utils import translation

    a = AssessmentFactory(verdict=FeasibilityAssessment.Verdict.INFEASIBLE)
    QuoteFactory(project=a.project, assessment=a)
    with translation.override("zh-hans"):
        (gap,) = pg.promise_gaps(a.project)
    assert "不可行" in gap.message


def test_bulk_matches_single_project_results():
    projects = []
    for price in (Decimal("1000000"), Decimal("760000")):
        a = AssessmentFactory()
        QuoteFactory(project=a.project, assessment=a, quoted_price=price)
        projects.append(a.project)
    projects.append(factories.ProjectFactory())
    bulk = pg.promise_gaps_bulk(projects)
    assert {p.pk: [g.code for g in bulk[p.pk]] for p in projects} == {
        p.pk: codes(p) for p in projects
    }
