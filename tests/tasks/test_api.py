"""The tasks API per API.md: every endpoint, errors, permissions, ETag, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.tasks.models import Task, TaskDependency
from tests import factories
from tests.api.helpers import client_for
from tests.changes.factories import cast
from tests.tasks.factories import link, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    return cast()


def _url(c):
    return f"/api/v1/projects/{c.project.code}/tasks/"


def test_create_read_list(c):
    api = client_for(c.biz_pm)
    body = {
        "title": "设备基础施工",
        "owner": c.tech_lead.username,
        "planned_start": "2026-09-28",
        "duration_days": 5,
        "milestone": c.milestone.pk,
    }
    r = api.post(_url(c), body, format="json")
    assert r.status_code == 201, r.json()
    got = r.json()
    assert got["planned_finish"] == "2026-10-09" and got["owner"] == c.tech_lead.username
    assert got["department"] == "engineering" and got["status"] == "todo"
    assert got["forecast_finish"] == "2026-10-09" and got["progress"] == 0
    assert r["ETag"] == '"v1"'
    assert set(got) == {
        "id", "title", "parent", "milestone", "owner", "department", "planned_start",
        "duration_days", "planned_finish", "forecast_start", "forecast_finish", "actual_start",
        "actual_finish", "progress", "status",
    }  # fmt: skip
    detail = api.get(f"/api/v1/tasks/{got['id']}/")
    assert detail.status_code == 200 and detail.json() == got
    listing = api.get(_url(c)).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == got["id"]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"owner": "nobody"}, "owner"),
        ({"duration_days": 0}, "duration_days"),
        ({"progress": 101}, "progress"),
        ({"planned_start": "soon"}, "planned_start"),
        ({"department": "martians"}, "department"),
        ({"milestone": 999999}, "milestone"),
        ({"parent": 999999}, "parent"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(c, bad, field):
    body = {"title": "任务", "owner": c.eng_pm.username, "planned_start": "2026-09-28", **bad}
    r = client_for(c.eng_pm).post(_url(c), body, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not Task.objects.exists()


def test_owner_outside_the_project_is_400(c):
    stranger = factories.engineering_user()
    body = {"title": "任务", "owner": stranger.username, "planned_start": "2026-09-28"}
    r = client_for(c.eng_pm).post(_url(c), body, format="json")
    assert r.status_code == 400 and "owner" in r.json()


def test_permissions(c):
    t = task(c.project, owner=c.member)
    url = f"/api/v1/tasks/{t.pk}/"
    stranger = factories.business_user()
    exec_ = factories.executive_user()
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    assert client_for(exec_).get(url).status_code == 200
    assert client_for(exec_).patch(url, {"progress": 5}, format="json").status_code == 403
    assert client_for(c.finance).patch(url, {"progress": 5}, format="json").status_code == 403
    assert client_for(c.member).patch(url, {"progress": 5}, format="json").status_code == 200
    assert client_for(c.member).patch(url, {"title": "x"}, format="json").status_code == 403
    assert client_for(c.member).delete(url).status_code == 403
    body = {"title": "任务", "owner": c.member.username, "planned_start": "2026-09-28"}
    assert client_for(c.member).post(_url(c), body, format="json").status_code == 403
    assert client_for(stranger).post(_url(c), body, format="json").status_code == 404
    assert client_for(c.eng_pm).delete(url).status_code == 204
    assert not Task.objects.filter(pk=t.pk).exists()


def test_patch_with_if_match(c):
    t = task(c.project)
    api = client_for(c.eng_pm)
    url = f"/api/v1/tasks/{t.pk}/"
    r = api.patch(
        url, {"progress": 30, "status": "in_progress"}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert r.status_code == 200 and r["ETag"] == '"v2"' and r.json()["progress"] == 30
    r = api.patch(url, {"progress": 50}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412 and r["ETag"] == '"v2"'
    assert Task.objects.get(pk=t.pk).progress == 30


def test_a_refused_status_move_is_409(c):
    t = task(c.project)
    r = client_for(c.eng_pm).patch(f"/api/v1/tasks/{t.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 409 and r.json()["unmet"]


def test_planned_finish_is_read_only(c):
    t = task(c.project, duration_days=2)
    r = client_for(c.eng_pm).patch(
        f"/api/v1/tasks/{t.pk}/", {"planned_finish": "2030-01-01"}, format="json"
    )
    assert r.status_code == 200 and r.json()["planned_finish"] == "2026-09-29"


def test_filters(c):
    task(c.project, owner=c.tech_lead, milestone=c.milestone.pk)
    task(c.project, owner=c.biz_lead, department="business")
    api = client_for(c.eng_pm)
    assert api.get(_url(c), {"owner": c.tech_lead.username}).json()["count"] == 1
    assert api.get(_url(c), {"department": "business"}).json()["count"] == 1
    assert api.get(_url(c), {"milestone": c.milestone.pk}).json()["count"] == 1
    assert api.get(_url(c), {"status": ["todo", "done"]}).json()["count"] == 2
    assert api.get(_url(c), {"status": "nonsense"}).status_code == 400


def test_dependencies_and_loop_refusal(c):
    a, b = task(c.project, title="设计"), task(c.project, title="施工")
    api = client_for(c.eng_pm)
    r = api.post(
        f"/api/v1/tasks/{b.pk}/dependencies/",
        {"predecessor": a.pk, "type": "SS", "lag_days": 2},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json() == {
        "id": r.json()["id"], "predecessor": a.pk, "successor": b.pk, "type": "SS", "lag_days": 2,
    }  # fmt: skip
    r2 = api.post(f"/api/v1/tasks/{a.pk}/dependencies/", {"predecessor": b.pk}, format="json")
    assert r2.status_code == 400
    assert "设计" in r2.json()["predecessor"][0] and "施工" in r2.json()["predecessor"][0]
    bad = api.post(f"/api/v1/tasks/{a.pk}/dependencies/", {"predecessor": a.pk, "type": "XX"})
    assert bad.status_code == 400 and "type" in bad.json()
    assert (
        client_for(c.member).delete(f"/api/v1/task-dependencies/{r.json()['id']}/").status_code
        == 403
    )
    stranger = factories.business_user()
    assert (
        client_for(stranger).delete(f"/api/v1/task-dependencies/{r.json()['id']}/").status_code
        == 404
    )
    assert api.delete(f"/api/v1/task-dependencies/{r.json()['id']}/").status_code == 204
    assert not TaskDependency.objects.exists()


def test_schedule(c):
    a = task(c.project, duration_days=1, planned_start=datetime.date(2026, 9, 30))
    b = task(c.project, duration_days=2)
    link(a, b)
    r = client_for(c.member).get(f"/api/v1/projects/{c.project.code}/schedule/")
    assert r.status_code == 200
    body = r.json()
    assert body["finish"] == "2026-10-09" and body["critical_path"] == [a.pk, b.pk]
    rows = {t["id"]: t for t in body["tasks"]}
    assert rows[a.pk]["early_start"] == rows[a.pk]["early_finish"] == "2026-09-30"
    assert rows[b.pk]["early_start"] == "2026-10-08" and rows[b.pk]["total_float"] == 0
    stranger = factories.business_user()
    assert (
        client_for(stranger).get(f"/api/v1/projects/{c.project.code}/schedule/").status_code == 404
    )


@pytest.mark.parametrize("path", ["tasks", "schedule"])
def test_constant_queries(c, path):
    api = client_for(c.eng_pm)
    url = f"/api/v1/projects/{c.project.code}/{path}/"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx)

    prev = None
    for n in (3, 30):
        while Task.objects.count() < n:
            t = task(c.project, owner=c.tech_lead, milestone=c.milestone.pk)
            if prev is not None:
                link(prev, t)
            prev = t
        assert Task.objects.count() == n
        got = count()
        if n == 3:
            small = got
    assert got == small
