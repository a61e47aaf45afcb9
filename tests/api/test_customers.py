import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from coordination.integration import services as integration
from coordination.integration.models import ApiScope
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
    customer = factories.CustomerFactory(name="旧名", contact_name="张三", erp_id=None)
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


# ---------------------------------------------------------------- who edits a customer
# projects.core.permissions.can_edit_customer, asked by the API, the ERP upsert, the admin.
EDITORS = ["pmo", "business_lead", "business_pm"]
REFUSED = ["engineering_pm", "other_business_pm", "other_business_lead", "engineering"]
REFUSED += ["executive"]


def _customer_people():
    project = factories.ProjectFactory(customer__erp_id="ERP-C-7")
    other = factories.ProjectFactory()
    lead = factories.business_user()
    factories.MembershipFactory(project=project, user=lead, role="business_lead")
    other_lead = factories.business_user()
    factories.MembershipFactory(project=other, user=other_lead, role="business_lead")
    engineer = factories.engineering_user()
    factories.MembershipFactory(project=project, user=engineer, role="member")
    executive = factories.executive_user()  # a business lead of the project, read-only anyway
    factories.MembershipFactory(project=project, user=executive, role="business_lead")
    people = {
        "pmo": factories.pmo_user(),
        "business_lead": lead,
        "business_pm": project.business_pm,
        "engineering_pm": project.engineering_pm,
        "other_business_pm": other.business_pm,
        "other_business_lead": other_lead,
        "engineering": engineer,
        "executive": executive,
    }
    return project.customer, people


def test_who_edits_a_customer_over_the_api():
    customer, people = _customer_people()
    statuses = {
        name: (
            client_for(user)
            .patch(f"/api/v1/customers/{customer.pk}/", {"notes": name}, format="json")
            .status_code,
            client_for(user)
            .put(f"/api/v1/erp/customers/{customer.erp_id}/", {"name": name}, format="json")
            .status_code,
        )
        for name, user in people.items()
    }
    assert statuses == {
        **{name: (200, 200) for name in EDITORS},
        **{name: (403, 403) for name in REFUSED},
    }
    customer.refresh_from_db()
    assert customer.name == "business_pm"  # the last editor's upsert, no refused one after it


def _erp_client(name: str, scopes: list[str]) -> APIClient:
    _client, key = integration.create_api_client(name=name, scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_an_erp_client_with_the_customer_scope_keeps_upserting():
    customer, _people = _customer_people()
    api = _erp_client("SAP", [ApiScope.WRITE_CUSTOMERS])
    url = f"/api/v1/erp/customers/{customer.erp_id}/"
    assert api.put(url, {"name": "华东电力（ERP）"}, format="json").status_code == 200
    new = api.put("/api/v1/erp/customers/ERP-NEW/", {"name": "新客户"}, format="json")
    assert new.status_code == 201
    reader = _erp_client("BI", [ApiScope.READ])
    assert reader.put(url, {"name": "x"}, format="json").status_code == 403
    customer.refresh_from_db()
    assert customer.name == "华东电力（ERP）"


def test_the_admin_asks_the_same_rule(client):
    """Staff with every customer permission of the model still edit only the customers the
    rule allows: another customer's change page is read-only and its POST refused."""
    customer, people = _customer_people()
    perms = Permission.objects.filter(
        content_type__app_label="projects", codename__endswith="_customer"
    )
    url = f"/admin/projects/customer/{customer.pk}/change/"
    outcomes = {}
    for name in ("pmo", "business_pm", "other_business_pm", "executive"):
        user = people[name]
        user.is_staff = True
        user.save()
        user.user_permissions.set(perms)
        client.force_login(user)
        page = client.get(url).content.decode()
        # the name of an ERP customer is the ERP's (read-only): the contact is edited
        posted = client.post(url, {"contact_name": f"由 {name} 修改"})
        outcomes[name] = ('name="contact_name"' in page, posted.status_code)
    assert outcomes == {
        "pmo": (True, 302),
        "business_pm": (True, 302),
        "other_business_pm": (False, 403),
        "executive": (False, 403),
    }
    assert AuditEvent.objects.filter(action="customer.updated").count() == 2


def test_two_editors_of_one_customer_the_second_with_a_stale_etag_gets_412(pmo_client):
    customer = factories.CustomerFactory(name="旧名", contact_name="张三", erp_id=None)
    read = pmo_client.get(f"/api/v1/customers/{customer.pk}/")
    tag = read["ETag"]
    first = pmo_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"name": "新名"}, format="json", HTTP_IF_MATCH=tag
    )
    assert first.status_code == 200, first.json()
    assert first["ETag"] != tag
    second = pmo_client.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"contact_name": "李四"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert second.status_code == 412, second.json()
    assert second["ETag"] == first["ETag"]
    customer.refresh_from_db()
    assert (customer.name, customer.contact_name) == ("新名", "张三")
    again = pmo_client.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"contact_name": "李四"},
        format="json",
        HTTP_IF_MATCH=second["ETag"],
    )
    assert again.status_code == 200 and again.json()["contact_name"] == "李四"
