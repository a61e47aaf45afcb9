"""The lessons library in the browser: a retrospective's entry promoted from its page (the htmx
panel, no reload), the lesson found in the library, an improvement action added, and the
lesson shown on the next similar project's kickoff page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination.lessons.models import Lesson
from coordination.reviews.models import ReviewKind
from tests.factories import ProjectFactory
from tests.reviews.factories import CadenceFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_entry_becomes_a_lesson_seen_at_the_next_kickoff(live_server, page, login, shot):
    project = ProjectFactory(is_key_project=True, stage="execution")
    review = ReviewFactory(
        cadence=CadenceFactory(project=project, kind=ReviewKind.MONTHLY_RETROSPECTIVE),
        went_wrong=[{"text": "客户的特殊验收标准在签约后才传到工程部", "tag": "business"}],
    )
    login(page, project.business_pm)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    panel = page.locator("#lesson-panel")
    expect(panel).to_contain_text("客户的特殊验收标准在签约后才传到工程部")
    panel.get_by_text("整理为经验教训", exact=True).last.click()
    panel.get_by_label("标题").fill("特殊验收标准要在移交前写清")
    panel.get_by_label("阶段").select_option("handover")
    panel.get_by_label("专业").select_option("joint")
    panel.get_by_label("原因").select_option("information_asymmetry")
    panel.get_by_role("button", name="整理").click()
    expect(page.locator("#lesson-panel")).to_contain_text("已整理为经验教训")
    shot(page, "promoted")
    lesson = Lesson.objects.get()
    assert lesson.title == "特殊验收标准要在移交前写清" and lesson.cause == "information_asymmetry"

    page.goto(f"{live_server.url}/lessons/?q=验收")
    page.get_by_role("link", name="特殊验收标准要在移交前写清").click()
    page.wait_for_url(f"**/lessons/{lesson.pk}/")
    page.get_by_label("改进措施").fill("移交清单增加特殊验收标准一项")
    page.get_by_label("负责人").select_option(str(project.engineering_pm.pk))
    page.get_by_label("截止日期").fill("2026-12-31")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("[data-action-item]")).to_contain_text("移交清单增加特殊验收标准一项")

    follower = ProjectFactory(customer=project.customer, stage="kickoff")
    login(page, follower.business_pm)
    page.goto(f"{live_server.url}/projects/{follower.code}/kickoff/")
    expect(page.locator("[data-similar-lessons]")).to_contain_text("特殊验收标准要在移交前写清")
    shot(page, "kickoff")
