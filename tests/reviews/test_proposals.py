"""Minutes to action items: the parser reads owners and deadlines (Chinese and English) and
resolves them on the working calendar."""

import datetime

import pytest

from coordination.core import workdays
from coordination.reviews.proposals import propose, read_deadline
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)  # a Monday, a working day


@pytest.fixture
def people():
    return [
        UserFactory(username="zhangsan", first_name="三", last_name="张"),
        UserFactory(username="liwei", first_name="伟", last_name="李"),
        UserFactory(username="wang", first_name="Fang", last_name="Wang"),
    ]


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("周五前完成", datetime.date(2026, 11, 27)),
        ("下周三之前提交", datetime.date(2026, 12, 2)),
        ("12月10日前回复", datetime.date(2026, 12, 10)),
        ("2026-12-15 前", datetime.date(2026, 12, 15)),
        ("3个工作日内完成", datetime.date(2026, 11, 26)),
        ("三个工作日内完成", datetime.date(2026, 11, 26)),
        ("十天内", datetime.date(2026, 12, 3)),
        ("月底前", datetime.date(2026, 11, 30)),
        ("明天", datetime.date(2026, 11, 24)),
        ("by Friday", datetime.date(2026, 11, 27)),
        ("within 2 working days", datetime.date(2026, 11, 25)),
        ("by next Monday", datetime.date(2026, 11, 30)),
        ("本周内", datetime.date(2026, 11, 27)),
        ("后天", datetime.date(2026, 11, 25)),
        ("下周一前", datetime.date(2026, 11, 30)),
        ("2026年12月9日", datetime.date(2026, 12, 9)),
        ("in 5 days", datetime.date(2026, 11, 27)),  # Saturday: the Friday before
        ("by the end of the month", datetime.date(2026, 11, 30)),
        ("tomorrow", datetime.date(2026, 11, 24)),
        ("by 2026-12-04", datetime.date(2026, 12, 4)),
    ],
)
def test_deadlines_relative_to_the_review_date(text, due):
    assert read_deadline(text, MONDAY, workdays.calendar())[0] == due


def test_a_deadline_on_a_holiday_moves_to_the_working_day_before():
    # 2026-10-01 is National Day; the day before (a Wednesday) is a working day
    assert read_deadline("10月1日前", datetime.date(2026, 9, 28), workdays.calendar())[0] == (
        datetime.date(2026, 9, 30)
    )


def test_sentences_with_an_owner_become_proposals(people):
    zhang, li, wang = people
    text = (
        "材料到货延迟两天。由张三负责，周五前完成图纸修订；"
        "李伟跟进客户的新增需求\n"
        "Fang Wang to send the revised schedule by next Monday.\n"
        "现场安全检查通过。"
    )
    found = propose(text, day=MONDAY, people=people, workcal=workdays.calendar())
    assert [(p.owner, p.due_date, p.due_stated) for p in found] == [
        (zhang, datetime.date(2026, 11, 27), True),
        (li, datetime.date(2026, 11, 30), False),  # no deadline: 5 working days
        (wang, datetime.date(2026, 11, 30), True),
    ]
    assert found[0].title == "完成图纸修订"
    assert found[1].title == "客户的新增需求"
    assert found[2].title == "send the revised schedule"
    again = propose(
        text, day=MONDAY, people=people, workcal=workdays.calendar(), skip={found[0].key}
    )
    assert [p.owner for p in again] == [li, wang]


def test_the_chair_confirms_one_proposal_and_discards_another_on_the_review_page():
    from coordination.core.models import AuditEvent
    from coordination.reviews.models import ActionItem
    from tests.factories import ProjectFactory, business_user, engineering_user
    from tests.formpage import login
    from tests.reviews.factories import CadenceFactory, ReviewFactory

    zhang = engineering_user(username="zhang3", first_name="三", last_name="张")
    project = ProjectFactory(
        business_pm=business_user(first_name="伟", last_name="李"), engineering_pm=zhang
    )
    review = ReviewFactory(
        cadence=CadenceFactory(project=project),
        date=MONDAY,
        minutes="由张三负责，周五前完成图纸修订。李伟跟进客户的新增需求。",
    )
    client = login(project.business_pm)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert page.count("data-proposal=") == 2 and "完成图纸修订" in page
    from coordination.reviews.proposal_services import proposals_for

    first, second = proposals_for(review)
    response = client.post(
        f"/reviews/{review.pk}/proposals/",
        {
            "key": first.key,
            "decision": "confirm",
            "title": first.title,
            "owner": zhang.pk,
            "due_date": "2026-11-27",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(review=review)
    assert (item.title, item.owner, item.due_date) == ("完成图纸修订", zhang, first.due_date)
    assert zhang.notifications.filter(kind="action_item.assigned").exists()
    client.post(f"/reviews/{review.pk}/proposals/", {"key": second.key, "decision": "discard"})
    review.refresh_from_db()
    assert review.discarded_proposals == [second.key]
    assert AuditEvent.objects.filter(action="review.proposal_discarded").count() == 1
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "data-proposal=" not in page  # neither comes back
    # twice, or by someone who does not keep the minutes: nothing more happens
    client.post(f"/reviews/{review.pk}/proposals/", {"key": first.key, "decision": "confirm"})
    assert ActionItem.objects.filter(review=review).count() == 1
    outsider = login(business_user())
    assert (
        outsider.post(
            f"/reviews/{review.pk}/proposals/", {"key": first.key, "decision": "confirm"}
        ).status_code
        == 404
    )


def test_the_api_lists_confirms_and_discards(people):
    from coordination.reviews.models import ActionItem
    from tests.conftest import client_for
    from tests.factories import ProjectFactory
    from tests.reviews.factories import CadenceFactory, ReviewFactory

    zhang, li, _wang = people
    project = ProjectFactory(business_pm=li, engineering_pm=zhang)
    review = ReviewFactory(
        cadence=CadenceFactory(project=project),
        date=MONDAY,
        minutes="由张三负责，周五前完成图纸修订。李伟跟进客户的新增需求。",
    )
    api = client_for(li)
    url = f"/api/v1/reviews/{review.pk}/proposals/"
    found = api.get(url).json()
    assert [(p["owner"], p["due_date"]) for p in found] == [
        ("zhangsan", "2026-11-27"),
        ("liwei", "2026-11-30"),
    ]
    bad = api.post(url, {"key": found[0]["key"], "decision": "maybe"}, format="json")
    assert bad.status_code == 400 and not ActionItem.objects.exists()
    made = api.post(url, {"key": found[0]["key"], "decision": "confirm"}, format="json")
    assert made.status_code == 201 and made.json()["owner"] == "zhangsan"
    assert (
        api.post(url, {"key": found[1]["key"], "decision": "discard"}, format="json").status_code
        == 204
    )
    assert api.get(url).json() == []
    again = api.post(url, {"key": found[0]["key"], "decision": "confirm"}, format="json")
    assert again.status_code == 409 and ActionItem.objects.count() == 1
