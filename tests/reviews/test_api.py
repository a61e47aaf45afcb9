"""API of the review loop: statuses and permissions per kind of user (Taiga style)."""

import datetime

import pytest

from coordination.core.models import AuditEvent
from coordination.reviews.models import ActionItem, Reminder, ReviewCadence
from coordination.rotations.models import JobRotation
from tests.conftest import client_for
from tests.factories import (
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    business_user,
    engineering_user,
    executive_user,
    pmo_user,
)
from tests.reviews.factories import (
    ActionItemFactory,
    CadenceFactory,
    ReviewFactory,
    overdue_reminder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    project = ProjectFactory()
    member = engineering_user()
    MembershipFactory(project=project, user=member, role="member")
    review = ReviewFactory(cadence=CadenceFactory(project=project))
    return {
        "project": project,
        "review": review,
        "anonymous": None,
        "outsider": business_user(),
        "other_department": engineering_user(),
        "member": member,
        "pm": project.business_pm,
        "pmo": pmo_user(),
        "executive": executive_user(),
    }


def statuses(world, users, method, url, data=None):
    out = []
    for name in users:
        client = client_for(world[name])
        response = getattr(client, method)(url, data, format="json")
        out.append(response.status_code)
    return out


def test_review_detail_visibility(world):
    url = f"/api/v1/reviews/{world['review'].pk}/"
    users = ["anonymous", "outsider", "other_department", "member", "pm", "pmo", "executive"]
    assert statuses(world, users, "get", url) == [401, 404, 404, 200, 200, 200, 200]


def test_review_patch_permissions(world):
    url = f"/api/v1/reviews/{world['review'].pk}/"
    users = ["anonymous", "outsider", "member", "pm", "pmo"]
    assert statuses(world, users, "patch", url, {"minutes": "进度正常"}) == [
        401,
        404,
        403,
        200,
        200,
    ]


def test_review_patch_records_minutes_attendance_and_retro(world):
    review, pm = world["review"], world["pm"]
    body = {
        "minutes": "讨论了材料到货",
        "decisions": "周五前确认图纸",
        "attendance": [
            {"user": pm.username, "attended": True},
            {"user": world["project"].engineering_pm.username, "attended": False},
        ],
        "went_well": [{"text": "移交清单完整", "tag": "business"}],
        "went_wrong": [{"text": "图纸延迟", "tag": "engineering"}],
        "improvements": [{"text": "提前两周冻结需求", "tag": "business"}],
    }
    response = client_for(pm).patch(f"/api/v1/reviews/{review.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["minutes"] == "讨论了材料到货"
    assert data["status"] == "held"
    assert {a["user"]: a["attended"] for a in data["attendance"]} == {
        pm.username: True,
        world["project"].engineering_pm.username: False,
    }
    assert data["went_wrong"] == [{"text": "图纸延迟", "tag": "engineering"}]
    assert AuditEvent.objects.filter(action="review.updated", target_id=str(review.pk)).exists()


def test_review_patch_bad_input_is_400_and_changes_nothing(world):
    review = world["review"]
    client = client_for(world["pm"])
    url = f"/api/v1/reviews/{review.pk}/"
    bad_tag = {"minutes": "x", "went_well": [{"text": "a", "tag": "finance"}]}
    assert client.patch(url, bad_tag, format="json").status_code == 400
    assert client.patch(url, {"attendance": [{"user": "nobody"}]}, format="json").status_code == 400
    assert client.patch(url, {"status": "nope"}, format="json").status_code == 400
    review.refresh_from_db()
    assert review.minutes == "" and review.went_well == []


def test_review_list_filters_and_visibility(world):
    other = ReviewFactory()  # another project
    pm = world["pm"]
    client = client_for(pm)
    ids = [r["id"] for r in client.get("/api/v1/reviews/").json()["results"]]
    assert ids == [world["review"].pk]
    pmo = client_for(world["pmo"])
    assert pmo.get("/api/v1/reviews/").json()["count"] == 2
    code = world["project"].code
    assert pmo.get(f"/api/v1/reviews/?project={code}").json()["count"] == 1
    assert pmo.get("/api/v1/reviews/?kind=weekly_meeting").json()["count"] == 0
    assert pmo.get("/api/v1/reviews/?date_from=2026-11-26").json()["count"] == 0
    assert pmo.get("/api/v1/reviews/?date_to=2026-11-25").json()["count"] == 2
    assert pmo.get("/api/v1/reviews/?updated_since=2999-01-01T00:00:00Z").json()["results"] == []
    assert pmo.get("/api/v1/reviews/?date_from=garbage").status_code == 400
    assert pmo.get("/api/v1/reviews/?kind=garbage").status_code == 400
    assert pmo.get("/api/v1/reviews/?search=No-Such-Text").json()["count"] == 0
    assert pmo.get(f"/api/v1/reviews/?search={code}").json()["count"] == 1
    assert other.pk in [r["id"] for r in pmo.get("/api/v1/reviews/").json()["results"]]


def test_review_list_query_count_is_constant(world, django_assert_max_num_queries):
    client = client_for(world["pmo"])
    client.get("/api/v1/reviews/")  # warm caches (groups)
    with django_assert_max_num_queries(8) as small:
        client.get("/api/v1/reviews/")
    for _ in range(10):
        ActionItemFactory(review=ReviewFactory(cadence=CadenceFactory()))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/reviews/")
    assert response.json()["count"] == 11


def test_cadences_get_and_post(world):
    code = world["project"].code
    url = f"/api/v1/projects/{code}/cadences/"
    body = {"kind": "weekly_meeting", "weekday": 0, "time_of_day": "10:00:00"}
    users = ["anonymous", "outsider", "member", "pm", "pmo"]
    assert statuses(world, users, "post", url, body) == [401, 404, 403, 201, 201]
    assert statuses(world, users, "get", url) == [401, 404, 200, 200, 200]
    cadence = ReviewCadence.objects.filter(kind="weekly_meeting").first()
    project = world["project"]
    assert {u.username for u in cadence.participants.all()} == {
        project.business_pm.username,
        project.engineering_pm.username,
    }
    assert cadence.reviews.exists()
    bad = client_for(world["pmo"]).post(url, {"kind": "weekly_meeting"}, format="json")
    assert bad.status_code == 400 and "weekday" in bad.json()


def test_action_items_create_list_and_patch(world):
    review, pm, member = world["review"], world["pm"], world["member"]
    url = f"/api/v1/reviews/{review.pk}/action-items/"
    body = {"title": "确认图纸", "owner": member.username, "due_date": "2026-11-27"}
    users = ["anonymous", "outsider", "member", "pm"]
    assert statuses(world, users, "post", url, body) == [401, 404, 403, 201]
    item = ActionItem.objects.get()
    assert item.project == world["project"]
    assert client_for(member).get(url).json()[0]["owner"] == member.username

    mine = client_for(member).get("/api/v1/action-items/?mine=1").json()
    assert [i["id"] for i in mine["results"]] == [item.pk]
    overdue = client_for(member).get("/api/v1/action-items/?mine=1&overdue=1").json()
    assert overdue["count"] == (1 if datetime.date.today() > item.due_date else 0)
    assert client_for(pm).get("/api/v1/action-items/?mine=1").json()["count"] == 0

    detail = f"/api/v1/action-items/{item.pk}/"
    assert statuses(world, ["outsider", "other_department"], "patch", detail, {}) == [404, 404]
    done = client_for(member).patch(detail, {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["done_at"]
    reopened = client_for(pm).patch(detail, {"status": "open"}, format="json")
    assert reopened.json()["done_at"] is None
    assert client_for(pm).patch(detail, {"status": "bad"}, format="json").status_code == 400
    assert client_for(pm).patch(detail, {"owner": "ghost"}, format="json").status_code == 400


def test_overdue_filter(world):
    owner = world["member"]
    ActionItemFactory(review=world["review"], owner=owner, due_date=datetime.date(2020, 1, 1))
    ActionItemFactory(review=world["review"], owner=owner, due_date=datetime.date(2999, 1, 1))
    client = client_for(owner)
    assert client.get("/api/v1/action-items/?mine=1").json()["count"] == 2
    assert client.get("/api/v1/action-items/?mine=1&overdue=1").json()["count"] == 1


def test_reminders_mine(world):
    pm, other = world["pm"], world["member"]
    for user in (pm, other):
        Reminder.objects.create(
            target_key=f"review:{world['review'].pk}",
            review=world["review"],
            recipient=user,
            channel="inapp",
            kind="review_upcoming",
            subject="提醒",
            due_at="2026-11-25T00:30:00Z",
        )
    data = client_for(pm).get("/api/v1/reminders/?mine=1").json()
    assert [r["recipient"] for r in data["results"]] == [pm.username]
    assert client_for(pm).get("/api/v1/reminders/?mine=0").json()["count"] == 1
    assert client_for(world["pmo"]).get("/api/v1/reminders/?mine=0").json()["count"] == 2
    assert client_for(None).get("/api/v1/reminders/").status_code == 401


def test_job_rotations(world):
    member, pmo = world["member"], world["pmo"]
    url = "/api/v1/job-rotations/"
    body = {
        "to_project": world["project"].code,
        "start_date": "2026-10-01",
        "end_date": "2026-10-31",
        "reflection": "体会到现场交付的难度",
    }
    response = client_for(member).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["user"] == member.username
    assert response.json()["from_department"] == "engineering"
    # someone else's record: only PMO
    other = {**body, "user": world["outsider"].username}
    assert client_for(member).post(url, other, format="json").status_code == 403
    assert client_for(pmo).post(url, other, format="json").status_code == 201
    bad = {"start_date": "2026-10-01", "end_date": "2026-09-01", "to_site": "苏州现场"}
    assert client_for(member).post(url, bad, format="json").status_code == 400
    assert (
        client_for(member).post(url, {"start_date": "2026-10-01"}, format="json").status_code == 400
    )
    assert JobRotation.objects.count() == 2
    assert client_for(world["outsider"]).get(url).json()["count"] == 1  # their own
    assert client_for(pmo).get(url).json()["count"] == 2
    assert client_for(None).get(url).status_code == 401


def test_company_wide_review_visible_to_participants_only():
    participant, stranger = UserFactory(), UserFactory()
    cadence = CadenceFactory(project=None, participants=[participant])
    review = ReviewFactory(cadence=cadence, project=None)
    url = f"/api/v1/reviews/{review.pk}/"
    assert client_for(participant).get(url).status_code == 200
    assert client_for(stranger).get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-13-45",
        "date_to=yesterday",
        "updated_since=2026-02-30T00:00:00Z",
        "updated_since=garbage",
        "kind=x",
    ],
)
def test_malformed_filters_are_400_not_500(world, query):
    assert client_for(world["pmo"]).get(f"/api/v1/reviews/?{query}").status_code == 400


def test_malformed_bodies_are_400(world):
    pm = client_for(world["pm"])
    review = world["review"]
    assert pm.patch(f"/api/v1/reviews/{review.pk}/", [1, 2], format="json").status_code == 400
    assert (
        pm.patch(f"/api/v1/reviews/{review.pk}/", {"minutes": "a\x00b"}, format="json").status_code
        == 400
    )
    url = f"/api/v1/projects/{world['project'].code}/cadences/"
    body = {"kind": "daily_standup", "timezone": "Mars/Olympus"}
    assert pm.post(url, body, format="json").status_code == 400
    assert (
        pm.post(url, {"kind": "daily_standup", "duration_minutes": 0}, format="json").status_code
        == 400
    )
    assert pm.get("/api/v1/reviews/99999999999999999999/").status_code == 404


def test_action_item_and_reminder_lists_query_count_is_constant(
    world, django_assert_max_num_queries
):
    client = client_for(world["pmo"])
    client.get("/api/v1/action-items/")
    first = ActionItemFactory(review=world["review"])
    overdue_reminder(first)
    with django_assert_max_num_queries(8) as small:
        client.get("/api/v1/action-items/")
        client.get("/api/v1/reminders/?mine=0")
    for _ in range(10):
        item = ActionItemFactory(review=ReviewFactory(cadence=CadenceFactory()))
        overdue_reminder(item)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/action-items/").json()["count"] == 11
        assert client.get("/api/v1/reminders/?mine=0").json()["count"] == 11
