"""/api/v1/job-rotations/: the same moves as the pages, each refusal a JSON 4xx that changes
nothing; the old record's body still plans a rotation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coordination.core.models import AuditEvent
from coordination.rotations.models import JobRotation, RotationCheckIn
from tests import factories
from tests.api.helpers import client_for
from tests.rotations.factories import Cast, approved, in_progress, planned

pytestmark = pytest.mark.django_db
URL = "/api/v1/job-rotations/"


def test_plan_approve_start_check_in_close_through_the_api():
    c = Cast()
    today = timezone.localdate().isoformat()
    body = {
        "to_site": "无锡项目现场",
        "host_department": "engineering",
        "mentor": c.mentor.username,
        "start_date": today,
        "end_date": "2027-03-31",
    }
    response = client_for(c.person).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["mentor"], data["approvals"]) == ("planned", c.mentor.username, [])
    pk = data["id"]
    one = f"{URL}{pk}/"

    assert client_for(c.mentor).post(f"{one}approve/", {}, format="json").status_code == 403
    assert client_for(c.own_head).post(f"{one}approve/", {}, format="json").status_code == 200
    again = client_for(c.own_head).post(f"{one}approve/", {}, format="json")
    assert again.status_code == 409  # their side has decided this round
    data = client_for(c.host_head).post(f"{one}approve/", {"comment": "欢迎"}, format="json").json()
    assert data["status"] == "approved"
    assert {(a["side"], a["decision"]) for a in data["approvals"]} == {
        ("own", "approved"),
        ("host", "approved"),
    }

    close = client_for(c.person).post(f"{one}close/", {"reflection": "x"}, format="json")
    assert close.status_code == 409 and "detail" in close.json()

    assert (
        client_for(c.person).post(f"{one}start/", format="json").json()["status"] == "in_progress"
    )
    response = client_for(c.person).post(f"{one}check-ins/", {"note": "第一个月"}, format="json")
    assert response.status_code == 201 and response.json()["author"] == c.person.username

    # the person may not assess themselves; a score of 6 is a 400; neither changes anything
    own = client_for(c.person).post(
        f"{one}close/", {"host_score": 5, "host_assessment": "很好"}, format="json"
    )
    assert own.status_code == 403
    bad = client_for(c.mentor).post(f"{one}close/", {"host_score": 6, "host_assessment": "好"})
    assert bad.status_code == 400 and "host_score" in bad.json()
    assert JobRotation.objects.get(pk=pk).host_score is None

    client_for(c.mentor).post(f"{one}close/", {"host_score": 5, "host_assessment": "很好"})
    data = client_for(c.person).post(f"{one}close/", {"reflection": "收获很大"}).json()
    assert (data["status"], data["host_score"], data["assessed_by"]) == (
        "closed",
        5,
        c.mentor.username,
    )
    assert data["actual_end"] == today and len(data["check_ins"]) == 1
    assert client_for(c.outsider).get(one).status_code == 404
    assert client_for(c.pmo).get(one).json()["reflection"] == "收获很大"


def test_the_old_body_still_plans_a_rotation_with_the_other_side_as_host():
    member = factories.engineering_user()
    response = client_for(member).post(
        URL,
        {"to_site": "华东区销售部", "start_date": "2026-10-01", "reflection": "先写一点期待"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["from_department"], data["host_department"], data["status"]) == (
        "engineering",
        "business",
        "planned",
    )


@pytest.mark.parametrize(
    "body, field",
    [
        (
            {"to_site": "现场", "start_date": "2026-10-01", "host_department": "business"},
            "host_department",
        ),
        ({"to_site": "现场", "start_date": "2026-10-01", "mentor": "nobody-here"}, "mentor"),
        ({"to_site": "现场", "start_date": "2026-10-01", "end_date": "2026-09-01"}, "end_date"),
        ({"start_date": "2026-10-01"}, "to_site"),
        ({"to_site": "现场"}, "start_date"),
    ],
)
def test_bad_plans_are_400_and_write_nothing(body, field):
    c = Cast()
    audits = AuditEvent.objects.count()
    response = client_for(c.person).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not JobRotation.objects.exists() and AuditEvent.objects.count() == audits


def test_a_mentor_must_be_of_the_host_department():
    c = Cast()
    other = factories.business_user()
    response = client_for(c.person).post(
        URL, {"to_site": "现场", "start_date": "2026-10-01", "mentor": other.username}
    )
    assert response.status_code == 400 and "mentor" in response.json()


def test_reject_needs_a_reason_and_cancel_a_reason():
    c = Cast()
    rotation = planned(c)
    one = f"{URL}{rotation.pk}/"
    assert client_for(c.host_head).post(f"{one}reject/", {}, format="json").status_code == 400
    response = client_for(c.host_head).post(f"{one}reject/", {"reason": "人手紧"}, format="json")
    assert response.json()["status"] == "returned"
    assert client_for(c.person).post(f"{one}resubmit/").json()["round"] == 2
    assert client_for(c.person).post(f"{one}cancel/", {}, format="json").status_code == 400
    assert client_for(c.outsider).post(f"{one}cancel/", {"reason": "x"}).status_code == 404
    assert client_for(c.person).post(f"{one}cancel/", {"reason": "改期"}).json()["status"] == (
        "cancelled"
    )


def test_who_checks_in_and_when():
    c = Cast()
    rotation = approved(c)
    one = f"{URL}{rotation.pk}/check-ins/"
    assert client_for(c.person).post(one, {"note": "还没开始"}).status_code == 409
    started = in_progress(Cast())
    one = f"{URL}{started.pk}/check-ins/"
    assert client_for(factories.pmo_user()).post(one, {"note": "PMO 记录"}).status_code == 201
    assert client_for(factories.executive_user()).post(one, {"note": "x"}).status_code == 403
    assert RotationCheckIn.objects.count() == 1


def test_list_filters_by_status_and_refuses_an_unknown_one():
    c = Cast()
    planned(c)
    in_progress(c)
    data = client_for(c.pmo).get(URL, {"status": "in_progress"}).json()
    assert [r["status"] for r in data["results"]] == ["in_progress"]
    assert client_for(c.pmo).get(URL, {"status": "sleeping"}).status_code == 400
    assert client_for(c.outsider).get(URL).json()["count"] == 0
    assert client_for(c.host_head).get(URL).json()["count"] == 2
