"""The managers' dashboard in a real browser: log in, see what needs me, approve a change
request without a page reload, switch to English, read the portfolio board."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from projects.changes.models import ChangeDecision
from projects.core.models import Stage
from tests import factories
from tests.changes import factories as cr
from tests.dashboard import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_WEEKDAYS = re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")


def test_log_in_see_home_approve_a_change_request_and_switch_to_english(
    live_server, page, login, shot
):
    c = cr.cast()
    request = cr.assessed(c, title="增加一条成品输送线")
    f.troubled_project(business_pm=c.biz_lead, name="华东仓储二期")

    login(page, c.biz_lead)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("你好")
    approvals = page.locator("#approvals")
    expect(approvals.get_by_role("heading", name=re.compile("待我审批"))).to_be_visible()
    row = approvals.locator(f'[data-change-request="{request.number}"]')
    expect(row).to_contain_text("增加一条成品输送线")
    my_projects = page.locator("#my-projects")
    expect(my_projects.locator('[data-project] [data-health="red"]').first).to_be_visible()
    expect(my_projects).to_contain_text("华东仓储二期")
    expect(page.locator("#approvals-total")).to_have_text("1")
    shot(page, "1-home")

    # Approve from the home page: htmx swaps the card, the page itself is not reloaded.
    page.evaluate("window.__sameDocument = true")
    row.get_by_label("审批意见（可选）").fill("同意，按评估执行")
    row.get_by_role("button", name=re.compile("批准")).click()
    flash = page.locator("#approvals [data-flash]")
    expect(flash).to_have_attribute("data-flash", "ok")
    expect(flash).to_contain_text(f"已批准变更申请 {request.number}")
    expect(page.locator(f'[data-change-request="{request.number}"]')).to_have_count(0)
    expect(page.locator("#approvals-total")).to_have_text("0")  # the counter follows (oob)
    assert page.evaluate("window.__sameDocument") is True
    decision = ChangeDecision.objects.get(change_request=request)
    assert (decision.department, decision.decided_by_id, decision.comment) == (
        "business",
        c.biz_lead.pk,
        "同意，按评估执行",
    )
    shot(page, "2-approved")

    # Switch the interface to English with the navbar's language selector and its button.
    page.get_by_label("界面语言").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#dashboard-date")).to_contain_text(ENGLISH_WEEKDAYS)
    with translation.override("en"):
        home_label = translation.gettext("首页")
    if home_label != "首页":  # once the English catalogue is compiled, the nav reads English
        expect(page.get_by_role("navigation", name=re.compile(".")).first).to_contain_text(
            home_label
        )
    shot(page, "3-english")

    # And back: the choice sticks across pages until changed.
    page.goto(f"{live_server.url}/portfolio/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("zh-hans")
    with page.expect_navigation():
        page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_portfolio_board_table_and_filters(live_server, page, login, shot):
    pmo = factories.pmo_user()
    f.healthy_project(name="顺利的启动项目", stage=Stage.KICKOFF)
    f.troubled_project(name="逾期的实施项目", stage=Stage.EXECUTION, is_key_project=True)
    f.healthy_project(name="普通实施项目", stage=Stage.EXECUTION)

    login(page, pmo)
    page.get_by_role("link", name="项目组合").first.click()
    page.wait_for_url(re.compile(r"/portfolio/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("项目组合")

    board = page.locator("#portfolio-board")
    execution = board.locator('[data-stage="execution"]')
    kickoff = board.locator('[data-stage="kickoff"]')
    expect(execution.get_by_role("heading")).to_contain_text("2")
    expect(kickoff).to_contain_text("顺利的启动项目")
    troubled = execution.locator("[data-project]").filter(has_text="逾期的实施项目")
    expect(troubled.locator('[data-health="red"]')).to_be_visible()
    expect(troubled).to_contain_text("里程碑“设备安装”已逾期")
    expect(kickoff.locator('[data-health="green"]')).to_be_visible()
    shot(page, "1-board")

    # The table view, reached with the keyboard.
    page.locator("#tab-board").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-table")).to_be_focused()
    page.keyboard.press("Enter")
    table = page.locator("#portfolio-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_contain_text("逾期的实施项目")  # red first
    expect(page).to_have_url(re.compile(r"view=table"))

    # Filter to key projects: htmx replaces the results, no reload.
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("仅重点项目").check()
    expect(page.locator("#portfolio-table tbody tr")).to_have_count(1)
    expect(page.locator("#portfolio-table")).to_contain_text("逾期的实施项目")
    expect(page.locator("#portfolio-table")).to_be_visible()  # still the table view
    assert page.evaluate("window.__sameDocument") is True
    expect(page).to_have_url(re.compile(r"key=on"))
    shot(page, "2-table-key-projects")


def test_a_tall_columns_more_with_the_keyboard(live_server, page, login, shot):
    from coordination.dashboard.selectors import BOARD_COLUMN_PAGE

    f.one_stage(BOARD_COLUMN_PAGE + 3)
    login(page, factories.pmo_user())
    page.goto(f"{live_server.url}/portfolio/")
    execution = page.locator('#portfolio-board [data-stage="execution"]')
    expect(execution.get_by_role("heading")).to_contain_text(str(BOARD_COLUMN_PAGE + 3))
    expect(execution.locator(".board-card")).to_have_count(BOARD_COLUMN_PAGE)
    page.evaluate("window.__sameDocument = true")
    more = execution.locator("[data-column-more]")
    more.focus()
    page.keyboard.press("Enter")
    expect(execution.locator(".board-card")).to_have_count(BOARD_COLUMN_PAGE + 3)
    expect(execution.locator("[data-column-more]")).to_have_count(0)
    # the focus moves to the first new card, whose link the keyboard is on
    new = execution.locator(".board-card").nth(BOARD_COLUMN_PAGE).locator("a").first
    expect(new).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    shot(page, "4-column-more")


def test_home_on_a_phone(live_server, page, login, shot):
    me = factories.business_user()
    f.troubled_project(business_pm=me, name="手机上看的项目")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, me)
    toggler = page.get_by_role("button", name="展开导航")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.get_by_role("link", name="项目组合").first).to_be_visible()
    expect(page.locator("#my-projects")).to_contain_text("手机上看的项目")
    # every form control on the page has an accessible name
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.outerHTML)"""
    )
    assert unnamed == []
    page.wait_for_timeout(400)  # the navbar's collapse animation
    shot(page, "phone-home")


