"""Everyone on the same data in real time: a manager sits on the home page; another user's
action elsewhere (through the service, as a page or the API would) waits for the manager's
decision and tells them so; within the poll interval the navigation's badge and the home
page's counters change, without a reload, inside live regions that stay in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination.core.models import Notification
from projects.changes import services as changes
from tests.changes import factories as cr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_and_counters_follow_another_users_action_without_a_reload(
    live_server, page, login, settings, shot
):
    settings.LIVE_POLL_SECONDS = 1
    c = cr.cast()
    request = cr.submitted(c, title="增加一条成品输送线")
    polls = []
    page.on(
        "response",
        lambda r: (
            polls.append((r.url, r.status)) if "/badge/" in r.url or "/counters/" in r.url else None
        ),  # noqa: E501
    )
    login(page, c.biz_lead)
    unread = Notification.unread_of(c.biz_lead).count()  # whatever the setup told them
    badge = page.locator("#nav-unread [data-unread]")
    expect(badge).to_have_attribute("data-unread", str(unread))
    expect(page.locator("#approvals-total")).to_have_text("0")
    expect(page.locator("#unread-total")).to_have_text(str(unread))
    page.evaluate(
        "window.__sameDocument = true;"
        "document.getElementById('nav-unread').__kept = true;"
        "document.getElementById('unread-total').parentElement.__kept = true"
    )
    # nothing changed: the polls answer 204 and swap nothing
    page.wait_for_timeout(2500)
    assert any(s == 204 and "/badge/" in u for u, s in polls), polls
    assert any(s == 204 and "/counters/" in u for u, s in polls), polls

    # the engineering PM assesses the change request: it now waits for the business lead
    changes.assess_change_request(
        request.pk, by=c.eng_pm, data={"effort_days": "3", "assessment_risks": "停线风险"}
    )
    expect(page.locator("#approvals-total")).to_have_text("1", timeout=5000)
    expect(page.locator("#unread-total")).to_have_text(str(unread + 1), timeout=5000)
    expect(badge).to_have_attribute("data-unread", str(unread + 1), timeout=5000)
    expect(page.locator("#nav-unread")).to_contain_text(f"通知：{unread + 1} 条未读")
    expect(page.locator("#nav-unread")).to_have_attribute("aria-live", "polite")
    # the same page, and the same live regions (a region replaced would not be announced)
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("document.getElementById('nav-unread').__kept") is True
    assert page.evaluate("document.getElementById('unread-total').parentElement.__kept") is True
    shot(page, "1-counted")
