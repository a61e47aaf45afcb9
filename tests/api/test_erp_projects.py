import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core.models import AuditEvent
from projects.core.models import Project
from tests import factories
from tests.erp.conftest import PROJECT_BODY, make_erp_refs

pytestmark = pytest.mark.django_db
BULK = "/api/v1/erp/projects/bulk/"


@pytest.fixture
def erp_body(db):
    make_erp_refs()
    return dict(PROJECT_BODY)


def test_upsert_creates_updates_and_an_identical_repeat_changes_nothing(pmo_client, erp_body):
    url = "/api/v1/erp/projects/ERP-900/"
    created = pmo_client.put(url, erp_body, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["erp_id"] == "ERP-900" and body["stage"] == "opportunity"
    assert body["customer_erp_id"] == "CUST-1" and body["primary_owner"] == "engineering"
    assert body["business_pm"] == "biz_pm" and body["contract_value"] == "8800000.00"

    audits = AuditEvent.objects.count()
    again = pmo_client.put(url, erp_body, format="json")
    assert again.status_code == 200
    assert again.json()["updated_at"] == body["updated_at"]
    assert AuditEvent.objects.count() == audits

    updated = pmo_client.put(url, {**erp_body, "contract_value": "9000000"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["contract_value"] == "9000000.00"
    assert updated.json()["updated_at"] > body["updated_at"]
    assert updated.json()["code"] == body["code"]
    event = AuditEvent.objects.get(action="project.upserted", after__contract_value="9000000.00")
    assert event.before == {"contract_value": "8800000.00"}
    assert Project.objects.filter(erp_id="ERP-900").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("customer_erp_id", "NO-SUCH"), ("business_pm", "ghost"), ("engineering_pm", "ghost")],
)
def test_unknown_references_are_400_naming_the_field(pmo_client, erp_body, field, value):
    response = pmo_client.put(
        "/api/v1/erp/projects/ERP-1/", {**erp_body, field: value}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == [field]
    assert not Project.objects.exists()


def test_upsert_required_fields(pmo_client):
    response = pmo_client.put("/api/v1/erp/projects/ERP-1/", {}, format="json")
    assert response.status_code == 400
    assert {"name", "customer_erp_id", "business_pm", "engineering_pm"} <= set(response.json())


def test_bulk_answers_one_result_per_row(pmo_client, erp_body):
    pmo_client.put("/api/v1/erp/projects/E-2/", {**erp_body, "name": "已存在"}, format="json")
    pmo_client.put("/api/v1/erp/projects/E-3/", {**erp_body, "name": "未变"}, format="json")
    rows = [
        {**erp_body, "erp_id": "E-1", "name": "新项目"},
        {**erp_body, "erp_id": "E-2", "name": "改名"},
        {**erp_body, "erp_id": "E-3", "name": "未变"},
        {**erp_body, "erp_id": "E-4", "customer_erp_id": "NO-SUCH"},
        {**erp_body},  # no erp_id
        "not an object",
    ]
    response = pmo_client.post(BULK, rows, format="json")
    assert response.status_code == 200
    results = response.json()
    assert [(r["erp_id"], r["status"]) for r in results] == [
        ("E-1", "created"),
        ("E-2", "updated"),
        ("E-3", "unchanged"),
        ("E-4", "error"),
        (None, "error"),
        (None, "error"),
    ]
    assert results[0]["errors"] == {} and results[0]["code"].startswith("PRJ-")
    assert list(results[3]["errors"]) == ["customer_erp_id"]
    assert list(results[4]["errors"]) == ["erp_id"]
    # a failing row rolls back only itself
    assert set(Project.objects.values_list("erp_id", flat=True)) == {"E-1", "E-2", "E-3"}
    assert Project.objects.get(erp_id="E-2").name == "改名"


def test_bulk_refuses_non_arrays_and_oversized_batches(pmo_client, erp_body):
    assert pmo_client.post(BULK, {"erp_id": "E-1"}, format="json").status_code == 400
    assert pmo_client.post(BULK, "[oops", content_type="application/json").status_code == 400
    too_many = [{**erp_body, "erp_id": f"E-{i}"} for i in range(1001)]
    response = pmo_client.post(BULK, too_many, format="json")
    assert response.status_code == 400
    assert not Project.objects.exists()
    assert pmo_client.post(BULK, [], format="json").json() == []


def test_bulk_body_over_the_upload_limit_is_413(pmo_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    rows = [{"erp_id": f"E-{i}", "name": "x" * 100} for i in range(200)]
    response = pmo_client.post(BULK, rows, format="json")
    assert response.status_code == 413 and "detail" in response.json()


def _bulk_queries(client, rows) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(BULK, rows, format="json")
    assert response.status_code == 200
    assert {r["status"] for r in response.json()} == {"unchanged"}
    return len(captured)


def test_bulk_looks_up_customers_and_users_once_per_batch(pmo_client, erp_body):
    rows = []
    for i in range(20):
        customer = factories.CustomerFactory(erp_id=f"C-{i}")
        biz = factories.business_user(username=f"biz{i}")
        eng = factories.engineering_user(username=f"eng{i}")
        rows.append(
            {
                **erp_body,
                "erp_id": f"E-{i}",
                "customer_erp_id": customer.erp_id,
                "business_pm": biz.username,
                "engineering_pm": eng.username,
            }
        )
    assert {r["status"] for r in pmo_client.post(BULK, rows, format="json").json()} == {"created"}

    small, large = _bulk_queries(pmo_client, rows[:5]), _bulk_queries(pmo_client, rows)
    # each unchanged row costs only its own locked read (savepoint, select, release):
    # lookups of customers and users do not repeat per row
    per_row = (large - small) / 15
    assert per_row <= 3, (small, large)
