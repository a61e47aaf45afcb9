"""The KPI comparison of projects whose PM completed a job rotation before the contract date
against the others, on a small made-up world (figures checked by hand)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from coordination.rotations.models import JobRotation
from kpi import periods as P
from kpi.selectors.rotation_comparison import rotation_comparison
from tests import factories
from tests.api.helpers import client_for
from tests.changes.factories import ChangeRequestFactory
from tests.formpage import login

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 3, 31)
TODAY = datetime.date(2026, 12, 31)


def rotated(user, *, ended: datetime.date, status: str = "closed") -> JobRotation:
    return JobRotation.objects.create(
        user=user,
        from_department=user.profile.department,
        host_department="engineering" if user.profile.department == "business" else "business",
        to_site="现场",
        start_date=ended - datetime.timedelta(days=90),
        status=status,
        actual_start=ended - datetime.timedelta(days=90),
        actual_end=ended if status == "closed" else None,
    )


def project(contract: datetime.date | None, *, stage: str = "execution", done_on=None, **pms):
    p = factories.ProjectFactory(stage=stage, contract_signed_on=contract, **pms)
    factories.MilestoneFactory(
        project=p,
        baseline_date=DUE,
        status="done" if done_on else "planned",
        actual_date=done_on,
    )
    return p


@pytest.fixture
def world():
    sales = factories.business_user()  # rotated on site, back by December 2025
    engineer = factories.engineering_user()  # rotated to sales, back by November 2025
    rotated(sales, ended=datetime.date(2025, 12, 1))
    rotated(engineer, ended=datetime.date(2025, 11, 1))
    waiting = factories.business_user()
    rotated(waiting, ended=datetime.date(2025, 10, 1), status="in_progress")  # not completed
    on_time, late = DUE - datetime.timedelta(days=1), DUE + datetime.timedelta(days=10)
    w = {
        # rotated: the business PM came back before the contract; on time
        "p1": project(datetime.date(2026, 1, 10), business_pm=sales, done_on=on_time),
        # rotated: the engineering PM; late
        "p4": project(datetime.date(2026, 3, 1), engineering_pm=engineer, done_on=late),
        # not rotated: the same sales PM, but the contract came before the rotation; late
        "p2": project(datetime.date(2025, 6, 1), business_pm=sales, done_on=late),
        # not rotated: the PM's rotation is still in progress; not done
        "p3": project(datetime.date(2026, 2, 1), business_pm=waiting),
        # in neither group: an opportunity, and a project without a contract date
        "p5": project(None, stage="opportunity", business_pm=sales, done_on=on_time),
        "p6": project(None, business_pm=engineer, done_on=on_time),
    }
    ChangeRequestFactory(project=w["p1"], status="submitted")
    return w


def _row(result, kpi):
    return next(row for row in result["rows"] if row["kpi"] == kpi)


def test_the_groups_and_their_figures(world, django_assert_num_queries):
    with django_assert_num_queries(3):  # the definitions, one statement per group
        result = rotation_comparison(P.year(2026), today=TODAY)
    assert result["groups"]["rotated"]["projects"] == 2
    assert result["groups"]["others"]["projects"] == 2
    on_time = _row(result, "on_time_delivery_rate")
    assert (on_time["rotated"]["numerator"], on_time["rotated"]["denominator"]) == (1, 2)
    assert on_time["rotated"]["value"] == Decimal("50")
    assert (on_time["others"]["numerator"], on_time["others"]["denominator"]) == (0, 2)
    changes = _row(result, "change_requests")
    assert changes["rotated"]["per_project"] == Decimal("0.50")
    assert changes["others"]["per_project"] == Decimal("0.00")
    satisfaction = _row(result, "customer_satisfaction")
    assert satisfaction["rotated"]["no_cases"] and satisfaction["others"]["no_cases"]
    assert "promise_gap_rate" not in {row["kpi"] for row in result["rows"]}  # not joint
    assert result["too_few"] == ["rotated", "others"] and not result["comparable"]


def test_the_page_says_when_a_group_is_too_small(world, django_assert_max_num_queries):
    client = login(factories.engineering_user())
    client.get("/kpi/rotations/?period=2026")
    with django_assert_max_num_queries(12):
        html = client.get("/kpi/rotations/?period=2026").content.decode()
    assert 'id="too-few"' in html and "项目太少" in html
    assert html.count("2 个项目") == 2
    assert 'data-kpi="on_time_delivery_rate"' in html
    assert login(factories.business_user()).get("/kpi/rotations/?period=soon").status_code == 400


def test_five_a_side_is_comparable_and_the_api_says_the_same(world):
    sales = world["p1"].business_pm
    for _i in range(3):
        project(datetime.date(2026, 4, 1), business_pm=sales)
    for _i in range(3):
        project(datetime.date(2026, 4, 1))
    data = (
        client_for(factories.business_user())
        .get("/api/v1/kpis/rotation-comparison/", {"period": "2026"})
        .json()
    )
    assert data["groups"]["rotated"]["projects"] == 5 and data["groups"]["others"]["projects"] == 5
    assert data["comparable"] is True and data["too_few"] == []
    html = login(factories.business_user()).get("/kpi/rotations/?period=2026").content.decode()
    assert 'id="too-few"' not in html
    bad = client_for(factories.business_user()).get(
        "/api/v1/kpis/rotation-comparison/", {"period": "2026-13"}
    )
    assert bad.status_code == 400 and "period" in bad.json()
