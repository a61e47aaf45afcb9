"""Every KPI recomputed in plain Python from its written definition (docs/kpi.md,
kpi/definitions.py) on a fixture holding every edge case the definitions name, at every scope
and granularity, and compared with what the KPI pages and API show."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from handover.models import Handover
from kpi import periods as P
from kpi import selectors
from kpi.models import Complaint, SatisfactionSurvey, ScopeType
from kpi.selectors import COMPANY, Scope
from kpi.selectors.kpi_values import value_rows
from projects.changes.models import ChangeRequest
from projects.core.models import MemberRole, Milestone, Project, Stage
from projects.payments.models import DueCondition, PaymentMilestone
from tests import factories
from tests.changes.factories import ChangeRequestFactory
from tests.kpi.factories import ComplaintFactory, SurveyFactory
from tests.payments.factories import PaymentFactory
from tests.presales.factories import AssessmentFactory, QuoteFactory

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2026, 11, 2)  # a milestone is due today: not late before the day ends
Q4 = Decimal("0.0001")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime(day.year, day.month, day.day, hour), timezone.get_default_timezone()
    )


@pytest.fixture
def edge(db):
    """Projects in every stage the definitions name, each input on both sides of each rule."""
    pm = factories.business_user(username="pm_edge")
    finance = factories.finance_user(username="fin_edge")
    mk = factories.ProjectFactory
    p = {
        "closed": mk(
            stage=Stage.CLOSED, contract_signed_on=d(2025, 12, 1), actual_end=d(2026, 3, 20)
        ),
        "delivered": mk(
            stage=Stage.DELIVERED, contract_signed_on=d(2026, 2, 1), actual_end=d(2026, 5, 11)
        ),
        "execution": mk(stage=Stage.EXECUTION, contract_signed_on=d(2026, 3, 1), business_pm=pm),
        "on_hold": mk(stage=Stage.ON_HOLD, contract_signed_on=d(2026, 4, 1), business_pm=pm),
        "cancelled": mk(
            stage=Stage.CANCELLED, contract_signed_on=d(2026, 1, 15), actual_end=d(2026, 6, 1)
        ),
        "opportunity": mk(stage=Stage.OPPORTUNITY),
        "late_signed": mk(stage=Stage.EXECUTION, contract_signed_on=d(2026, 10, 20)),
    }
    for key in ("delivered", "on_hold"):
        factories.MembershipFactory(project=p[key], user=finance, role=MemberRole.FINANCE_REP)
    done, planned, cancelled = (
        Milestone.Status.DONE,
        Milestone.Status.PLANNED,
        Milestone.Status.CANCELLED,
    )
    for project, baseline, status, actual in [
        (p["closed"], d(2026, 3, 5), done, d(2026, 3, 4)),  # on time
        (p["closed"], d(2026, 3, 20), done, d(2026, 3, 25)),  # late
        (p["closed"], d(2026, 3, 28), cancelled, None),  # never counted
        (p["delivered"], d(2026, 4, 10), done, d(2026, 4, 10)),  # on time, same day
        (p["delivered"], d(2026, 12, 15), done, d(2026, 10, 1)),  # early: counts in October
        (p["execution"], d(2026, 6, 30), planned, None),  # missed
        (p["execution"], TODAY, planned, None),  # due today: not counted yet
        (p["execution"], d(2026, 11, 1), done, d(2026, 11, 1)),  # on time
        (p["on_hold"], d(2026, 7, 15), planned, None),  # paused: not counted
        (p["on_hold"], d(2026, 5, 15), done, d(2026, 5, 20)),  # done late: counted
        (p["cancelled"], d(2026, 2, 10), planned, None),  # cancelled project: counted (missed)
    ]:
        factories.MilestoneFactory(
            project=project, baseline_date=baseline, status=status, actual_date=actual
        )
    for project, score, day, source in [
        (p["closed"], 5, d(2026, 3, 25), "staff"),
        (p["closed"], 3, d(2026, 3, 31), "customer"),  # answered through the customer's link
        (p["delivered"], 4, d(2026, 5, 15), "customer"),
        (p["on_hold"], 2, d(2026, 8, 1), "staff"),
        (p["cancelled"], 5, d(2026, 6, 2), "customer"),
    ]:
        SurveyFactory(project=project, overall_score=score, surveyed_on=day, source=source)
    for project, source, day, dept, closed in [
        (p["closed"], "customer", d(2026, 3, 2), "engineering", d(2026, 3, 9)),
        (p["delivered"], "customer", d(2026, 4, 15), "", None),  # no department: counted
        (p["execution"], "customer", d(2026, 9, 30), "business", None),
        (p["on_hold"], "customer", d(2026, 11, 1), "", None),
        (p["closed"], "internal", d(2026, 3, 10), "business", d(2026, 3, 12)),
        (p["closed"], "internal", d(2026, 1, 31), "", None),
        (p["delivered"], "internal", d(2026, 6, 1), "engineering", None),
        (p["cancelled"], "internal", d(2026, 5, 5), "", None),
    ]:
        ComplaintFactory(
            project=project,
            source=source,
            opened_on=day,
            responsible_department=dept,
            closed_on=closed,
        )
    for project, accepted in [
        (p["delivered"], at(d(2026, 2, 28), 23)),
        (p["execution"], at(d(2026, 3, 31), 23)),  # 23:00 Shanghai: still March
        (p["on_hold"], at(d(2026, 4, 20))),
    ]:
        Handover.objects.create(
            project=project,
            status=Handover.Status.ACCEPTED,
            due_date=accepted.date(),
            submitted_at=accepted,
            accepted_at=accepted,
        )
    for project, submitted, decided in [
        (p["execution"], at(d(2026, 4, 1), 9), at(d(2026, 4, 3), 21)),
        (p["on_hold"], at(d(2026, 6, 28)), at(d(2026, 7, 2), 16)),
        (p["delivered"], at(d(2026, 3, 1)), None),  # not decided
    ]:
        cr = ChangeRequestFactory(project=project)
        ChangeRequest.objects.filter(pk=cr.pk).update(submitted_at=submitted, decided_at=decided)
    # quotes: with a gap (price below the margin floor) on the closed, the execution and the
    # on-hold project; without on the delivered one; the cancelled one has a gap too
    for key, gap in [
        ("closed", True),
        ("delivered", False),
        ("execution", True),
        ("on_hold", False),
        ("cancelled", True),
    ]:
        assessment = AssessmentFactory(project=p[key])
        price = Decimal("800000") if gap else Decimal("1000000")
        QuoteFactory(project=p[key], assessment=assessment, quoted_price=price)
    # payments: (baseline due date, current due date after a slip, received on)
    for project, baseline, due, received in [
        (p["closed"], d(2026, 3, 10), d(2026, 3, 10), d(2026, 3, 8)),  # early: timely, March
        (p["closed"], d(2026, 3, 20), d(2026, 4, 10), d(2026, 4, 12)),  # slipped: late, March
        (p["delivered"], d(2026, 5, 31), d(2026, 5, 31), d(2026, 5, 31)),  # same day: timely
        (p["execution"], d(2026, 6, 30), d(2026, 6, 30), None),  # not received: late
        (p["execution"], TODAY, TODAY, None),  # due today: not counted yet
        (p["execution"], d(2026, 12, 15), d(2026, 12, 15), d(2026, 10, 20)),  # early: October
        (p["execution"], d(2026, 11, 1), d(2026, 11, 20), None),  # moved by a slip: late
        (p["on_hold"], d(2026, 7, 15), d(2026, 7, 15), None),  # on hold: still counted
        (p["cancelled"], d(2026, 2, 10), d(2026, 2, 10), d(2026, 2, 20)),  # late
    ]:
        PaymentFactory(
            project=project,
            milestone=None,
            due_condition=DueCondition.FIXED_DATE,
            fixed_date=baseline,
            baseline_due_date=baseline,
            due_date=due,
            invoiced_on=received,
            received_on=received,
        )
    return {"p": p, "pm": pm, "gap": {"closed", "execution", "cancelled"}}


# ------------------------------------------------------------ the definitions, in plain Python
def _ratio(num, den, scale=Decimal(1)):
    if not den:
        return None
    return (Decimal(num) * scale / Decimal(den)).quantize(Q4, rounding=ROUND_HALF_UP)


def _mean_days(durations):
    if not durations:
        return None
    total = sum(durations, datetime.timedelta(0))
    days = Decimal(total.total_seconds()) / Decimal(86400)
    return (days.quantize(Q4, rounding=ROUND_HALF_UP) / len(durations)).quantize(
        Q4, rounding=ROUND_HALF_UP
    )


def expected(code, projects, period, today, source="all"):
    """The value the written definition gives, from raw rows (`source`: the surveys of one
    source only, for the satisfaction KPI)."""
    ids = {pr.pk for pr in projects}

    def inside(day):
        return period.start <= day < period.end

    if code == "on_time_delivery_rate":

        def counted_on(m):  # done early: the day it was done; else its baseline date
            early = m.status == "done" and m.actual_date < m.baseline_date
            return m.actual_date if early else m.baseline_date

        due = [
            m
            for m in Milestone.objects.select_related("project")
            if m.project_id in ids
            and inside(counted_on(m))
            and counted_on(m) <= today
            and m.status != "cancelled"
            and not (m.baseline_date == today and m.status != "done")
            and not (m.project.stage == "on_hold" and m.status != "done")
        ]
        on_time = [m for m in due if m.status == "done" and m.actual_date <= m.baseline_date]
        return _ratio(len(on_time), len(due), Decimal(100))
    if code == "payment_timeliness_rate":

        def counted_by(pay):  # received early: the day it came; else its baseline due date
            early = pay.received_on is not None and pay.received_on < pay.baseline_due_date
            return pay.received_on if early else pay.baseline_due_date

        due = [
            pay
            for pay in PaymentMilestone.objects.all()
            if pay.project_id in ids
            and inside(counted_by(pay))
            and counted_by(pay) <= today
            and not (pay.baseline_due_date == today and pay.received_on is None)
        ]
        timely = [
            pay
            for pay in due
            if pay.received_on is not None and pay.received_on <= pay.baseline_due_date
        ]
        return _ratio(len(timely), len(due), Decimal(100))
    if code == "customer_satisfaction":
        surveys = [
            s
            for s in SatisfactionSurvey.objects.all()
            if s.project_id in ids and inside(s.surveyed_on) and source in ("all", s.source)
        ]
        return _ratio(sum(s.overall_score >= 4 for s in surveys), len(surveys), Decimal(100))
    if code in ("customer_complaint_rate", "cross_department_complaints"):
        source = "customer" if code == "customer_complaint_rate" else "internal"
        n = sum(
            1
            for c in Complaint.objects.all()
            if c.project_id in ids and c.source == source and inside(c.opened_on)
        )
        if code == "cross_department_complaints":
            return Decimal(n).quantize(Q4)
        active = [
            pr
            for pr in projects
            if pr.contract_signed_on
            and pr.contract_signed_on < period.end
            and pr.stage not in ("opportunity", "cancelled")
            and (pr.actual_end is None or pr.actual_end >= period.start)
        ]
        return _ratio(n, len(active))
    if code == "complaint_closure_time":
        return _mean_days(
            [
                c.closed_on - c.opened_on
                for c in Complaint.objects.all()
                if c.project_id in ids and c.closed_on and inside(c.closed_on)
            ]
        )
    if code == "delivery_cycle_time":
        return _mean_days(
            [
                pr.actual_end - pr.contract_signed_on
                for pr in projects
                if pr.actual_end and pr.contract_signed_on and inside(pr.actual_end)
            ]
        )
    if code == "handover_lead_time":
        tz = timezone.get_default_timezone()
        return _mean_days(
            [
                h.accepted_at.astimezone(tz).date() - h.project.contract_signed_on
                for h in Handover.objects.select_related("project")
                if h.project_id in ids
                and h.accepted_at
                and h.project.contract_signed_on
                and inside(h.accepted_at.astimezone(tz).date())
            ]
        )
    if code == "change_request_cycle_time":
        tz = timezone.get_default_timezone()
        return _mean_days(
            [
                c.decided_at - c.submitted_at
                for c in ChangeRequest.objects.all()
                if c.project_id in ids
                and c.decided_at
                and c.submitted_at
                and inside(c.decided_at.astimezone(tz).date())
            ]
        )
    if code == "promise_gap_rate":
        quoted = [
            pr
            for pr in projects
            if pr.quotes.filter(is_current=True).exists()
            and pr.stage not in ("closed", "cancelled")
        ]
        return _ratio(sum(pr.pk in GAPS for pr in quoted), len(quoted), Decimal(100))
    raise AssertionError(code)


GAPS: set[int] = set()


def _scopes(edge):
    every = list(Project.objects.all())
    GAPS.clear()
    GAPS.update(edge["p"][k].pk for k in edge["gap"])
    finance = [pr for pr in every if pr.memberships.filter(role="finance_rep").exists()]
    return [
        (COMPANY, every),
        (Scope(ScopeType.DEPARTMENT, "business"), every),
        (Scope(ScopeType.DEPARTMENT, "engineering"), every),
        (Scope(ScopeType.DEPARTMENT, "finance"), finance),
        (Scope(ScopeType.PROJECT, edge["p"]["on_hold"].code), [edge["p"]["on_hold"]]),
        (Scope(ScopeType.PROJECT, edge["p"]["closed"].code), [edge["p"]["closed"]]),
        (
            Scope(ScopeType.PM, "pm_edge"),
            [pr for pr in every if pr.business_pm_id == edge["pm"].pk],
        ),
    ]


PERIODS = [P.month(2026, m) for m in range(1, 13)] + [P.quarter(2026, q) for q in range(1, 5)]
PERIODS += [P.year(2026)]


def test_every_kpi_equals_its_definition_at_every_scope_and_granularity(edge, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    checked = 0
    for scope, projects in _scopes(edge):
        for period in PERIODS:
            for code in selectors.LIVE:
                got = selectors.compute(code, scope, period, TODAY).value
                want = expected(code, projects, period, TODAY)
                assert got == want, (str(scope), period.key, code, got, want)
                checked += 1
    assert checked == 7 * 17 * 10  # scopes × periods × KPIs


def test_the_satisfaction_kpi_by_source_equals_its_definition(edge, monkeypatch):
    """Each source alone, at every scope and granularity, as the KPI page and API show it;
    the two sources add up to all surveys."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    kpis = selectors.active_kpis(["customer_satisfaction"])
    checked = 0
    for scope, projects in _scopes(edge):
        rows = {
            source: value_rows(kpis, scope, PERIODS, TODAY, source=source)
            for source in ("all", "staff", "customer")
        }
        for i, period in enumerate(PERIODS):
            for source in ("all", "staff", "customer"):
                got = rows[source][i]["value"]
                want = expected("customer_satisfaction", projects, period, TODAY, source)
                assert got == want, (str(scope), period.key, source, got, want)
                checked += 1
            assert (
                rows["staff"][i]["denominator"] + rows["customer"][i]["denominator"]
                == (rows["all"][i]["denominator"])
            )
    assert checked == 7 * 17 * 3
    # by hand, 2026-Q1: staff 5 (satisfied), customer 3 (not): 100 % and 0 %, 50 % together
    q1 = P.quarter(2026, 1)
    assert [
        value_rows(kpis, COMPANY, [q1], TODAY, source=s)[0]["value"]
        for s in ("all", "staff", "customer")
    ] == [
        Decimal("50"),
        Decimal("100"),
        Decimal("0"),
    ]


