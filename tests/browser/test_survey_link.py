"""The customer's survey link on a phone (390 px wide): nothing wider than the screen, the
1–5 buttons large enough to tap, the language switch, the answer and the thank-you page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kpi.models import SatisfactionSurvey
from kpi.surveys import services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_customer_answers_on_a_phone(live_server, browser, shot):
    project = factories.ProjectFactory(name="城北净水厂扩建")
    _invitation, token = services.create_invitation(
        project, by=project.business_pm, recipient_name="王总", language="en"
    )
    ctx = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator("h1")).to_have_text("Customer satisfaction survey")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button = page.locator('label[for="id_overall_score_4"]')
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= 390
    shot(page, "survey-390")

    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("h1")).to_have_text("客户满意度调查")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button.click()
    page.locator('label[for="id_q2_3"]').click()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-survey-thanks]")).to_contain_text("感谢您的反馈")
    survey = SatisfactionSurvey.objects.get(project=project)
    assert (survey.overall_score, survey.scores, survey.source) == (5, {"施工质量": 4}, "customer")
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator("[data-survey-unusable]")).to_be_visible()
    ctx.close()


def test_revoking_a_link_on_the_kpi_tab_asks_first(live_server, page, login):
    """The KPI tab arrives by htmx after the page: its revoke button still asks before it
    revokes (one listener for the page); dismissing changes nothing."""
    project = factories.ProjectFactory()
    invitation, _token = services.create_invitation(
        project, by=project.business_pm, recipient_name="王总"
    )
    login(page, project.business_pm)
    page.goto(f"{live_server.url}/projects/{project.code}/#tab-kpis")
    page.locator("#tab-kpis").click()
    revoke = page.locator(f'form[action$="/{invitation.pk}/revoke/"] button[data-confirm]')
    expect(revoke).to_be_visible(timeout=10_000)
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    revoke.click()
    page.wait_for_timeout(500)
    assert asked and "撤回" in asked[0]
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    page.once("dialog", lambda d: d.accept())
    revoke.click()
    page.wait_for_load_state("networkidle")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
