"""No lost edits on change requests: the draft edit shows a stale second saver both texts,
the moves refuse a stale page or If-Match, and a refused form keeps what was typed."""

import pytest

from projects.changes.models import ChangeRequest
from tests.api.helpers import client_for
from tests.changes import factories as f
from tests.formpage import login, read_form

pytestmark = pytest.mark.django_db
S = ChangeRequest.Status


@pytest.fixture
def c():
    return f.cast()


def test_the_second_editor_of_a_draft_sees_both_texts_and_keeps_theirs(c):
    cr = f.draft(c)
    url = f"/changes/{cr.pk}/edit/"
    first, second = login(c.biz_pm), login(c.eng_pm)
    first_form = read_form(first.get(url), having="title")
    second_form = read_form(second.get(url), having="title")
    assert first.post(url, {**first_form, "scope_impact": "增加一条输送线"}).status_code == 302

    page = second.post(url, {**second_form, "scope_impact": "仅调整控制柜位置"})

    assert page.status_code == 409
    cr.refresh_from_db()
    assert cr.scope_impact == "增加一条输送线"
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert (rows["scope_impact"]["yours"], rows["scope_impact"]["saved"]) == (
        "仅调整控制柜位置",
        "增加一条输送线",
    )
    assert read_form(page, having="title")["scope_impact"] == "仅调整控制柜位置"


def test_a_draft_submitted_meanwhile_keeps_the_editors_input_on_the_form(c):
    cr = f.draft(c)
    url = f"/changes/{cr.pk}/edit/"
    editor = login(c.biz_pm)
    form = read_form(editor.get(url), having="title")
    ChangeRequest.objects.filter(pk=cr.pk).update(status=S.SUBMITTED)  # moved on meanwhile

    page = editor.post(url, {**form, "description": "我写了很长的说明"})

    assert page.status_code == 200
    assert read_form(page, having="title")["description"] == "我写了很长的说明"
    assert "不能执行此操作" in page.content.decode()


def test_submitting_from_a_stale_page_is_refused(c):
    cr = f.draft(c)
    requester = login(c.biz_pm)
    page = requester.get(f"/changes/{cr.pk}/")
    submit = read_form(page, having="edit_version")
    editor = login(c.eng_pm)
    edit = f"/changes/{cr.pk}/edit/"
    editor.post(edit, {**read_form(editor.get(edit), having="title"), "cost_impact": "990000"})

    refused = requester.post(f"/changes/{cr.pk}/submit/", submit)

    assert refused.status_code == 409
    assert ChangeRequest.objects.get(pk=cr.pk).status == S.DRAFT
    assert "已被修改" in refused.content.decode()
    # the page shown is the request as it is now: submitting from it works
    again = read_form(refused, having="edit_version")
    assert requester.post(f"/changes/{cr.pk}/submit/", again).status_code == 302
    assert ChangeRequest.objects.get(pk=cr.pk).status == S.SUBMITTED


def test_a_refused_decision_keeps_the_comment(c):
    cr = f.assessed(c)
    approver = login(c.biz_lead)  # the requester (biz_pm) does not decide for business
    form = read_form(approver.get(f"/changes/{cr.pk}/"), having="comment")
    f.ChangeDecisionFactory(change_request=cr, department="business", decided_by=c.biz_lead)

    page = approver.post(f"/changes/{cr.pk}/reject/", {**form, "comment": "预算超出太多"})

    assert page.status_code == 409
    assert page.context["decision_form"]["comment"].value() == "预算超出太多"


def test_the_api_answers_412_to_a_stale_if_match_on_edit_and_on_moves(c):
    cr = f.draft(c)
    api = client_for(c.biz_pm)
    url = f"/api/v1/change-requests/{cr.pk}/"
    etag = api.get(url)["ETag"]
    fresh = api.patch(url, {"title": "新标题"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag

    assert api.patch(url, {"title": "旧页面"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert api.post(f"{url}submit/", format="json", HTTP_IF_MATCH=etag).status_code == 412
    cr.refresh_from_db()
    assert (cr.title, cr.status) == ("新标题", S.DRAFT)

    submitted = api.post(f"{url}submit/", format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == S.SUBMITTED
