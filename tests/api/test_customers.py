import pytest

from coordination.core.models import AuditEvent
from projects.core.models import Customer
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def test_create_answers_the_full_customer_and_audits(pmo_client):
    response = pmo_client.post(
        "/api/v1/customers/",
        {"name": "上海建工", "erp_id": "C-100", "contact_email": "li@example.com"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "上海建工" and body["erp_id"] == "C-100"
    assert {"id", "created_at", "updated_at", "contact_name"} <= set(body)
    assert AuditEvent.objects.filter(action="customer.created", target_id=str(body["id"])).exists()


def test_duplicate_erp_id_is_400_not_500(pmo_client):
    factories.CustomerFactory(erp_id="C-1")
    response = pmo_client.post("/api/v1/customers/", {"name": "x", "erp_id": "C-1"}, format="json")
    assert response.status_code == 400 and "erp_id" in response.json()


def test_blank_erp_ids_do_not_collide(pmo_client):
    for name in ("甲", "乙"):
        response = pmo_client.post(
            "/api/v1/customers/", {"name": name, "erp_id": ""}, format="json"
        )
        assert response.status_code == 201
    assert Customer.objects.filter(erp_id__isnull=True).count() == 2


def test_bad_email_is_400(pmo_client):
    response = pmo_client.post(
        "/api/v1/customers/", {"name": "x", "contact_email": "not-an-email"}, format="json"
    )
    assert response.status_code == 400 and "contact_email" in response.json()


def test_patch_changes_only_what_is_sent(pmo_client):
    customer = factories.CustomerFactory(name="旧名", contact_name="张三")
    response = pmo_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"name": "新名"}, format="json"
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.contact_name) == ("新名", "张三")


def test_erp_upsert_creates_then_updates_then_changes_nothing(pmo_client):
    url = "/api/v1/erp/customers/C-900/"
    created = pmo_client.put(url, {"name": "华东电力", "contact_name": "王"}, format="json")
    assert created.status_code == 201 and created.json()["erp_id"] == "C-900"

    updated = pmo_client.put(url, {"name": "华东电力集团", "contact_name": "王"}, format="json")
    assert updated.status_code == 200 and updated.json()["name"] == "华东电力集团"

    audits = AuditEvent.objects.count()
    again = pmo_client.put(url, {"name": "华东电力集团", "contact_name": "王"}, format="json")
    assert again.status_code == 200
    assert again.json()["updated_at"] == updated.json()["updated_at"]
    assert AuditEvent.objects.count() == audits
    assert Customer.objects.filter(erp_id="C-900").count() == 1


def test_erp_upsert_needs_a_name_and_a_sane_erp_id(pmo_client):
    assert pmo_client.put("/api/v1/erp/customers/C-1/", {}, format="json").status_code == 400
    too_long = "x" * 65
    response = pmo_client.put(f"/api/v1/erp/customers/{too_long}/", {"name": "x"}, format="json")
    assert response.status_code == 400 and "erp_id" in response.json()


def test_customer_list_updated_since_and_search(pmo_client):
    old = factories.CustomerFactory(name="老客户")
    Customer.objects.filter(pk=old.pk).update(updated_at="2020-01-01T00:00:00Z")
    factories.CustomerFactory(name="新客户")

    response = pmo_client.get("/api/v1/customers/?updated_since=2025-01-01T00:00:00Z")
    assert [c["name"] for c in response.json()["results"]] == ["新客户"]
    response = pmo_client.get("/api/v1/customers/", {"search": "老"})
    assert [c["name"] for c in response.json()["results"]] == ["老客户"]
    assert pmo_client.get("/api/v1/customers/?updated_since=yesterday").status_code == 400


def test_refused_create_changes_nothing():
    client = client_for(factories.engineering_user())
    response = client.post("/api/v1/customers/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not Customer.objects.exists()
