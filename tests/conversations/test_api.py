"""The comments API per API.md: thread, post, mentions, edit window, visibility, errors."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordination.conversations.models import Comment
from coordination.core.models import AuditEvent, Notification
from tests import factories
from tests.api.helpers import client_for
from tests.changes.factories import ChangeRequestFactory, cast
from tests.security.world import build_world
from tests.tasks.factories import task

pytestmark = pytest.mark.django_db
URL = "/api/v1/comments/"


@pytest.fixture
def c():
    return cast()


def test_post_and_read_a_thread_with_a_mention(c):
    api = client_for(c.biz_pm)
    t = task(c.project)
    body = f"@{c.tech_lead.username} 请确认 **基础** 尺寸,见 [图纸](https://example.com/d.pdf)"
    r = api.post(URL, {"target": f"task:{t.pk}", "body": body}, format="json")
    assert r.status_code == 201, r.json()
    got = r.json()
    assert got["target"] == f"task:{t.pk}" and got["author"] == c.biz_pm.username
    assert got["mentioned"] == [c.tech_lead.username]
    assert "<strong>基础</strong>" in got["html"]
    assert (
        'href="https://example.com/d.pdf"' in got["html"]
        and 'rel="noopener nofollow"' in got["html"]
    )
    assert set(got) == {
        "id", "target", "author", "body", "html", "mentioned", "created_at", "edited_at",
        "editable_until", "revisions",
    }  # fmt: skip
    # the mentioned member is notified (and only them: not the author)
    notes = Notification.objects.filter(kind="comment_mention")
    assert [n.user for n in notes] == [c.tech_lead]
    assert notes[0].url.endswith(f"/tasks/{t.pk}/#comment-{got['id']}")
    assert AuditEvent.objects.filter(action="comment.posted", project_code=c.project.code).exists()
    listing = api.get(URL, {"target": f"task:{t.pk}"}).json()
    assert listing["count"] == 1 and listing["results"][0] == got


def test_project_target_by_code_and_outsiders_are_not_notified(c):
    outsider = factories.engineering_user()
    api = client_for(c.eng_pm)
    r = api.post(
        URL,
        {
            "target": f"project:{c.project.code}",
            "body": f"@{outsider.username} @{c.biz_pm.username}",
        },
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["mentioned"] == [c.biz_pm.username]
    assert not Notification.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "target", ["", "task", "task:", "nothing:1", "task:abc", "task:-1", "project:" + "x" * 50]
)
def test_a_bad_target_is_400_naming_target_and_changes_nothing(c, target):
    api = client_for(c.biz_pm)
    r = api.post(URL, {"target": target, "body": "hi"}, format="json")
    assert r.status_code == 400 and "target" in r.json(), r.json()
    r = api.get(URL, {"target": target})
    assert r.status_code == 400 and "target" in r.json()
    assert not Comment.objects.exists()


def test_an_empty_body_is_400(c):
    r = client_for(c.biz_pm).post(
        URL, {"target": f"project:{c.project.code}", "body": "   "}, format="json"
    )
    assert r.status_code == 400 and "body" in r.json()


def test_a_target_outside_visibility_is_404(c):
    stranger = factories.business_user()
    api = client_for(stranger)
    cr = ChangeRequestFactory(project=c.project)
    t = task(c.project)
    for target in [f"project:{c.project.code}", f"task:{t.pk}", f"change_request:{cr.pk}",
                   "task:999999", "project:PRJ-NONE"]:  # fmt: skip
        assert api.get(URL, {"target": target}).status_code == 404, target
        assert api.post(URL, {"target": target, "body": "x"}, format="json").status_code == 404
    mine = (
        client_for(c.biz_pm)
        .post(URL, {"target": f"task:{t.pk}", "body": "x"}, format="json")
        .json()
    )
    assert api.get(f"{URL}{mine['id']}/").status_code == 404
    assert api.patch(f"{URL}{mine['id']}/", {"body": "y"}, format="json").status_code == 404
    assert Comment.objects.count() == 1


def test_every_kind_of_target_and_a_non_member_gets_404():
    """project, task, change request, handover item, feasibility, commitment, review."""
    world = build_world()
    o = world.objs
    targets = [
        f"project:{world.project.code}",
        f"task:{o['task'].pk}",
        f"change_request:{o['cr'].pk}",
        f"handover_item:{o['handover_item'].pk}",
        f"feasibility:{o['feasibility'].pk}",
        f"commitment:{o['commitment'].pk}",
        f"review:{o['review'].pk}",
    ]
    api = client_for(world.users["biz_pm"])
    outsider = client_for(world.users["non_member"])
    before = Comment.objects.count()
    for target in targets:
        r = api.post(URL, {"target": target, "body": "ok"}, format="json")
        assert r.status_code == 201, (target, r.json())
        assert api.get(URL, {"target": target}).json()["count"] >= 1
        assert outsider.get(URL, {"target": target}).status_code == 404, target
        assert outsider.post(URL, {"target": target, "body": "x"}, format="json").status_code == 404
    assert Comment.objects.count() == before + len(targets)


def test_edit_within_the_window_keeps_the_history(c, settings):
    api = client_for(c.biz_pm)
    target = f"project:{c.project.code}"
    got = api.post(URL, {"target": target, "body": "第一版"}, format="json").json()
    r = api.patch(f"{URL}{got['id']}/", {"body": f"第二版 @{c.eng_pm.username}"}, format="json")
    assert r.status_code == 200, r.json()
    edited = r.json()
    assert edited["body"].startswith("第二版") and edited["edited_at"]
    assert [(v["body"], v["edited_by"]) for v in edited["revisions"]] == [
        ("第一版", c.biz_pm.username)
    ]
    assert Notification.objects.filter(user=c.eng_pm, kind="comment_mention").count() == 1
    # someone else may not edit it
    other = client_for(c.eng_pm).patch(f"{URL}{got['id']}/", {"body": "x"}, format="json")
    assert other.status_code == 403
    # after the window: 409, nothing changes
    Comment.objects.filter(pk=got["id"]).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES + 1)
    )
    late = api.patch(f"{URL}{got['id']}/", {"body": "第三版"}, format="json")
    assert late.status_code == 409 and "detail" in late.json()
    assert Comment.objects.get(pk=got["id"]).body.startswith("第二版")


def test_a_read_only_role_cannot_post(c):
    boss = factories.executive_user()
    r = client_for(boss).post(
        URL, {"target": f"project:{c.project.code}", "body": "x"}, format="json"
    )
    assert r.status_code == 403 and not Comment.objects.exists()


def test_the_thread_reads_in_constant_queries(c):
    api = client_for(c.biz_pm)
    target = f"project:{c.project.code}"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL, {"target": target}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        api.post(URL, {"target": target, "body": f"@{c.eng_pm.username} a"}, format="json")
    small = count()
    for _ in range(8):
        api.post(URL, {"target": target, "body": f"@{c.tech_lead.username} b"}, format="json")
    api.patch(f"{URL}{Comment.objects.last().pk}/", {"body": "c"}, format="json")
    assert count() == small
