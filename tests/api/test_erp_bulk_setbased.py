"""The set-based ERP bulk upsert keeps the per-row path's guarantees (projects/erp_bulk.py)."""

from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core import events
from coordination.core.models import AuditEvent, Sequence
from projects.core import erp_bulk
from projects.core.models import Project
from tests import factories
from tests.api.helpers import client_for
from tests.erp.conftest import PROJECT_BODY, make_erp_refs

pytestmark = pytest.mark.django_db
BULK = "/api/v1/erp/projects/bulk/"


@pytest.fixture
def body(db):
    make_erp_refs()
    return {
        k: PROJECT_BODY[k]
        for k in [
            "name",
            "customer_erp_id",
            "contract_value",
            "planned_start",
            "planned_end",
            "business_pm",
            "engineering_pm",
        ]
    }


def _post(client, rows):
    response = client.post(BULK, rows, format="json")
    assert response.status_code == 200
    return response.json()


def test_mixed_batch_answers_each_row_and_writes_only_valid_changes(body):
    pmo = client_for(factories.pmo_user())
    _post(pmo, [{**body, "erp_id": "E-2"}, {**body, "erp_id": "E-3"}])
    rows = [
        {**body, "erp_id": "E-1", "name": "新项目"},
        {**body, "erp_id": "E-2", "name": "改名"},
        {**body, "erp_id": "E-3"},  # unchanged (its erp_id repeats: per-row path, in order)
        {**body, "erp_id": "E-4", "business_pm": "nobody"},
        {**body, "erp_id": "E-5", "name": "重复一"},
        {**body, "erp_id": "E-5", "name": "重复二"},
        {**body, "erp_id": "E-3", "planned_start": None, "planned_end": "2020-01-01"},
    ]
    results = _post(pmo, rows)
    assert [(r["erp_id"], r["status"]) for r in results] == [
        ("E-1", "created"),
        ("E-2", "updated"),
        ("E-3", "unchanged"),
        ("E-4", "error"),
        ("E-5", "created"),
        ("E-5", "updated"),
        ("E-3", "updated"),
    ]
    assert list(results[3]["errors"]) == ["business_pm"]
    assert all(r["errors"] == {} for i, r in enumerate(results) if i != 3)
    assert Project.objects.get(erp_id="E-5").name == "重复二"
    assert Project.objects.get(erp_id="E-2").name == "改名"
    assert str(Project.objects.get(erp_id="E-3").planned_end) == "2020-01-01"
    assert not Project.objects.filter(erp_id="E-4").exists()
    assert results[4]["code"] == results[5]["code"]


