"""No lost edits on review minutes (issue #18 item 5): two people editing the same review
never silently replace each other's text, and a refused form keeps what was typed."""

import pytest

from coordination.core.models import AuditEvent
from coordination.reviews.models import ActionItem, Review
from tests.api.helpers import client_for
from tests.factories import ProjectFactory, executive_user
from tests.formpage import login, read_form
from tests.reviews.factories import CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    return ReviewFactory(cadence=CadenceFactory(project=ProjectFactory()))


def test_the_second_saver_sees_both_texts_and_the_first_text_is_kept(review):
    first = login(review.project.business_pm)
    second = login(review.project.engineering_pm)
    url = f"/reviews/{review.pk}/"
    # both open the review before either saves
    first_form = read_form(first.get(url), having="minutes")
    second_form = read_form(second.get(url), having="minutes")

    first_form.update(minutes="钢结构按期进场", decisions="周五前完成吊装方案")
    assert first.post(url, first_form).status_code == 302

    second_form.update(minutes="设备基础延迟两天", decisions="催促土建")
    page = second.post(url, second_form)

    assert page.status_code == 409
    html = page.content.decode()
    assert "保存冲突" in html
    # the first saver's text is what is saved
    review.refresh_from_db()
    assert (review.minutes, review.decisions) == ("钢结构按期进场", "周五前完成吊装方案")
    # side by side: the second saver's text and the saved one
    conflict = page.context["conflict"]
    rows = {row["name"]: row for row in conflict["rows"]}
    assert rows["minutes"]["yours"] == "设备基础延迟两天"
    assert rows["minutes"]["saved"] == "钢结构按期进场"
    assert rows["decisions"]["yours"] == "催促土建"
    assert conflict["by"] == review.project.business_pm.get_username()
    # nothing typed is lost: the form still holds the second saver's text
    kept = read_form(page, having="minutes")
    assert (kept["minutes"], kept["decisions"]) == ("设备基础延迟两天", "催促土建")


def test_saving_again_after_the_conflict_is_a_deliberate_overwrite(review):
    first = login(review.project.business_pm)
    second = login(review.project.engineering_pm)
    url = f"/reviews/{review.pk}/"
    second_form = read_form(second.get(url), having="minutes")
    first.post(url, {**read_form(first.get(url), having="minutes"), "minutes": "第一版"})

    page = second.post(url, {**second_form, "minutes": "第二版"})
    assert page.status_code == 409
    merged = {**read_form(page, having="minutes"), "minutes": "第一版\n第二版"}
    assert second.post(url, merged).status_code == 302

    review.refresh_from_db()
    assert review.minutes == "第一版\n第二版"


def test_a_post_without_a_version_is_accepted_as_before(review):
    client = login(review.project.business_pm)
    response = client.post(f"/reviews/{review.pk}/", {"status": "held", "minutes": "旧客户端"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.minutes == "旧客户端"


def test_the_attendance_ticked_is_kept_and_compared_on_a_conflict(review):
    pm = review.project.business_pm
    first, second = login(pm), login(review.project.engineering_pm)
    url = f"/reviews/{review.pk}/"
    second_form = read_form(second.get(url), having="minutes")
    first.post(url, read_form(first.get(url), having="minutes"))  # nobody ticked

    page = second.post(url, {**second_form, f"attended_{pm.pk}": "on"})

    assert page.status_code == 409
    assert read_form(page, having="minutes")[f"attended_{pm.pk}"] == "on"
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["attendance"]["yours"] == pm.get_username()
    assert rows["attendance"]["saved"] == "—"


def test_the_action_item_form_keeps_the_title_on_a_bad_date(review):
    client = login(review.project.business_pm)
    page = client.post(
        f"/reviews/{review.pk}/action-items/",
        {
            "title": "补充设备基础图纸",
            "owner": review.project.engineering_pm.pk,
            "due_date": "明天",
        },
    )
    assert page.status_code == 200
    assert not ActionItem.objects.exists()
    kept = read_form(page, having="title")
    assert kept["title"] == "补充设备基础图纸"
    assert kept["owner"] == str(review.project.engineering_pm.pk)
    assert "请检查待办事项的填写。" in page.content.decode()
    assert page.context["item_form"].errors["due_date"]


def test_only_those_who_keep_the_minutes_may_add_action_items(review):
    watcher = executive_user()  # sees every review, keeps none
    item = {"title": "补图", "owner": review.project.engineering_pm.pk, "due_date": "2026-12-01"}
    assert login(watcher).post(f"/reviews/{review.pk}/action-items/", item).status_code == 403
    assert not ActionItem.objects.exists()


# ---------------------------------------------------------------- API: ETag and If-Match


def test_the_api_answers_412_to_a_stale_if_match_and_changes_nothing(review):
    api = client_for(review.project.business_pm)
    url = f"/api/v1/reviews/{review.pk}/"
    etag = api.get(url)["ETag"]
    assert etag == '"v1"'
    api.patch(url, {"minutes": "别人先保存的"}, format="json", HTTP_IF_MATCH=etag)
    events = AuditEvent.objects.count()

    stale = api.patch(url, {"minutes": "我的纪要"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert stale.json() == {"detail": "这条记录在你读取之后已被别人修改，本次保存未生效。"}
    assert stale["ETag"] == '"v2"'  # the current one, to read again
    review.refresh_from_db()
    assert (review.minutes, review.edit_version) == ("别人先保存的", 2)
    assert AuditEvent.objects.count() == events


def test_a_fresh_if_match_saves_and_answers_the_new_etag(review):
    api = client_for(review.project.business_pm)
    url = f"/api/v1/reviews/{review.pk}/"
    etag = api.get(url)["ETag"]

    saved = api.patch(url, {"minutes": "按期"}, format="json", HTTP_IF_MATCH=etag)

    assert saved.status_code == 200
    assert saved.json()["minutes"] == "按期"
    assert saved["ETag"] == '"v2"' == api.get(url)["ETag"]


@pytest.mark.parametrize("header", ['W/"v1"', "v1", '"x1"', '"v99999999999"', "\x7f"])
def test_an_if_match_that_names_no_version_of_ours_matches_nothing(review, header):
    api = client_for(review.project.business_pm)
    response = api.patch(
        f"/api/v1/reviews/{review.pk}/", {"minutes": "?"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert Review.objects.get(pk=review.pk).minutes == ""


def test_without_if_match_or_with_a_star_a_write_is_accepted(review):
    api = client_for(review.project.business_pm)
    url = f"/api/v1/reviews/{review.pk}/"
    assert api.patch(url, {"minutes": "a"}, format="json").status_code == 200
    assert api.patch(url, {"minutes": "b"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    listed = api.patch(url, {"minutes": "c"}, format="json", HTTP_IF_MATCH='"v1", "v3"')
    assert listed.status_code == 200  # one of the listed tags is current
    assert Review.objects.get(pk=review.pk).minutes == "c"


def test_the_conflict_page_speaks_english_too(review):
    first = login(review.project.business_pm)
    second = login(review.project.engineering_pm)
    second.cookies["django_language"] = "en"
    url = f"/reviews/{review.pk}/"
    second_form = read_form(second.get(url), having="minutes")
    first.post(url, {**read_form(first.get(url), having="minutes"), "minutes": "甲"})

    html = second.post(url, {**second_form, "minutes": "B"}).content.decode()

    assert "Edit conflict: someone else saved this record while you were editing it." in html
    assert "Yours (not saved)" in html and "保存冲突" not in html
