"""The lessons library: retrospective entries promoted to lessons, seen at the next similar
project's kickoff, each able to spawn an improvement action tracked to done."""

import datetime

import pytest

from coordination.core.models import AuditEvent
from coordination.lessons.models import Lesson
from coordination.reviews.models import ActionItem, ReviewKind
from tests.conftest import client_for
from tests.factories import ProjectFactory, business_user, executive_user, pmo_user
from tests.formpage import login
from tests.reviews.factories import CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def retro():
    project = ProjectFactory(is_key_project=True)
    cadence = CadenceFactory(project=project, kind=ReviewKind.MONTHLY_RETROSPECTIVE)
    return ReviewFactory(
        cadence=cadence,
        went_well=[{"text": "每周联合例会让材料问题提前两周暴露", "tag": "engineering"}],
        went_wrong=[
            {"text": "客户的特殊验收标准在签约后才传到工程部", "tag": "business"},
            {"text": "现场人力不足", "tag": "engineering"},
        ],
    )


def _promote(client, review, field, index, **tags):
    prefix = f"{field}-{index}"
    data = {"prefix": prefix, f"{prefix}-field": field, f"{prefix}-index": index}
    data.update({f"{prefix}-{k}": v for k, v in tags.items()})
    return client.post(f"/lessons/reviews/{review.pk}/promote/", data)


def test_two_entries_promoted_show_at_the_next_similar_projects_kickoff(retro):
    pm = retro.project.business_pm
    client = login(pm)
    panel = client.get(f"/lessons/reviews/{retro.pk}/panel/").content.decode()
    assert "客户的特殊验收标准在签约后才传到工程部" in panel
    response = _promote(
        client,
        retro,
        "went_wrong",
        0,
        phase="execution",
        discipline="joint",
        cause="information_asymmetry",
        customer_type="国企",
        title="特殊验收标准要在移交前写清",
    )
    assert response.status_code == 302
    response = _promote(client, retro, "went_well", 0, phase="kickoff", discipline="joint")
    assert response.status_code == 302
    lessons = Lesson.objects.order_by("pk")
    assert [lesson.title for lesson in lessons] == [
        "特殊验收标准要在移交前写清",
        "每周联合例会让材料问题提前两周暴露",
    ]
    assert lessons[0].cause == "information_asymmetry" and lessons[0].project == retro.project
    assert AuditEvent.objects.filter(action="lesson.promoted").count() == 2
    # the panel now links them instead of offering the form again
    panel = client.get(f"/lessons/reviews/{retro.pk}/panel/").content.decode()
    assert panel.count("已整理为经验教训") == 2
    # the next key project of the same customer sees both at its kickoff; an unrelated one not
    similar = ProjectFactory(customer=retro.project.customer, stage="kickoff")
    other = ProjectFactory(contract_value=1, stage="kickoff")
    page = login(similar.business_pm).get(f"/lessons/projects/{similar.code}/panel/")
    text = page.content.decode()
    assert "特殊验收标准要在移交前写清" in text and "每周联合例会" in text
    unrelated = login(other.business_pm).get(f"/lessons/projects/{other.code}/panel/")
    assert "特殊验收标准" not in unrelated.content.decode()
    kickoff = login(similar.business_pm).get(f"/projects/{similar.code}/kickoff/")
    assert f"/lessons/projects/{similar.code}/panel/" in kickoff.content.decode()
    # searchable across projects, by text and by cause
    library = login(business_user()).get(
        "/lessons/", {"q": "验收", "cause": "information_asymmetry"}
    )
    assert "特殊验收标准要在移交前写清" in library.content.decode()
    assert "每周联合例会" not in library.content.decode()


def test_an_entry_is_promoted_once_and_bad_tags_change_nothing(retro):
    client = login(retro.project.business_pm)
    response = _promote(client, retro, "went_wrong", 1, phase="never", discipline="joint")
    assert response.status_code == 400 and not Lesson.objects.exists()
    assert "现场人力不足" in response.content.decode()
    assert (
        _promote(client, retro, "went_wrong", 9, phase="execution", discipline="joint").status_code
        == 400
    )
    assert (
        _promote(
            client, retro, "went_wrong", 1, phase="execution", discipline="engineering"
        ).status_code
        == 302
    )
    again = _promote(client, retro, "went_wrong", 1, phase="execution", discipline="engineering")
    assert again.status_code == 400 and "已整理为经验教训" in again.content.decode()
    assert Lesson.objects.count() == 1
    api = client_for(retro.project.business_pm).post(
        f"/api/v1/reviews/{retro.pk}/lessons/",
        {"field": "went_wrong", "index": 1, "phase": "execution", "discipline": "engineering"},
        format="json",
    )
    assert api.status_code == 409 and Lesson.objects.count() == 1