def test_project_page_health_badge_and_every_tab_loads(live_server, page, login, shot):
    c = cr.cast()
    cr.assessed(c, title="增加一条成品输送线")
    f.overdue_handover(c.project)
    factories.RiskFactory(project=c.project, title="钢材涨价", mitigation="提前锁价")
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/projects/{c.project.code}/")
    health = page.locator("#project-health")
    expect(health.locator('[data-health="red"]')).to_be_visible()
    expect(health).to_contain_text("合同移交已超过截止日期")
    expect(health).to_contain_text("1 个变更申请待评估或审批")
    for tab in ["presales", "handover", "kickoff", "changes", "reviews", "risks", "kpis"]:
        page.locator(f"#tab-{tab}").click()
        pane = page.locator(f"#pane-{tab}")
        expect(pane).to_have_class(re.compile(r"\bshow\b"))
        expect(pane.locator(".spinner-border")).to_have_count(0)  # htmx panel arrived
        expect(pane).not_to_contain_text("Server Error")
        expect(pane).not_to_contain_text("尚未启用")
    expect(page.locator("#pane-changes")).to_contain_text("增加一条成品输送线")
    expect(page.locator("#pane-risks")).to_contain_text("钢材涨价")
    page.locator("#tab-changes").click()
    expect(page.locator("#pane-changes")).to_have_class(re.compile(r"\bshow\b"))
    page.wait_for_timeout(300)  # the fade-in
    shot(page, "changes-tab")
