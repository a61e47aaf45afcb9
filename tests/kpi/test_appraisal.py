"""Appraisal-grade scorecards: each says which projects it covers and how much weight had
data; PMO picks the finance scope and the missing-data rule; the demo data gives every
project the memberships its roles imply."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from kpi import periods as P
from kpi import selectors
from kpi.models import KpiDefinition, Scorecard, ScorecardWeight
from projects.core.models import MemberRole, Project
from tests import factories

pytestmark = pytest.mark.django_db


def _engineering_card(world):
    card = Scorecard.objects.get(department="engineering")
    ScorecardWeight.objects.filter(scorecard=card).delete()
    kpis = {k.code: k for k in KpiDefinition.objects.all()}
    # Q1: delivery cycle 69 d vs 240 (lower): 100; on-time 50 % vs 90: 55.6; no change
    # request decided: no value
    for code, weight in [
        ("delivery_cycle_time", 1),
        ("on_time_delivery_rate", 3),
        ("change_request_cycle_time", 5),
    ]:
        ScorecardWeight.objects.create(scorecard=card, kpi=kpis[code], weight=weight)
    return card


def test_the_total_says_how_much_weight_had_data_and_which_kpis_had_none(world):
    _engineering_card(world)
    result = selectors.scorecard("engineering", P.parse("2026-Q1"))
    assert result["missing_data"] == "reweight"
    assert result["coverage"]["weight_total"] == 9
    assert result["coverage"]["weight_with_data"] == 4
    assert [m["code"] for m in result["coverage"]["without_data"]] == ["change_request_cycle_time"]
    assert result["score"] == Decimal("66.7")  # (1 × 100 + 3 × 55.6) / 4


def test_pmo_can_count_missing_kpis_as_zero(world):
    card = _engineering_card(world)
    card.missing_data = Scorecard.MissingData.ZERO
    card.save()
    result = selectors.scorecard("engineering", P.parse("2026-Q1"))
    # (1 × 100 + 3 × 55.6 + 5 × 0) / 9 = 29.6
    assert result["score"] == Decimal("29.6")


def test_finance_scope_is_explicit_and_joint_differences_are_marked(world, client):
    factories.MembershipFactory(project=world["a"], role=MemberRole.FINANCE_REP)
    period = P.parse("2026")
    cards = selectors.scorecards_side_by_side(["business", "engineering", "finance"], period)
    finance = {k["code"]: k for k in cards[2]["kpis"]}
    business = {k["code"]: k for k in cards[0]["kpis"]}
    assert "财务代表" in cards[2]["scope"]
    # finance covers project a alone: its delivery cycle is a's 69 days, not the mean of both
    assert finance["delivery_cycle_time"]["value"] == Decimal("69")
    assert business["delivery_cycle_time"]["value"] == Decimal("84")
    assert finance["delivery_cycle_time"]["differs"] and business["delivery_cycle_time"]["differs"]
    # PMO sets finance's scope to the company's: the joint values agree again
    Scorecard.objects.filter(department="finance").update(
        project_scope=Scorecard.ProjectScope.COMPANY
    )
    cards = selectors.scorecards_side_by_side(["business", "engineering", "finance"], period)
    assert not any(k["differs"] for card in cards for k in card["kpis"])
    assert "全公司" in cards[2]["scope"]


def test_the_scorecard_page_and_api_show_scope_and_coverage(world):
    _engineering_card(world)
    client = Client()
    client.force_login(factories.pmo_user())
    page = client.get("/kpi/scorecards/?period=2026-Q1").content.decode()
    assert "总分基于 4 / 9 权重点的数据" in page
    assert "不计入，按其余权重折算" in page
    api = client.get("/api/v1/kpis/scorecard/?department=engineering&period=2026-Q1").json()
    assert api["coverage"]["weight_with_data"] == "4.00"
    assert api["coverage"]["without_data"][0]["code"] == "change_request_cycle_time"
    assert api["scope"]


def test_every_demo_project_has_the_memberships_its_roles_imply(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", today=datetime.date(2026, 11, 25), stdout=io.StringIO())
    assert Project.objects.filter(erp_id__startswith="DEMO-H").count() == 12
    expected = {
        MemberRole.BUSINESS_PM,
        MemberRole.ENGINEERING_PM,
        MemberRole.BUSINESS_LEAD,
        MemberRole.ENGINEERING_DIRECTOR,
        MemberRole.TECH_LEAD,
        MemberRole.FINANCE_REP,
    }
    for project in Project.objects.prefetch_related("memberships"):
        roles = {m.role for m in project.memberships.all()}
        assert expected <= roles, (project.code, project.erp_id, expected - roles)
        pms = {(m.role, m.user_id) for m in project.memberships.all()}
        assert (MemberRole.BUSINESS_PM, project.business_pm_id) in pms
        assert (MemberRole.ENGINEERING_PM, project.engineering_pm_id) in pms
