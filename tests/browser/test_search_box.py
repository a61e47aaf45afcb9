"""The navigation's search box by keyboard only (#19 "keyboard friendly"): its placeholder
names every kind it finds, ↓ highlights the first hit and Enter opens it, ↑/↓ move between
hits, Escape closes the dropdown and keeps the text, Enter with nothing highlighted opens the
results page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.changes.factories import cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_box_works_from_the_keyboard_alone(live_server, page, login, shot):
    c = cast(name="城北净水厂扩建")
    code = c.project.code
    login(page, c.biz_pm)
    box = page.locator("#nav-search-q")
    for kind in ("项目", "客户", "任务", "文档", "变更", "评论"):
        assert kind in box.get_attribute("placeholder")
    dropdown = page.locator("#nav-search-results")

    box.focus()
    page.keyboard.type("净水厂")
    hits = dropdown.locator(".search-hit")
    expect(dropdown.locator('.search-hit[data-kind="project"]')).to_contain_text("城北净水厂扩建")
    expect(box).to_have_attribute("aria-expanded", "true")

    page.keyboard.press("ArrowDown")
    first = hits.first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("ArrowDown")  # the last hit: "all results"
    expect(hits.last).to_have_attribute("aria-selected", "true")
    expect(first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    shot(page, "search-box-highlighted")

    page.keyboard.press("Escape")
    expect(dropdown).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_be_focused()
    expect(box).to_have_value("净水厂")  # the text typed stays

    page.keyboard.press("ArrowDown")  # opens again on the first hit
    expect(dropdown).to_be_visible()
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projects/{code}/")

    # Enter with nothing highlighted: the results page for the text typed
    box = page.locator("#nav-search-q")
    box.focus()
    page.keyboard.type("净水厂")
    expect(page.locator("#nav-search-results .search-hit").first).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.locator(f'#search-project + ul a[href="/projects/{code}/"]')).to_be_visible()
