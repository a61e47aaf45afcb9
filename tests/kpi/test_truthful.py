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
from tests.kpi.test_compare import history  # noqa: F401 (fixture)

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
    assert found["on_time_delivery_rate"]["value"] == Decimal("100")
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


# ---------------------------------------------------------------- open periods, no cases
def _chart_data(body: str, script_id: str):
    import json
    import re

    found = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>', body, re.S
    )
    return json.loads(found.group(1))


def test_an_open_period_without_cases_is_dash_no_cases_yet_never_zero(today, client):
    """The current month with no delivery and no handover: “— 尚无案例”, marked as open,
    no “0 / 0”, null (a gap) on the chart; the API says the same."""
    from tests.conftest import client_for

    pmo = factories.pmo_user()
    rows = {
        r["kpi"]: r
        for r in selectors.kpi_values.value_rows(
            selectors.active_kpis(), COMPANY, [P.parse("2026-12")], today
        )
    }
    for code in ("delivery_cycle_time", "handover_lead_time", "on_time_delivery_rate"):
        assert rows[code]["value"] is None and rows[code]["no_cases"] is True
        assert rows[code]["open"] is True and rows[code]["as_of"] == today
    # a count has a value, 0 included: 0 complaints is a fact, not “no data”
    assert rows["cross_department_complaints"]["value"] == 0
    assert rows["cross_department_complaints"]["no_cases"] is False

    client.force_login(pmo)
    body = client.get("/kpi/?granularity=month&from=2026-10&to=2026-12").content.decode()
    card = body.split('data-kpi="delivery_cycle_time"')[1].split('data-kpi="handover_lead_time"')[0]
    assert "尚无案例" in card and "data-so-far" in card
    assert "0 / 0" not in card and "0 天" not in card
    chart = {c["code"]: c for c in _chart_data(body, "kpi-trend-data")}
    assert chart["delivery_cycle_time"]["values"][-1] is None
    assert chart["delivery_cycle_time"]["open"] == [False, False, True]
    assert chart["handover_lead_time"]["labels"][-1].endswith("(截至目前)")

    api = client_for(pmo).get(
        "/api/v1/kpis/values/?kpi=delivery_cycle_time&granularity=month&from=2026-12&to=2026-12"
    )
    assert api.status_code == 200, api.content
    row = api.json()["results"][0]
    assert (row["value"], row["no_cases"], row["open"]) == (None, True, True)


def test_an_open_period_with_cases_shows_the_value_so_far(today, client):
    project = factories.ProjectFactory(
        stage=Stage.DELIVERED, contract_signed_on=d(2026, 11, 1), actual_end=d(2026, 12, 2)
    )
    client.force_login(factories.pmo_user())
    body = client.get("/kpi/?granularity=month&from=2026-12&to=2026-12").content.decode()
    card = body.split('data-kpi="delivery_cycle_time"')[1].split('data-kpi="handover_lead_time"')[0]
    assert "31 <small" in card and "截至 2026-12-03，本期未结束" in card
    assert "尚无案例" not in card
    panel = client.get(f"/kpi/projects/{project.code}/panel/").content.decode()
    assert "截至 2026-12-03，本期未结束" in panel  # the year is open too


def test_a_closed_period_without_cases_says_no_cases(today, client):
    client.force_login(factories.pmo_user())
    body = client.get("/kpi/?granularity=month&from=2026-10&to=2026-10").content.decode()
    card = body.split('data-kpi="delivery_cycle_time"')[1].split('data-kpi="handover_lead_time"')[0]
    assert "无案例" in card and "尚无案例" not in card and "data-so-far" not in card


# ---------------------------------------------------------------- targets carry their unit
def test_every_target_is_shown_with_its_unit(early, today, client):
    client.force_login(factories.pmo_user())
    kpis = {k.code: k for k in selectors.active_kpis()}
    on_time = kpis["on_time_delivery_rate"]
    target = f"{on_time.target.normalize():f}"
    expected = f'<span data-target-value>{target} <small class="text-body-secondary">%</small>'
    panel = client.get(f"/kpi/projects/{early.code}/panel/").content.decode()
    row = panel.split('data-kpi="on_time_delivery_rate"')[1].split("</tr>")[0]
    assert expected in row
    cards = client.get("/kpi/scorecards/?period=2026-Q4").content.decode()
    row = cards.split('data-kpi="on_time_delivery_rate"')[1].split("</tr>")[0]
    assert expected in row
    trend = client.get("/kpi/").content.decode()
    assert expected in trend.split('data-kpi="on_time_delivery_rate"')[1]
    # every KPI, on the project tab: a target with its unit
    for code, kpi in kpis.items():
        row = panel.split(f'data-kpi="{code}"')[1].split("</tr>")[0]
        assert f'<small class="text-body-secondary">{kpi.unit_label}</small></span>' in row, code