def test_who_promotes_and_who_edits(retro):
    outsider, executive = business_user(), executive_user()
    assert (
        _promote(
            login(outsider), retro, "went_wrong", 0, phase="execution", discipline="joint"
        ).status_code
        == 404
    )
    body = {"field": "went_wrong", "index": 0, "phase": "execution", "discipline": "joint"}
    assert (
        client_for(executive)
        .post(f"/api/v1/reviews/{retro.pk}/lessons/", body, format="json")
        .status_code
        == 403
    )
    created = client_for(retro.project.engineering_pm).post(
        f"/api/v1/reviews/{retro.pk}/lessons/", body, format="json"
    )
    assert created.status_code == 201, created.content
    lesson_id = created.json()["id"]
    assert created.json()["title"] == "客户的特殊验收标准在签约后才传到工程部"
    edit = {"cause": "process_break"}
    assert (
        client_for(retro.project.business_pm)
        .patch(f"/api/v1/lessons/{lesson_id}/", edit, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(pmo_user())
        .patch(f"/api/v1/lessons/{lesson_id}/", edit, format="json")
        .json()["cause"]
        == "process_break"
    )
    assert (
        client_for(outsider).get(f"/api/v1/lessons/{lesson_id}/").status_code == 200
    )  # company-wide
    listing = client_for(outsider).get("/api/v1/lessons/", {"cause": "process_break"}).json()
    assert [row["id"] for row in listing["results"]] == [lesson_id]
    assert client_for(outsider).get("/api/v1/lessons/", {"cause": "weather"}).status_code == 400


def test_a_lesson_spawns_an_improvement_action_tracked_to_done(retro):
    pm, owner = retro.project.business_pm, retro.project.engineering_pm
    client = login(pm)
    _promote(
        client, retro, "went_wrong", 0, phase="handover", discipline="joint", cause="process_break"
    )
    lesson = Lesson.objects.get()
    response = client.post(
        f"/lessons/{lesson.pk}/actions/",
        {
            "action-title": "移交清单增加特殊验收标准一项",
            "action-owner": owner.pk,
            "action-due_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(lesson=lesson)
    assert item.owner == owner and item.project == retro.project and item.status == "open"
    assert owner.notifications.filter(kind="action_item.assigned").exists()
    # the owner finds it among their action items and marks it done
    mine = login(owner).get("/reviews/my-action-items/").content.decode()
    assert "移交清单增加特殊验收标准一项" in mine
    assert (
        login(owner)
        .post(f"/reviews/action-items/{item.pk}/status/", {"status": "done"})
        .status_code
        == 302
    )
    item.refresh_from_db()
    assert item.status == "done" and item.done_at is not None
    page = client.get(f"/lessons/{lesson.pk}/").content.decode()
    assert "已完成" in page
    # a bad action changes nothing
    bad = client.post(
        f"/lessons/{lesson.pk}/actions/",
        {"action-title": "", "action-owner": owner.pk, "action-due_date": "x"},
    )
    assert bad.status_code == 400 and ActionItem.objects.filter(lesson=lesson).count() == 1
    assert (
        login(business_user())
        .post(
            f"/lessons/{lesson.pk}/actions/",
            {"action-title": "x", "action-owner": owner.pk, "action-due_date": "2026-12-31"},
        )
        .status_code
        == 403
    )


def test_library_queries_stay_constant(retro, django_assert_max_num_queries):
    client = login(pmo_user())
    author = retro.project.business_pm

    def add(n):
        for i in range(n):
            lesson = Lesson.objects.create(
                title=f"教训{i}{Lesson.objects.count()}",
                text="t",
                kind="went_wrong",
                phase="execution",
                discipline="joint",
                promoted_by=author,
                project=retro.project,
            )
            ActionItem.objects.create(
                lesson=lesson, title="a", owner=author, due_date=datetime.date(2026, 12, 1)
            )

    add(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/lessons/").status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/lessons/").status_code == 200


def test_pmo_runs_the_joint_retrospective_and_its_lessons_reach_the_next_kickoff():
    """The issue's flow in the browser alone: PMO sets up the monthly business-engineering
    retrospective with participants of both departments, keeps its minutes, promotes two
    entries, and the next project's kickoff shows both."""
    from coordination.reviews.models import Review
    from coordination.reviews.services import local_today
    from tests.factories import engineering_user

    pmo = pmo_user()
    sales, builder = business_user(), engineering_user()
    client = login(pmo)
    response = client.post(
        "/reviews/cadences/",
        {
            "kind": "monthly_retrospective",
            "title": "月度联合复盘",
            "time_of_day": "14:00",
            "duration_minutes": "90",
            "day_of_month": str(local_today().day),
            "timezone": "Asia/Shanghai",
            "departments": ["business", "engineering"],
            "participants": [sales.pk, builder.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(cadence__title="月度联合复盘", date=local_today())
    response = client.post(
        f"/reviews/{review.pk}/",
        {
            "status": "held",
            "minutes": "两部门联合复盘",
            "decisions": "",
            "went_wrong_business": "报价前没有请工程确认工期",
            "went_wrong_engineering": "现场变更没有及时告知业务",
            f"attended_{sales.pk}": "on",
            f"attended_{builder.pk}": "on",
            "edit_version": str(review.edit_version),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    review.refresh_from_db()
    assert len(review.went_wrong) == 2
    assert set(review.attendance.filter(attended=True).values_list("user_id", flat=True)) == {
        sales.pk,
        builder.pk,
    }
    assert "lessons/reviews" in client.get(f"/reviews/{review.pk}/").content.decode()
    for index, cause in enumerate(["goal_conflict", "information_asymmetry"]):
        assert (
            _promote(
                client,
                review,
                "went_wrong",
                index,
                phase="presales",
                discipline="joint",
                cause=cause,
            ).status_code
            == 302
        )
    follower = ProjectFactory(stage="kickoff")
    panel = login(follower.business_pm).get(f"/lessons/projects/{follower.code}/panel/")
    text = panel.content.decode()
    assert "报价前没有请工程确认工期" in text and "现场变更没有及时告知业务" in text
