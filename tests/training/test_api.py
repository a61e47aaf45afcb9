"""The training API: the same flow and refusals as the pages, through /api/v1/training/."""

import datetime

import pytest
from django.utils import timezone

from coordination.core.models import AuditEvent, Notification
from coordination.training.models import TrainingAttendance, TrainingSession
from tests import factories
from tests.api.helpers import client_for
from tests.training.factories import SessionFactory, TopicFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/training"


@pytest.fixture
def world():
    return {
        "pmo": factories.pmo_user(username="a_pmo"),
        "biz1": factories.business_user(username="a_biz1"),
        "biz2": factories.business_user(username="a_biz2"),
        "eng1": factories.engineering_user(username="a_eng1"),
        "exec": factories.executive_user(username="a_exec"),
        "topic": TopicFactory(name="变更管理", name_en="Change control"),
    }


def _schedule(api, world, **extra):
    body = {
        "topic": world["topic"].pk,
        "title": "变更申请怎么写",
        "trainer": "a_eng1",
        "starts_at": (timezone.now() + datetime.timedelta(hours=2)).isoformat(),
        "duration_minutes": 120,
        "audience": ["business"],
        "invitees": ["a_biz1", "a_biz2"],
        **extra,
    }
    return api.post(f"{BASE}/sessions/", body, format="json")


def test_the_flow_through_the_api(world):
    pmo = client_for(world["pmo"])
    r = _schedule(pmo, world)
    assert r.status_code == 201, r.json()
    sid = r.json()["id"]
    assert r.json()["invited_count"] == 2 and r.json()["trainer"] == "a_eng1"
    assert Notification.objects.filter(kind="training.invited").count() == 2

    # held before it starts: 409; after, the status moves
    assert (
        pmo.patch(f"{BASE}/sessions/{sid}/", {"status": "held"}, format="json").status_code == 409
    )
    TrainingSession.objects.filter(pk=sid).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    r = pmo.patch(f"{BASE}/sessions/{sid}/", {"status": "held"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "held"

    r = pmo.post(f"{BASE}/sessions/{sid}/attendance/", {"attended": ["a_biz1"]}, format="json")
    assert r.status_code == 200
    assert r.json()["attended_count"] == 1

    biz1 = client_for(world["biz1"])
    r = biz1.post(f"{BASE}/sessions/{sid}/feedback/", {"score": 5, "comment": "好"}, format="json")
    assert r.status_code == 200 and r.json()["score"] == 5
    assert pmo.get(f"{BASE}/sessions/{sid}/").json()["average_score"] == 5.0

    r = biz1.get(f"{BASE}/people/a_biz1/")
    assert r.status_code == 200
    record = r.json()
    assert (record["sessions_attended"], record["hours"], record["feedback_given"]) == (1, 2.0, 1)
    assert record["topics"] == ["变更管理"]

    r = pmo.get(f"{BASE}/coverage/", {"year": timezone.localdate().year})
    assert r.status_code == 200
    business = next(row for row in r.json()["rows"] if row["department"] == "business")
    # a_biz1 of the business people a_biz1, a_biz2, a_exec
    assert business["cells"][0] == {
        "topic": world["topic"].pk, "reached": 1, "headcount": 3, "percent": 33.3,
    }  # fmt: skip


def test_refusals_change_nothing(world):
    pmo = client_for(world["pmo"])
    sid = _schedule(pmo, world).json()["id"]
    biz1, biz2 = client_for(world["biz1"]), client_for(world["biz2"])
    # feedback before it is held: 409
    assert (
        biz1.post(f"{BASE}/sessions/{sid}/feedback/", {"score": 4}, format="json").status_code
        == 409
    )
    TrainingSession.objects.filter(pk=sid).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    pmo.patch(f"{BASE}/sessions/{sid}/", {"status": "held"}, format="json")
    # a non-organiser marking attendance: 403
    r = biz2.post(f"{BASE}/sessions/{sid}/attendance/", {"attended": ["a_biz2"]}, format="json")
    assert r.status_code == 403
    assert not TrainingAttendance.objects.filter(attended=True).exists()
    pmo.post(f"{BASE}/sessions/{sid}/attendance/", {"attended": ["a_biz1"]}, format="json")
    # a non-attendee's feedback: 403
    assert (
        biz2.post(f"{BASE}/sessions/{sid}/feedback/", {"score": 4}, format="json").status_code
        == 403
    )
    # a score of 6: 400 naming the field, nothing stored
    r = biz1.post(f"{BASE}/sessions/{sid}/feedback/", {"score": 6}, format="json")
    assert r.status_code == 400 and "score" in r.json()
    assert TrainingAttendance.objects.get(user=world["biz1"]).score is None
    assert not AuditEvent.objects.filter(action="training.feedback_given").exists()
    # unknown people in the attendance list: 400
    r = pmo.post(f"{BASE}/sessions/{sid}/attendance/", {"attended": ["nobody"]}, format="json")
    assert r.status_code == 400
    # executives read, never write
    ex = client_for(world["exec"])
    assert ex.get(f"{BASE}/sessions/{sid}/").status_code == 200
    assert _schedule(ex, world).status_code == 403
    assert ex.get(f"{BASE}/coverage/").status_code == 200
    # someone else's record, or the coverage: 403 for a plain member
    assert biz2.get(f"{BASE}/people/a_biz1/").status_code == 403
    assert biz2.get(f"{BASE}/coverage/").status_code == 403
    assert pmo.get(f"{BASE}/coverage/", {"year": "20x6"}).status_code == 400


def test_a_stale_if_match_is_412_and_changes_nothing(world):
    pmo = client_for(world["pmo"])
    r = _schedule(pmo, world)
    sid, tag = r.json()["id"], r["ETag"]
    assert pmo.patch(f"{BASE}/sessions/{sid}/", {"location": "A"}, format="json",
                     HTTP_IF_MATCH=tag).status_code == 200  # fmt: skip
    r = pmo.patch(f"{BASE}/sessions/{sid}/", {"location": "B"}, format="json", HTTP_IF_MATCH=tag)
    assert r.status_code == 412
    assert TrainingSession.objects.get(pk=sid).location == "A"


def test_the_list_filters_and_pages_with_a_constant_query_count(
    world, django_assert_max_num_queries
):
    api = client_for(world["biz1"])

    def make(n):
        for _ in range(n):
            s = SessionFactory(topic=world["topic"], created_by=world["pmo"])
            TrainingAttendance.objects.create(session=s, user=world["biz1"], attended=True)

    make(2)
    with django_assert_max_num_queries(10) as small:
        r = api.get(f"{BASE}/sessions/", {"when": "upcoming", "department": "business"})
    assert r.status_code == 200 and r.json()["count"] == 2
    make(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = api.get(f"{BASE}/sessions/", {"when": "upcoming", "department": "business"})
    assert r.json()["count"] == 10
    assert api.get(f"{BASE}/sessions/", {"department": "finance"}).json()["count"] == 0
    assert api.get(f"{BASE}/sessions/", {"when": "soon"}).status_code == 400
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat().replace("+", "%2B")
    r = api.get(f"{BASE}/sessions/?updated_since={since}&page_size=4")
    assert r.status_code == 200 and "count" not in r.json() and len(r.json()["results"]) == 4
