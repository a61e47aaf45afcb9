"""The task pages as a user meets them: list filters, the task page (edit, conflict, the loop
refusal), the board's move endpoint, the Gantt at 2,000 tasks in constant queries."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core.workdays import WorkCalendar
from projects.tasks.models import Task, TaskDependency
from tests.changes.factories import cast
from tests.formpage import login
from tests.tasks.factories import link, task

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def c():
    return cast()


def test_list_filters_by_department_and_owner(c):
    task(c.project, title="合同评审", owner=c.biz_lead, department="business")
    task(c.project, title="设备安装", owner=c.tech_lead)
    page = login(c.member)
    body = page.get(f"/projects/{c.project.code}/tasks/", {"department": "business"}).content
    assert "合同评审".encode() in body and "设备安装".encode() not in body
    body = page.get(f"/projects/{c.project.code}/tasks/", {"owner": c.tech_lead.username}).content
    assert "设备安装".encode() in body and "合同评审".encode() not in body


def test_create_on_the_page_keeps_input_on_error(c):
    page = login(c.eng_pm)
    url = f"/projects/{c.project.code}/tasks/new/"
    r = page.post(url, {"title": "保留我", "planned_start": "2026-09-28", "duration_days": 0})
    assert r.status_code == 200 and "保留我".encode() in r.content
    assert not Task.objects.exists()
    r = page.post(
        url,
        {
            "title": "设备基础",
            "owner": c.tech_lead.pk,
            "planned_start": "2026-09-30",
            "duration_days": 2,
        },
    )
    t = Task.objects.get()
    assert r.status_code == 302 and t.planned_finish == D(2026, 10, 8)


def test_edit_conflict_shows_both_sides_and_keeps_input(c):
    t = task(c.project, title="原标题")
    page = login(c.eng_pm)
    form = {
        "title": "我的标题",
        "owner": c.eng_pm.pk,
        "department": "engineering",
        "planned_start": "2026-09-28",
        "duration_days": 1,
        "status": "todo",
        "progress": 0,
        "forecast_start": "2026-09-28",
        "forecast_finish": "2026-09-28",
        "edit_version": 1,
    }
    Task.objects.filter(pk=t.pk).update(title="别人的标题", edit_version=2)
    r = page.post(f"/tasks/{t.pk}/", form)
    assert r.status_code == 409
    assert "我的标题".encode() in r.content and "别人的标题".encode() in r.content
    assert Task.objects.get(pk=t.pk).title == "别人的标题"


def test_owner_reports_progress_on_the_page(c):
    t = task(c.project, owner=c.member)
    page = login(c.member)
    assert b'name="title"' not in page.get(f"/tasks/{t.pk}/").content
    r = page.post(
        f"/tasks/{t.pk}/",
        {
            "status": "in_progress",
            "progress": 30,
            "forecast_start": "2026-09-28",
            "forecast_finish": "2026-09-28",
            "edit_version": 1,
        },
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.progress == 30 and t.status == "in_progress"


def test_dependency_loop_message_on_the_page(c):
    a, b = task(c.project, title="设计"), task(c.project, title="施工")
    link(a, b)
    page = login(c.eng_pm)
    r = page.post(
        f"/tasks/{a.pk}/dependencies/", {"predecessor": b.pk, "type": "FS", "lag_days": 0}
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert "循环" in text and "设计" in text and "施工" in text
    assert TaskDependency.objects.count() == 1


def test_board_move_refused_by_the_table_is_409_with_the_message(c):
    t = task(c.project)
    page = login(c.eng_pm)
    r = page.post(f"/tasks/{t.pk}/status/", {"status": "done"})
    assert r.status_code == 409 and "可改为".encode() in r.content
    assert page.post(f"/tasks/{t.pk}/status/", {"status": "in_progress"}).status_code == 204
    assert Task.objects.get(pk=t.pk).status == "in_progress"


def test_gantt_move_reschedules_successors(c):
    a, b = task(c.project, duration_days=1), task(c.project, duration_days=1)
    link(a, b)
    r = login(c.eng_pm).post(f"/tasks/{a.pk}/move/", {"start": "2026-10-09"})
    assert r.status_code == 200
    b.refresh_from_db()
    assert b.forecast_start == D(2026, 10, 10) and b.planned_start == D(2026, 9, 28)


def _bulk(project, owner, n: int) -> None:
    """n tasks in a chain of FS links, inserted set-based (the sizes of a real plan)."""
    cal = WorkCalendar()
    start = D(2026, 3, 2)
    rows = []
    for i in range(n):
        s = cal.add_working_days(start, i % 200)
        f = cal.finish_of(s, 1 + i % 3)
        rows.append(
            Task(
                project=project,
                title=f"任务 {i}",
                owner=owner,
                department="engineering" if i % 2 else "business",
                planned_start=s,
                duration_days=1 + i % 3,
                planned_finish=f,
                forecast_start=s,
                forecast_finish=f,
            )
        )
    Task.objects.bulk_create(rows, batch_size=1000)
    ids = list(Task.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    TaskDependency.objects.bulk_create(
        [
            TaskDependency(predecessor_id=p, successor_id=s)
            for p, s in zip(ids, ids[1:])
            if (s - ids[0]) % 10
        ],
        batch_size=1000,
    )


def test_gantt_of_2000_tasks_in_constant_queries(c):
    page = login(c.eng_pm)
    url = f"/projects/{c.project.code}/tasks/gantt/"
    counts = {}
    for n in (20, 2000):
        Task.objects.all().delete()
        _bulk(c.project, c.tech_lead, n)
        page.get(url)  # warm the session and the calendar's statutory tables
        with CaptureQueriesContext(connection) as ctx:
            r = page.get(url)
        assert r.status_code == 200
        rows = json.loads(
            re.search(
                rb'id="gantt-rows" type="application/json">(.*?)</script>', r.content, re.S
            ).group(1)
        )
        assert sum(1 for row in rows if row["id"].startswith("t")) == n
        assert any("is-critical" in row["classes"] for row in rows)
        counts[n] = len(ctx)
    assert counts[20] == counts[2000], counts


@pytest.mark.parametrize("path", ["", "board/"])
def test_list_and_board_in_constant_queries(c, path):
    page = login(c.eng_pm)
    url = f"/projects/{c.project.code}/tasks/{path}"
    counts = {}
    for n in (5, 60):
        Task.objects.all().delete()
        _bulk(c.project, c.tech_lead, n)
        page.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert page.get(url).status_code == 200
        counts[n] = len(ctx)
    assert counts[5] == counts[60], counts
