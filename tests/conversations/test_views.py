"""The thread include (htmx), editing on the page, the @-mention autocomplete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.conversations.models import Comment
from coordination.core.models import Notification
from tests import factories
from tests.changes.factories import cast
from tests.formpage import login
from tests.tasks.factories import task

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def c():
    return cast()


def test_post_on_a_task_page_without_a_reload(c):
    t = task(c.project)
    page = login(c.biz_pm).get(reverse("tasks:detail", args=[t.pk])).content.decode()
    assert f"?target=task:{t.pk}" in page  # the thread include
    client = login(c.biz_pm)
    r = client.post(
        reverse("conversations:thread"),
        {"target": f"task:{t.pk}", "body": f"**注意** @{c.eng_pm.username}"},
        **HX,
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "<strong>注意</strong>" in html and 'class="mention"' in html
    assert 'class="comment-thread"' in html  # htmx swaps the whole thread
    assert Notification.objects.filter(user=c.eng_pm, kind="comment_mention").count() == 1


def test_a_refused_comment_keeps_the_text(c):
    client = login(c.biz_pm)
    long = "很长" * 2600
    r = client.post(
        reverse("conversations:thread"), {"target": f"project:{c.project.code}", "body": long}
    )
    assert r.status_code == 400
    assert long in r.content.decode() and not Comment.objects.exists()


def test_edit_on_the_page_shows_the_history(c):
    client = login(c.biz_pm)
    client.post(
        reverse("conversations:thread"), {"target": f"project:{c.project.code}", "body": "旧"}
    )
    comment = Comment.objects.get()
    r = client.post(reverse("conversations:edit", args=[comment.pk]), {"body": "新"}, **HX)
    html = r.content.decode()
    assert r.status_code == 200 and "修改记录" in html and "旧" in html and "新" in html
    other = login(c.eng_pm).post(reverse("conversations:edit", args=[comment.pk]), {"body": "x"})
    assert other.status_code == 403
    assert Comment.objects.get().body == "新"


def test_mentions_offer_only_members_of_the_project(c):
    c.tech_lead.first_name, c.tech_lead.last_name = "工", "张"
    c.tech_lead.save()
    outsider = factories.engineering_user(username="zhang_out")
    client = login(c.biz_pm)
    url = reverse("conversations:mentions")
    target = f"project:{c.project.code}"
    names = [r["username"] for r in client.get(url, {"target": target}).json()["results"]]
    assert c.tech_lead.username in names and outsider.username not in names
    by_name = client.get(url, {"target": target, "q": "张"}).json()["results"]
    assert [r["username"] for r in by_name] == [c.tech_lead.username]
    prefix = c.tech_lead.username[:4]
    assert c.tech_lead.username in [
        r["username"] for r in client.get(url, {"target": target, "q": prefix}).json()["results"]
    ]
    stranger = login(factories.business_user())
    assert stranger.get(url, {"target": target}).status_code == 404


def test_non_members_see_no_thread_and_no_activity(c):
    stranger = login(factories.business_user())
    thread = reverse("conversations:thread")
    assert stranger.get(thread, {"target": f"project:{c.project.code}"}).status_code == 404
    activity = reverse("conversations:activity", args=[c.project.code])
    assert stranger.get(activity).status_code == 404
    assert login(c.biz_pm).get(activity).status_code == 200


def test_the_project_page_has_the_tab(c):
    html = login(c.biz_pm).get(reverse("projects:detail", args=[c.project.code])).content.decode()
    assert 'id="pane-activity"' in html
    assert reverse("conversations:activity", args=[c.project.code]) in html