# ---------------------------------------------------------------- chart legends are text
def test_the_target_legend_is_text_with_its_unit(today, client):
    client.force_login(factories.pmo_user())
    body = client.get("/kpi/").content.decode()
    for chart in _chart_data(body, "kpi-trend-data"):
        assert chart["target_label"].startswith("目标 ")
        assert chart["target_label"].endswith(chart["unit"])
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "kpi" / "charts.js").read_text(encoding="utf-8")
    assert "🎯" not in script and all(ord(ch) < 0x2000 for ch in script)


# ---------------------------------------------------------------- compare: one axis, relative
@pytest.mark.usefixtures("history")
def test_the_compare_chart_is_each_kpis_change_relative_to_before(monkeypatch, client):
    """Days, percentages and counts are not put on one axis: the chart is one dataset of
    percent changes against the before value, the same figures as the comparison's `change`."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: d(2026, 6, 30))
    client.force_login(factories.pmo_user())
    body = client.get("/kpi/compare/?split=2026-01-01&months=12").content.decode()
    chart = _chart_data(body, "kpi-compare-data")
    assert set(chart) == {"labels", "change_pct", "better", "dataset_label", "axis_title"}
    assert chart["labels"] == ["交付周期", "客户满意率(≥4分)", "客户投诉", "跨部门投诉"]
    # cycle 290 → 220.5 days, satisfied 50 % → 100 %, complaints 4 → 1 and 5 → 2
    assert chart["change_pct"] == [-24.0, 100.0, -75.0, -60.0]
    assert chart["better"] == [True, True, True, True]  # shorter, more satisfied, fewer
    assert chart["axis_title"] == "相对变化(%)"
    assert "之后相对之前的变化(%)" == chart["dataset_label"]
    assert "data-compare-note" in body


def test_a_change_without_a_before_value_is_not_drawn(db):
    from kpi.views import compare_chart

    result = {
        "before": {"label": "之前"},
        "after": {"label": "之后"},
        "change": {
            "delivery_cycle_pct": None,
            "satisfaction_share_pct": Decimal("-10.0"),
            "customer_complaints_pct": Decimal("0.0"),
            "cross_department_complaints_pct": Decimal("25.0"),
        },
    }
    chart = compare_chart(result)
    assert chart["change_pct"] == [None, -10.0, 0.0, 25.0]
    assert chart["better"] == [None, False, None, False]


def test_the_scorecard_api_says_no_cases_and_english_pages_say_so_too(today, client):
    from tests.conftest import client_for

    pmo = factories.pmo_user()
    answer = client_for(pmo).get("/api/v1/kpis/scorecard/?department=business&period=2026-12")
    assert answer.status_code == 200, answer.content
    rows = {r["code"]: r for r in answer.json()["kpis"]}
    assert rows["delivery_cycle_time"]["value"] is None
    assert rows["delivery_cycle_time"]["no_cases"] is True
    assert rows["cross_department_complaints"]["no_cases"] is False

    client.force_login(pmo)
    client.cookies["django_language"] = "en"
    body = client.get("/kpi/?granularity=month&from=2026-12&to=2026-12").content.decode()
    assert "no cases yet" in body and "尚无案例" not in body
    assert all(c["target_label"].startswith("Target ") for c in _chart_data(body, "kpi-trend-data"))
    cards = client.get("/kpi/scorecards/?period=2026-12").content.decode()
    assert "no cases yet" in cards


def test_units_are_in_the_readers_language(early, today, client):
    """The units the definitions ship with read as English words on English pages (天 →
    days); in Chinese they stay as defined."""
    client.force_login(factories.pmo_user())
    client.cookies["django_language"] = "en"
    panel = client.get(f"/kpi/projects/{early.code}/panel/").content.decode()
    row = panel.split('data-kpi="delivery_cycle_time"')[1].split("</tr>")[0]
    assert '<small class="text-body-secondary">days</small>' in row
    for unit in ("天", "次/项目", "次"):
        assert f'<small class="text-body-secondary">{unit}</small>' not in panel, unit
    trend = client.get("/kpi/").content.decode()
    assert all("天" not in c["unit"] for c in _chart_data(trend, "kpi-trend-data"))
    client.cookies["django_language"] = "zh-hans"
    panel = client.get(f"/kpi/projects/{early.code}/panel/").content.decode()
    row = panel.split('data-kpi="delivery_cycle_time"')[1].split("</tr>")[0]
    assert '<small class="text-body-secondary">天</small>' in row