def test_the_measured_edge_cases_by_hand(edge, monkeypatch):
    """The cases of the issue, counted by hand from the fixture."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)

    def value(code, key, scope=COMPANY):
        return selectors.compute(code, scope, P.parse(key), TODAY).value

    # promise gaps: the closed and the cancelled project are left out: execution has a gap,
    # delivered and on-hold do not: 1 / 3 whatever the period
    assert value("promise_gap_rate", "2026") == Decimal("33.3333")
    # November: the milestone due today is not counted; 11-01 done on time: 100 %, not 50 %
    assert value("on_time_delivery_rate", "2026-11") == Decimal("100")
    # July: the only milestone is the on-hold project's paused one: no value, not 0 %
    assert value("on_time_delivery_rate", "2026-07") is None
    # done early (10-01, due 12-15): on time in October, the month it was done, not held back
    # until December (changed from "December has not come: not counted yet")
    assert value("on_time_delivery_rate", "2026-10") == Decimal("100")
    assert value("on_time_delivery_rate", "2026-12") is None
    assert value("on_time_delivery_rate", "2026-Q4") == Decimal("100")  # 10-01 and 11-01
    # Q1: 03-05 on time, 03-20 late, the cancelled project's 02-10 missed: 1 / 3
    assert value("on_time_delivery_rate", "2026-Q1") == Decimal("33.3333")
    # payments: Q1 03-08 early (timely), 03-20 slipped to 04-10 and paid 04-12 (late, in March
    # by its baseline), the cancelled project's 02-10 paid 02-20 (late): 1 / 3
    assert value("payment_timeliness_rate", "2026-Q1") == Decimal("33.3333")
    # November: the one due today is not counted; 11-01 moved by a slip, unpaid: 0 %, not "—"
    assert value("payment_timeliness_rate", "2026-11") == Decimal("0")
    # received 10-20, due 12-15: timely in October; December has no case left
    assert value("payment_timeliness_rate", "2026-10") == Decimal("100")
    assert value("payment_timeliness_rate", "2026-12") is None
    assert selectors.compute("payment_timeliness_rate", COMPANY, P.parse("2026-12"), TODAY).no_cases
    # the quarter is made of its months
    months = [
        selectors.compute("cross_department_complaints", COMPANY, P.month(2026, m), TODAY)
        for m in (1, 2, 3)
    ]
    assert sum(v.value for v in months) == value("cross_department_complaints", "2026-Q1") == 2


def test_the_drill_down_lists_the_rows_each_number_counts(edge, monkeypatch):
    from kpi.selectors.drilldown import rows_behind

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    ratios = {
        "on_time_delivery_rate",
        "customer_satisfaction",
        "promise_gap_rate",
        "payment_timeliness_rate",
    }
    for scope, _projects in _scopes(edge):
        for period in [P.quarter(2026, q) for q in range(1, 5)] + [P.year(2026)]:
            for code in selectors.LIVE:
                v = selectors.compute(code, scope, period, TODAY)
                parts = rows_behind(code, scope, period, TODAY)
                first = parts[0]["rows"]
                if code in ratios:
                    assert len(first) == v.denominator, (str(scope), period.key, code)
                    assert sum(bool(r["in_numerator"]) for r in first) == v.numerator
                elif code == "customer_complaint_rate":
                    assert (len(first), len(parts[1]["rows"])) == (v.numerator, v.denominator)
                elif code == "cross_department_complaints":
                    assert len(first) == v.value
                else:  # average days: the rows' days add up to the numerator
                    assert len(first) == v.denominator
                    total = sum((Decimal(r["days"]) for r in first), Decimal(0))
                    assert total.quantize(Q4) == v.numerator, (str(scope), period.key, code)


def test_the_drill_down_page_and_api(edge, monkeypatch):
    from django.test import Client

    from tests.conftest import client_for

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    pmo = factories.pmo_user()
    browser = Client()
    browser.force_login(pmo)
    page = browser.get("/kpi/rows/?kpi=on_time_delivery_rate&scope=company&period=2026-Q1")
    assert page.status_code == 200
    assert edge["p"]["cancelled"].code in page.content.decode()
    assert browser.get("/kpi/rows/?kpi=nope&period=2026-Q1").status_code == 400
    answer = client_for(pmo).get(
        "/api/v1/kpis/rows/?kpi=on_time_delivery_rate&scope=company&period=2026-Q1"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["value"]["value"] == "33.3333" and len(body["parts"][0]["rows"]) == 3


def test_a_scorecard_shows_the_promise_gap_only_as_a_current_state(edge, monkeypatch):
    """A past period that was never frozen has no promise-gap value on a scorecard (it is a
    state of today, not of that period); the period containing today has today's."""
    from kpi.selectors.scorecards import scorecard

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    past = {r["code"]: r for r in scorecard("business", P.parse("2026-Q1"))["kpis"]}
    now = {r["code"]: r for r in scorecard("business", P.parse("2026-11"))["kpis"]}
    assert past["promise_gap_rate"]["value"] is None
    assert past["promise_gap_rate"]["current_state"] is True
    assert now["promise_gap_rate"]["value"] is not None
