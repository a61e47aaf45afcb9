"""Closed periods are restated, never silently changed: a late input is accepted with a
warning, waits as a pending restatement (counted in no period, so quarters keep adding up
from their months), and PMO restates the period (new frozen values, audited) or keeps it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from coordination.core.models import AuditEvent
from kpi import periods as P
from kpi import selectors, services
from kpi.models import Restatement
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)
LATE = {
    "source": "internal",
    "category": "requirement",
    "severity": "high",
    "description": "签约后才传递的特殊要求",
    "responsible_department": "business",
}


def internal(key):
    kpi = selectors.active_kpis(["cross_department_complaints"])
    return selectors.values(kpi, selectors.COMPANY, [P.parse(key)])[
        ("cross_department_complaints", key)
    ]


def months_add_up(quarter_key):
    quarter = P.parse(quarter_key)
    months = [P.containing(quarter.start, P.MONTH)]
    while len(months) < 3:
        months.append(P.following(months[-1]))
    return sum(internal(m.key).value for m in months) == internal(quarter_key).value


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def test_late_complaint_round_trip_in_the_browser_and_the_api(world, today):
    services.close_period("2026-04", today=today)
    a = world["a"]
    pmo = factories.pmo_user()
    assert internal("2026-04").frozen and internal("2026-04").value == 0
    assert internal("2026-Q2").value == 1  # 06-01

    # 1. the PM records a complaint dated in the closed April: accepted, with a warning
    browser = Client()
    browser.force_login(a.business_pm)
    page = browser.post(
        f"/kpi/projects/{a.code}/complaints/",
        {**LATE, "opened_on": "2026-04-20"},
        follow=True,
    ).content.decode()
    assert "已关账期间 2026-04" in page and "待重述" in page
    pending = Restatement.objects.get()
    assert (pending.period, pending.status, pending.input_kind) == (
        "2026-04",
        "pending",
        "complaint",
    )

    # 2. nothing moved silently: April frozen, the open quarter still its months' sum
    assert internal("2026-04").value == 0
    assert internal("2026-Q2").value == 1 and months_add_up("2026-Q2")
    trend = browser.get("/kpi/?granularity=month&from=2026-04&to=2026-05").content.decode()
    assert "待重述" in trend
    rows = (
        client_for(pmo)
        .get(
            "/api/v1/kpis/values/?kpi=cross_department_complaints"
            "&granularity=month&from=2026-04&to=2026-05"
        )
        .json()["results"]
    )
    assert rows[0]["pending_restatements"] == 1 and rows[0]["frozen"]
    assert rows[1]["pending_restatements"] == 0

    # 3. only PMO restates, with a reason
    api = client_for(a.business_pm)
    assert (
        api.post(
            "/api/v1/kpis/restatements/2026-04/restate/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )
    listing = client_for(pmo).get("/api/v1/kpis/restatements/?status=pending").json()
    assert [r["period"] for r in listing["results"]] == ["2026-04"]
    assert (
        client_for(pmo)
        .post("/api/v1/kpis/restatements/2026-04/restate/", {}, format="json")
        .status_code
        == 400
    )
    answer = client_for(pmo).post(
        "/api/v1/kpis/restatements/2026-04/restate/", {"reason": "客户补交投诉"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["periods"] == ["2026-04"]

    # 4. the new frozen value includes it, audited with before and after
    assert internal("2026-04").frozen and internal("2026-04").value == 1
    assert internal("2026-Q2").value == 2 and months_add_up("2026-Q2")
    assert Restatement.objects.get().status == "restated"
    audit = AuditEvent.objects.filter(action="kpi.period_restated").get()
    assert audit.before["values"]["cross_department_complaints"] == "0.0000"
    assert audit.after["values"]["cross_department_complaints"] == "1.0000"
    assert audit.reason == "客户补交投诉"
    assert (
        client_for(pmo)
        .post("/api/v1/kpis/restatements/2026-04/restate/", {"reason": "again"}, format="json")
        .status_code
        == 409
    )

    # 5. another late complaint, and PMO keeps April frozen: it counts nowhere
    created = api.post(
        f"/api/v1/projects/{a.code}/complaints/",
        {**LATE, "opened_on": "2026-04-21"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["restatement_periods"] == ["2026-04"]
    page = Client()
    page.force_login(pmo)
    shown = page.get("/kpi/restatements/").content.decode()
    assert "2026-04" in shown and "重述该期间" in shown
    page.post("/kpi/restatements/2026-04/leave/", {"reason": "金额不影响考核"})
    assert Restatement.objects.filter(status="left").count() == 1
    assert internal("2026-04").value == 1 and internal("2026-Q2").value == 2
    assert months_add_up("2026-Q2")


def test_a_closed_quarter_is_restated_through_its_months(world, today):
    for key in ("2026-04", "2026-05", "2026-06"):
        services.close_period(key, today=today)
    a = world["a"]
    pmo = factories.pmo_user()
    complaint = services.record_complaint(
        a, by=a.business_pm, data={**LATE, "opened_on": datetime.date(2026, 5, 3)}
    )
    assert complaint.restatement_periods == ["2026-05", "2026-Q2"]
    assert internal("2026-Q2").value == 1 and months_add_up("2026-Q2")
    assert internal("2026").value == 3  # 01-31, 03-10, 06-01: the late one waits
    services.restate_period("2026-Q2", by=pmo, reason="补录", today=today)
    assert internal("2026-05").frozen and internal("2026-05").value == 1
    assert internal("2026-Q2").frozen and internal("2026-Q2").value == 2
    assert months_add_up("2026-Q2") and internal("2026").value == 4
    assert not Restatement.objects.filter(status="pending").exists()


def test_inputs_in_open_periods_need_no_restatement(world, today):
    a = world["a"]
    c = services.record_complaint(
        a, by=a.business_pm, data={**LATE, "opened_on": datetime.date(2026, 11, 3)}
    )
    assert c.restatement_periods == [] and not Restatement.objects.exists()
