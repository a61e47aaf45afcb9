"""Accessibility behaviour a keyboard or screen-reader user notices (static/js/a11y.js): an
in-place (htmx) action is announced in the page's live region, which is outside every swapped
element, and the focus goes to the result instead of falling to <body>; a form sent back with
errors marks the invalid field, links it to its message and puts the focus on it; the English
admin has an English title."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.changes.models import ChangeDecision
from projects.core.models import Project
from tests import factories
from tests.changes import factories as cr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u4e00-\u9fff]")
ACTIVE = """() => { const a = document.activeElement;
  return {tag: a ? a.tagName : null, id: a ? a.id : null,
          text: a ? (a.textContent || '').trim().slice(0, 80) : null}; }"""


def _focus_inside(page, selector: str) -> bool:
    return page.evaluate(
        """s => { const a = document.activeElement;
          return !!a && a !== document.body && !!a.closest(s); }""",
        selector,
    )


def test_marking_a_notification_read_in_place_announces_it_and_keeps_the_focus_in_the_list(
    live_server, page, login
):
    c = cr.cast()
    factories.NotificationFactory(user=c.biz_pm, subject="变更待审批")
    factories.NotificationFactory(user=c.biz_pm, subject="任务已逾期")
    login(page, c.biz_pm)
    status = page.locator("#a11y-status")
    expect(status).to_have_text("")
    items = page.locator("#notification-list > li")
    expect(items).to_have_count(2)

    button = items.first.get_by_role("button")
    first_subject = "任务已逾期" if "任务已逾期" in items.first.inner_text() else "变更待审批"
    button.focus()
    page.keyboard.press("Enter")
    expect(items).to_have_count(1)
    expect(status).to_contain_text("已标记为已读")
    expect(status).to_contain_text(first_subject)
    page.wait_for_function("() => document.activeElement !== document.body")
    assert _focus_inside(page, "section[aria-labelledby=notifications-title]"), page.evaluate(
        ACTIVE
    )
    # the focus is on the next notification's own button: Enter marks that one too
    assert page.evaluate("document.activeElement.tagName") == "BUTTON", page.evaluate(ACTIVE)
    page.keyboard.press("Enter")
    expect(items).to_have_count(0)
    other = "变更待审批" if first_subject == "任务已逾期" else "任务已逾期"
    expect(status).to_contain_text(other)
    # the list is empty: the focus goes to the section's heading
    page.wait_for_function("() => document.activeElement.id === 'notifications-title'")


def test_marking_read_in_the_centre_updates_and_announces_the_unread_count_in_place(
    live_server, page, login
):
    me = factories.business_user()
    factories.NotificationFactory(user=me, subject="变更待审批")
    factories.NotificationFactory(user=me, subject="任务已逾期")
    login(page, me)
    page.goto(f"{live_server.url}/notifications/")
    count = page.locator("h1 #heading-unread")
    expect(count).to_have_text("2")
    status = page.locator("#a11y-status")
    items = page.locator("#centre-list > li")
    items.first.get_by_role("button").click()
    expect(items).to_have_count(1)
    expect(count).to_have_text("1")  # in place, no reload
    expect(status).to_contain_text("已标记为已读")
    expect(status).to_contain_text("还有 1 条未读通知。")
    items.first.get_by_role("button").click()
    expect(count).to_have_text("0")
    expect(status).to_contain_text("没有未读通知了。")
    # the count is still the one element in the heading (swapped, not added)
    expect(page.locator("#heading-unread")).to_have_count(1)


def test_approving_in_place_announces_the_outcome_and_focuses_the_message(live_server, page, login):
    c = cr.cast()
    request = cr.assessed(c, title="增加一条成品输送线")
    login(page, c.biz_lead)
    status = page.locator("#a11y-status")
    row = page.locator(f'#approvals [data-change-request="{request.number}"]')
    row.get_by_role("button", name=re.compile("批准")).click()
    expect(page.locator("#approvals [data-flash]")).to_have_attribute("data-flash", "ok")
    expect(status).to_contain_text(f"已批准变更申请 {request.number}")
    assert ChangeDecision.objects.filter(change_request=request).exists()
    page.wait_for_function("() => document.activeElement !== document.body")
    assert _focus_inside(page, "#approvals"), page.evaluate(ACTIVE)
    assert page.evaluate("document.activeElement.matches('[data-flash]')"), page.evaluate(ACTIVE)
    # the live region is outside the swapped card: it is still the same element
    assert page.evaluate("!document.getElementById('a11y-status').closest('#approvals')")


def test_a_refused_approval_is_announced_assertively(live_server, page, login):
    c = cr.cast()
    request = cr.assessed(c, title="增加一条成品输送线")
    login(page, c.biz_lead)
    row = page.locator(f'#approvals [data-change-request="{request.number}"]')
    ChangeDecision.objects.create(
        change_request=request, department="business", decided_by=c.biz_pm, decision="approve"
    )  # decided meanwhile: the card comes back with an error
    row.get_by_role("button", name=re.compile("批准")).click()
    expect(page.locator("#approvals [data-flash]")).to_have_attribute("data-flash", "error")
    expect(page.locator("#a11y-alert")).not_to_have_text("")
    assert _focus_inside(page, "#approvals"), page.evaluate(ACTIVE)


def test_a_form_sent_back_with_errors_marks_describes_and_focuses_the_invalid_field(
    live_server, page, login
):
    creator = factories.business_user()
    customer = factories.CustomerFactory()
    business_pm = factories.business_user()
    engineering_pm = factories.engineering_user()
    login(page, creator)
    page.goto(f"{live_server.url}/projects/new/")
    page.locator("#id_name").fill("新建风电场")
    for name, value in (
        ("customer", customer.pk),
        ("business_pm", business_pm.pk),
        ("engineering_pm", engineering_pm.pk),
    ):
        page.locator(f"#id_{name}").select_option(str(value))
    page.locator("#id_primary_owner").select_option("business")
    page.locator("#id_contract_value").fill("2500000.00")
    page.locator("#id_planned_start").fill("2026-12-31")
    page.locator("#id_planned_end").fill("2026-01-01")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    end = page.locator("#id_planned_end")
    expect(end).to_have_attribute("aria-invalid", "true")
    described = end.get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{i}").inner_text() for i in described]  # every id resolves
    assert any("计划完成日期不能早于计划开始日期" in t for t in texts), texts
    expect(page.locator("main [role=alert]").first).to_be_visible()
    first_invalid = page.locator('main form [aria-invalid="true"]').first
    expect(first_invalid).to_be_focused()
    expect(end).to_be_focused()  # the only invalid field
    assert not Project.objects.filter(name="新建风电场").exists()


def test_posting_a_comment_in_place_focuses_the_new_comment_or_the_invalid_textarea(
    live_server, page, login
):
    from coordination.conversations.models import Comment
    from tests.tasks.factories import task

    c = cr.cast()
    t = task(c.project, title="设备基础施工")
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/tasks/{t.pk}/")
    box = page.locator(".comment-form textarea")
    box.fill("请确认基础尺寸")
    page.get_by_role("button", name="发表评论").click()
    expect(page.locator(".comment-list > li[id^=comment-]")).to_have_count(1)
    comment = Comment.objects.get()
    expect(page.locator("#a11y-status")).to_contain_text("评论已发表。")
    new = page.locator(f"#comment-{comment.pk}")
    expect(new).to_be_focused()  # not the thread's "讨论" heading
    expect(new).to_contain_text("请确认基础尺寸")

    # an empty comment comes back with the textarea marked invalid: the focus is on it
    page.get_by_role("button", name="发表评论").click()
    box = page.locator(".comment-form textarea")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(page.locator("#a11y-alert")).to_contain_text("请修正标出的错误。")
    assert Comment.objects.count() == 1


def test_an_invalid_group_of_checkboxes_is_marked_described_and_its_first_box_focused(
    live_server, page, login
):
    c = cr.cast()
    gone = factories.MilestoneFactory(project=c.project, name="临时里程碑")
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/projects/{c.project.code}/changes/new/")
    page.locator("#id_title").fill("增加一条成品输送线")
    page.get_by_label(re.compile("临时里程碑")).check()
    gone.delete()  # removed meanwhile: the choice is no longer valid
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    group = page.locator("fieldset:has(#id_affected_milestones)")
    expect(group).to_have_attribute("aria-invalid", "true")
    described = group.get_attribute("aria-describedby").split()
    assert "id_affected_milestones_error" in described
    for element_id in described:  # every id resolves
        expect(page.locator(f"#{element_id}")).to_have_count(1)
    expect(page.locator("#id_affected_milestones_error")).not_to_have_text("")
    expect(group.locator("legend")).to_contain_text("受影响")
    expect(group.locator("input[type=checkbox]").first).to_be_focused()


def test_english_admin_login_page_has_an_english_title(live_server, browser):
    ctx = browser.new_context(locale="en-US")
    try:
        ctx.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page = ctx.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        title = page.title()
        assert title and not HAN.search(title), title
        assert "Coordination Hub" in title
        assert not HAN.search(page.locator("#site-name").inner_text())
    finally:
        ctx.close()
