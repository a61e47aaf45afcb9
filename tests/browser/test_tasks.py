"""Tasks in a real browser: drag a card across the board (a refused move snaps back with the
table's message), the Gantt draws bars with the critical path, and the task page refuses a
dependency that would close a loop, naming it."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from projects.tasks.models import Task
from tests.changes.factories import cast
from tests.tasks.factories import link, task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _drag(page, card, column):
    box = card.bounding_box()
    target = column.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20, steps=5)
    page.mouse.move(target["x"] + 40, target["y"] + 30, steps=15)
    page.mouse.up()


def test_board_drag_moves_and_a_refused_move_snaps_back(live_server, page, login, shot):
    c = cast()
    t = task(c.project, title="设备到货验收", owner=c.tech_lead)
    login(page, c.eng_pm)
    page.goto(f"{live_server.url}/projects/{c.project.code}/tasks/board/")
    card = page.locator(f'[data-task="{t.pk}"]')
    expect(card).to_be_visible()

    # todo → done is not in the status table: the message shows, the card goes back
    _drag(page, card, page.locator('[data-status="done"]'))
    expect(page.locator("#board-message")).to_contain_text("可改为")
    expect(page.locator(f'[data-status="todo"] [data-task="{t.pk}"]')).to_have_count(1)
    assert Task.objects.get(pk=t.pk).status == "todo"
    shot(page, "refused")

    # todo → in progress is
    _drag(page, card, page.locator('[data-status="in_progress"]'))
    expect(page.locator(f'[data-status="in_progress"] [data-task="{t.pk}"]')).to_have_count(1)
    page.wait_for_timeout(300)
    for _ in range(20):
        if Task.objects.get(pk=t.pk).status == "in_progress":
            break
        page.wait_for_timeout(200)
    assert Task.objects.get(pk=t.pk).status == "in_progress"
    shot(page, "moved")


def test_gantt_renders_bars_dependencies_and_the_critical_path(live_server, page, login, shot):
    c = cast()
    a = task(c.project, title="设计", duration_days=2, department="engineering")
    b = task(c.project, title="采购", duration_days=3, owner=c.biz_lead, department="business")
    side = task(c.project, title="培训", duration_days=1)
    link(a, b)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/projects/{c.project.code}/tasks/gantt/")
    page.wait_for_timeout(1000)
    assert not errors, errors
    gantt = page.locator("#gantt")
    expect(gantt).to_have_attribute("data-rendered", "8")  # 3 tasks, 3 baselines, 2 milestones
    expect(gantt.locator(".bar-wrapper.is-critical")).to_have_count(2)
    expect(gantt.locator(".bar-wrapper.is-baseline")).to_have_count(3)
    expect(gantt.locator(".bar-wrapper.dept-business")).to_have_count(1)
    expect(gantt.locator(".arrow")).to_have_count(1)
    # 设计 9-28, 9-29; 采购 after it: 9-30, then 国庆, 10-8, 10-9
    expect(page.locator("[data-finish]")).to_have_text("2026-10-09")
    assert side.pk  # off the critical path (float > 0)
    shot(page, "gantt")


def test_dependency_loop_is_refused_with_its_tasks_named(live_server, page, login, shot):
    c = cast()
    a = task(c.project, title="基础设计")
    b = task(c.project, title="设备安装", planned_start=datetime.date(2026, 10, 8))
    link(a, b)
    login(page, c.eng_pm)
    page.goto(f"{live_server.url}/tasks/{a.pk}/")
    form = page.locator("#dependency-form")
    form.get_by_label("前置任务").select_option(str(b.pk))
    form.get_by_role("button", name="添加前置任务").click()
    error = page.locator("[data-dependency-error]")
    expect(error).to_contain_text("循环")
    expect(error).to_contain_text("基础设计")
    expect(error).to_contain_text("设备安装")
    assert not a.predecessor_links.exists()
    shot(page, "loop")
