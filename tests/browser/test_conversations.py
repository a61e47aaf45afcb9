"""A colleague comments on a task with an @mention picked from the autocomplete; a script
payload in a comment renders inert (no dialog, no injected element)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination.conversations.models import Comment
from coordination.core.models import Notification
from tests.changes.factories import cast
from tests.tasks.factories import task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = (
    "<script>window.__xss = 1</script> "
    '<img src=x onerror="window.__xss = 2"> '
    "[click](javascript:window.__xss=3) [d](data:text/html,<script>window.__xss=4</script>)"
)


def test_mention_from_the_autocomplete_and_a_payload_renders_inert(live_server, page, login, shot):
    c = cast()
    c.tech_lead.first_name, c.tech_lead.last_name = "磊", "吴"
    c.tech_lead.save()
    t = task(c.project, title="设备基础施工")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/tasks/{t.pk}/")
    box = page.locator(".comment-form textarea")
    expect(box).to_be_visible()
    box.click()
    box.press_sequentially("请确认尺寸 @吴")  # by name
    option = page.locator(".mention-suggestions li", has_text=c.tech_lead.username)
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(f"请确认尺寸 @{c.tech_lead.username} ")
    page.get_by_role("button", name="发表评论").click()
    expect(page.locator(".comment-body .mention")).to_have_text(f"@{c.tech_lead.username}")
    assert page.url.endswith(f"/tasks/{t.pk}/")  # no reload, no navigation
    assert Notification.objects.filter(user=c.tech_lead, kind="comment_mention").count() == 1

    page.locator(".comment-form textarea").fill(PAYLOADS)
    page.get_by_role("button", name="发表评论").click()
    expect(page.locator(".comment-list > li")).to_have_count(2)
    body = page.locator(".comment-list > li").nth(1).locator(".comment-body")
    expect(body).to_contain_text("<script>window.__xss = 1</script>")
    assert body.locator("script, img, iframe").count() == 0
    for link in body.locator("a").all():
        assert link.get_attribute("href").startswith(("http:", "https:", "mailto:"))
    page.reload()
    expect(page.locator(".comment-list > li")).to_have_count(2)
    assert page.evaluate("window.__xss") is None and not dialogs
    shot(page, "thread")
    assert Comment.objects.count() == 2