def test_results_statuses_and_audit_rows(body, django_capture_on_commit_callbacks, monkeypatch):
    pmo = client_for(factories.pmo_user())
    _post(pmo, [{**body, "erp_id": f"E-{i}"} for i in range(3)])
    stamps = dict(Project.objects.values_list("erp_id", "updated_at"))
    audits = AuditEvent.objects.count()
    rows = [
        {**body, "erp_id": "E-0"},  # unchanged
        {**body, "erp_id": "E-1", "name": "改名"},  # updated
        {**body, "erp_id": "E-2", "planned_end": "2026-01-01"},  # error: end before start
        {**body, "erp_id": "E-9"},  # created
        {**body, "erp_id": "E-10", "customer_erp_id": "NO-SUCH"},  # error
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results = _post(pmo, rows)
    assert [r["status"] for r in results] == ["unchanged", "updated", "error", "created", "error"]
    assert list(results[2]["errors"]) == ["planned_end"]
    assert results[3]["code"].startswith("PRJ-") and results[0]["code"].startswith("PRJ-")
    # unchanged and failed rows untouched: same updated_at, no audit, no event
    after = dict(Project.objects.values_list("erp_id", "updated_at"))
    assert after["E-0"] == stamps["E-0"] and after["E-2"] == stamps["E-2"]
    assert after["E-1"] > stamps["E-1"]
    new = AuditEvent.objects.order_by("pk")[audits:]
    assert [(e.action, e.project_code) for e in new] == [
        ("project.upserted", results[3]["code"]),
        ("project.upserted", results[1]["code"]),
    ]
    created, updated = new
    assert created.before is None and created.after["name"] == body["name"]
    assert created.after["business_pm"] == "biz_pm" and created.after["customer"]
    assert updated.before == {"name": body["name"]} and updated.after == {"name": "改名"}
    assert created.target_id == str(Project.objects.get(erp_id="E-9").pk)
    assert created.actor_label and created.actor_id
    # project.upserted per written row, after commit, in one callback for the batch
    assert len(callbacks) == 1
    heard = []
    listeners = {"project.upserted": [lambda event, payload: heard.append(payload["erp_id"])]}
    monkeypatch.setattr(events, "_listeners", defaultdict(list, listeners))
    callbacks[0]()
    assert heard == ["E-9", "E-1"]


def test_codes_come_from_one_sequence_block(body):
    pmo = client_for(factories.pmo_user())
    results = _post(pmo, [{**body, "erp_id": f"E-{i}"} for i in range(5)])
    numbers = [int(r["code"].rsplit("-", 1)[1]) for r in results]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert Sequence.objects.get(name__startswith="project-").value == numbers[-1]
    # the per-row path continues after the block
    one = client_for(factories.pmo_user()).put("/api/v1/erp/projects/E-X/", {**body}, format="json")
    assert int(one.json()["code"].rsplit("-", 1)[1]) == numbers[-1] + 1


def test_edit_permission_is_checked_per_row(body):
    pmo = client_for(factories.pmo_user())
    theirs = factories.ProjectFactory(erp_id="E-THEIRS", code="OLD-1")
    _post(pmo, [{**body, "erp_id": "E-MINE"}])  # biz_pm is its business PM
    biz = client_for(factories.business_user(username="biz_pm"))
    results = _post(
        biz,
        [
            {**body, "erp_id": "E-MINE", "name": "我的"},
            {**body, "erp_id": "E-THEIRS", "name": "别人的"},
            {**body, "erp_id": "E-NEW"},
        ],
    )
    assert [r["status"] for r in results] == ["updated", "error", "created"], results
    assert list(results[1]["errors"]) == ["non_field_errors"]
    theirs.refresh_from_db()
    assert theirs.name != "别人的"


def _count(client, rows) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        results = _post(client, rows)
    return len(captured), results


@pytest.mark.parametrize("kind", ["create", "update", "unchanged"])
def test_query_count_is_the_same_at_10_and_100_rows(body, kind):
    pmo = client_for(factories.pmo_user())
    _post(pmo, [{**body, "erp_id": "WARM"}])  # the year's sequence row exists from now on
    counts = []
    for n, prefix in ((10, "S"), (100, "L")):
        rows = [{**body, "erp_id": f"{prefix}-{i}"} for i in range(n)]
        if kind != "create":
            _post(pmo, rows)
        if kind == "update":
            rows = [{**row, "name": "改名"} for row in rows]
        queries, results = _count(pmo, rows)
        expected = {"create": "created", "update": "updated", "unchanged": "unchanged"}[kind]
        assert {r["status"] for r in results} == {expected}
        counts.append(queries)
    assert counts[0] == counts[1]


def test_insert_conflict_falls_back_to_the_per_row_path(body, monkeypatch):
    """An erp_id inserted concurrently (IntegrityError on the batch insert): the savepoint is
    rolled back (no code consumed) and those rows are upserted one by one."""
    from django.db import IntegrityError

    pmo = client_for(factories.pmo_user())
    _post(pmo, [{**body, "erp_id": "WARM"}])
    start = Sequence.objects.get(name__startswith="project-").value

    def conflict(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(erp_bulk, "_insert_projects", conflict)
    audits = AuditEvent.objects.count()
    results = _post(pmo, [{**body, "erp_id": "C-1"}, {**body, "erp_id": "WARM", "name": "改"}])
    assert [r["status"] for r in results] == ["created", "updated"]
    assert results[0]["code"].endswith(f"-{start + 1:04d}")
    assert AuditEvent.objects.count() == audits + 2
