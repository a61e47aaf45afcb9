"""Customers in the UI: list (paged, searched), create, edit contacts; an ERP customer's
ERP-owned fields are read-only and refused server-side; the edit form names its version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from projects.core.models import Customer
from tests import factories
from tests.formpage import read_form

pytestmark = pytest.mark.django_db


def test_the_list_is_paged_and_searched(client):
    factories.CustomerFactory(name="华东智能制造有限公司", contact_name="张经理")
    for i in range(30):
        factories.CustomerFactory(name=f"客户{i:02d}")
    client.force_login(factories.engineering_user())
    page = client.get(reverse("customers:list"))
    assert page.status_code == 200
    assert (
        len(page.context["page"].object_list) == 25 and page.context["page"].paginator.count == 31
    )
    found = client.get(reverse("customers:list"), {"q": "张经理"})
    assert [c.name for c in found.context["page"].object_list] == ["华东智能制造有限公司"]
    assert "新建客户" not in page.content.decode()  # engineering does not create customers


def test_the_list_reads_a_constant_number_of_queries(client):
    client.force_login(factories.business_user())
    counts = []
    for n in (3, 20):
        for _i in range(n):
            factories.ProjectFactory(customer=factories.CustomerFactory())
        client.get(reverse("customers:list"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("customers:list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_business_creates_a_customer(client):
    user = factories.business_user()
    client.force_login(user)
    response = client.post(
        reverse("customers:create"),
        {"name": "苏州工业园区水务有限公司", "contact_name": "沈科长", "contact_email": "bad"},
    )
    assert response.status_code == 200 and "contact_email" in response.context["form"].errors
    assert response.context["form"]["contact_name"].value() == "沈科长"  # kept as typed
    assert not Customer.objects.exists()
    response = client.post(
        reverse("customers:create"),
        {"name": "苏州工业园区水务有限公司", "contact_name": "沈科长"},
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    assert AuditEvent.objects.filter(action="customer.created").count() == 1
    client.force_login(factories.engineering_user())
    assert client.post(reverse("customers:create"), {"name": "X"}).status_code == 403


def _erp_customer_with_pm():
    project = factories.ProjectFactory(
        customer=factories.CustomerFactory(name="前海新能源", erp_id="ERP-C9", address="深圳")
    )
    return project.customer, project.business_pm


def test_the_business_pm_edits_contacts_but_not_what_the_erp_owns(client):
    customer, pm = _erp_customer_with_pm()
    client.force_login(pm)
    url = reverse("customers:detail", args=[customer.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form.fields["name"].disabled and form.fields["address"].disabled
    assert not form.fields["contact_name"].disabled
    data = read_form(page, having="contact_name")
    data.update(contact_name="黄总", contact_phone="0755-1234", name="改名", address="广州")
    response = client.post(url, data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.contact_name, customer.contact_phone) == ("黄总", "0755-1234")
    assert (customer.name, customer.address) == ("前海新能源", "深圳")  # posted, ignored
    # the same rule behind the API: an ERP-owned field is a 400 naming it
    api = APIClient()
    api.force_authenticate(pm)
    response = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = api.patch(f"/api/v1/customers/{customer.pk}/", {"notes": "周一拜访"}, format="json")
    assert response.status_code == 200
    # the ERP itself still writes them
    pmo = APIClient()
    pmo.force_authenticate(factories.pmo_user())
    response = pmo.put("/api/v1/erp/customers/ERP-C9/", {"name": "前海新能源集团"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.name == "前海新能源集团"


def test_a_stale_edit_is_shown_side_by_side_and_saves_nothing(client):
    customer, pm = _erp_customer_with_pm()
    client.force_login(pm)
    url = reverse("customers:detail", args=[customer.pk])
    data = read_form(client.get(url), having="contact_name")
    Customer.objects.get(pk=customer.pk).save()  # someone else saved meanwhile
    data.update(contact_name="我的修改")
    response = client.post(url, data)
    assert response.status_code == 409
    assert response.context["form"]["contact_name"].value() == "我的修改"
    customer.refresh_from_db()
    assert customer.contact_name == ""


def test_who_may_not_edit_sees_the_customer_read_only(client):
    customer, _pm = _erp_customer_with_pm()
    for user in (
        factories.business_user(),
        factories.engineering_user(),
        factories.executive_user(),
    ):
        client.force_login(user)
        url = reverse("customers:detail", args=[customer.pk])
        page = client.get(url)
        assert page.context["form"] is None and 'id="customer-readonly"' in page.content.decode()
        assert client.post(url, {"contact_name": "x"}).status_code == 403
