"""A scorecard's KPIs are computed in one statement (selectors.compute_many, values): the
same numbers, types and extras as each KPI computed on its own (selectors.compute)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpi import periods as P
from kpi import selectors
from kpi.models import ClosedPeriod, KpiDefinition, ScopeType, Scorecard, ScorecardWeight
from kpi.selectors import COMPANY, Scope
from projects.core.models import MemberRole, Stage
from tests import factories
from tests.presales.factories import AssessmentFactory, QuoteFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
PERIODS = ["2026-03", "2026-Q1", "2026-Q2", "2026", "2026-11", "2027"]


def _fields(v):
    return (v.numerator, v.denominator, v.value, v.extra, v.frozen)


def _types(v):
    return tuple(type(x) for x in (v.numerator, v.denominator, v.value))


def _scopes(world):
    a = world["a"]
    factories.MembershipFactory(project=a, role=MemberRole.FINANCE_REP)
    return [
        COMPANY,
        Scope(ScopeType.DEPARTMENT, "business"),
        Scope(ScopeType.DEPARTMENT, "finance"),
        Scope(ScopeType.PROJECT, a.code),
        Scope(ScopeType.PROJECT, "NO-SUCH-PROJECT"),
        Scope(ScopeType.PM, a.business_pm.username),
    ]


def _quotes(world):
    # one quote without gap (project a, closed: left out by the definition), one with a margin
    # below the floor (b, delivered): the rate is 1 / 1
    ok = AssessmentFactory(project=world["a"])
    QuoteFactory(project=world["a"], assessment=ok)
    low = AssessmentFactory(project=world["b"])
    QuoteFactory(project=world["b"], assessment=low, quoted_price=Decimal("800000"))


@pytest.mark.parametrize("quoted", [False, True])
def test_together_equals_one_by_one_for_every_scope_and_period(world, quoted):
    if quoted:
        _quotes(world)
    codes = list(selectors.LIVE) + ["no_such_kpi"]
    periods = [P.parse(key) for key in PERIODS]
    for scope in _scopes(world):
        wanted = [(code, period) for period in periods for code in codes]
        together = selectors.compute_many(wanted, scope, TODAY)
        for code, period in wanted:
            alone = selectors.compute(code, scope, period, TODAY)
            got = together[(code, period.key)]
            assert _fields(got) == _fields(alone), (str(scope), code, period.key)
            assert _types(got) == _types(alone), (str(scope), code, period.key)
            assert (got.computed_at is None) == (alone.computed_at is None)
    rate = selectors.compute_many([("promise_gap_rate", P.parse("2026"))], COMPANY, TODAY)
    assert rate[("promise_gap_rate", "2026")].value == (Decimal("100") if quoted else None)


def test_one_statement_for_the_aggregates_of_all_kpis(world):
    wanted = [(code, P.parse("2026-Q1")) for code in selectors.LIVE]
    with CaptureQueriesContext(connection) as queries:
        selectors.compute_many(wanted, COMPANY, TODAY)
    assert len(queries.captured_queries) == 1  # no quoted project: no promise-gap reads


def test_scorecard_reads_weights_and_closed_state_in_one_statement(world):
    period = P.parse("2026-Q1")
    with CaptureQueriesContext(connection) as open_:
        card = selectors.scorecard("business", period)
    assert len(open_.captured_queries) == 2  # weights + closed state, the aggregates
    assert not card["frozen"] and card["kpis"]

    ClosedPeriod.objects.create(period=period.key, status=ClosedPeriod.Status.CLOSED)
    with CaptureQueriesContext(connection) as closed:
        selectors.scorecard("business", period)
    # the snapshots are read (none here: the values are computed live, as before)
    assert len(closed.captured_queries) == 3


def test_a_card_without_weights_and_no_card_at_all(world):
    period = P.parse("2026-Q1")
    card = Scorecard.objects.get(department="engineering")
    ScorecardWeight.objects.filter(scorecard=card).delete()
    Scorecard.objects.filter(pk=card.pk).update(title="空看板")
    empty = selectors.scorecard("engineering", period)
    assert empty["title"] == "空看板" and empty["kpis"] == [] and empty["score"] is None

    Scorecard.objects.filter(pk=card.pk).delete()
    default = selectors.scorecard("engineering", period)
    joint = [k.code for k in KpiDefinition.objects.filter(is_active=True, is_joint=True)]
    assert [k["code"] for k in default["kpis"]] == joint
    assert all(k["weight"] == 1 for k in default["kpis"])


def test_inactive_kpis_leave_the_card_and_order_follows_sequence(world):
    period = P.parse("2026-Q1")
    before = [k["code"] for k in selectors.scorecard("business", period)["kpis"]]
    KpiDefinition.objects.filter(code=before[0]).update(is_active=False)
    after = [k["code"] for k in selectors.scorecard("business", period)["kpis"]]
    assert after == before[1:]
    seq = dict(KpiDefinition.objects.values_list("code", "sequence"))
    assert [seq[c] for c in after] == sorted(seq[c] for c in after)


def test_values_of_a_closed_period_come_from_the_snapshots(world):
    from kpi import services

    services.close_period("2026-03", today=TODAY)
    kpis = selectors.active_kpis()
    live = {k.code: selectors.compute(k.code, COMPANY, P.parse("2026-03"), TODAY) for k in kpis}
    found = selectors.values(kpis, COMPANY, [P.parse("2026-03"), P.parse("2026-04")])
    for k in kpis:
        frozen = found[(k.code, "2026-03")]
        assert frozen.frozen and frozen.value == live[k.code].value
        assert not found[(k.code, "2026-04")].frozen


def test_an_impossible_filter_answers_like_aggregate():
    # an empty IN () never reaches SQL: aggregate()'s empty answer, the others still batched
    from django.db.models import Count, Sum

    from projects.core.models import Project

    factories.ProjectFactory(stage=Stage.EXECUTION)
    answers = selectors._aggregate_together(
        [
            (Project.objects.filter(pk__in=[]), {"n": Count("pk"), "s": Sum("contract_value")}),
            (Project.objects.all(), {"n": Count("pk")}),
        ]
    )
    assert answers == [{"n": 0, "s": None}, {"n": 1}]


def test_a_kept_statement_reads_the_data_of_the_moment(world):
    # the statement of (scope, KPIs, periods, today) is compiled once per process
    wanted = [(code, P.parse("2026-Q1")) for code in selectors.LIVE]
    first = selectors.compute_many(wanted, COMPANY, TODAY)
    factories.MilestoneFactory(
        project=world["a"], baseline_date=datetime.date(2026, 2, 2), status="planned"
    )
    with CaptureQueriesContext(connection) as queries:
        second = selectors.compute_many(wanted, COMPANY, TODAY)
    assert len(queries.captured_queries) == 1
    key = ("on_time_delivery_rate", "2026-Q1")
    assert second[key].denominator == first[key].denominator + 1
    alone = selectors.compute("on_time_delivery_rate", COMPANY, P.parse("2026-Q1"), TODAY)
    assert _fields(second[key]) == _fields(alone)
    assert second[key] is not first[key]
