"""Strict input (issue #18, item 7): ERP ids, amounts and datetimes are refused with a 400
that says why, and nothing is written; every serializer of the API uses the shared fields
of coordination/api/fields.py, so endpoints added later inherit the rules."""

from __future__ import annotations

import importlib
import re
from urllib.parse import quote

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from coordination.api.fields import (
    ERP_ID_PATTERN,
    AsciiDecimalField,
    ErpIdField,
    OffsetDateTimeField,
)
from coordination.core.models import AuditEvent
from coordination.kickoff.models import KickoffMeeting
from projects.core.models import Customer, Project
from tests import factories
from tests.api.helpers import client_for
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db

BLANK_IDS = [" ", "   ", "\u200b", "\u200b\u200b", "\ufeff", "\u3000", "\u00a0", "\t"]
INVISIBLE_INSIDE = ["C-\u200b1", "C-\u202e1", "C-\x001", "C-\x1b1", "C-\u20601", "C\u00ad-1"]


def _project_body(customer, **extra):
    return {
        "name": "厂房扩建",
        "customer_erp_id": customer.erp_id,
        "business_pm": factories.business_user().username,
        "engineering_pm": factories.engineering_user().username,
        **extra,
    }


# ------------------------------------------------------------------------------ ERP ids


@pytest.mark.parametrize("erp_id", BLANK_IDS + INVISIBLE_INSIDE)
def test_an_erp_id_in_the_path_that_is_blank_or_invisible_is_a_400(pmo_client, erp_id):
    customers, audits = Customer.objects.count(), AuditEvent.objects.count()
    response = pmo_client.put(
        f"/api/v1/erp/customers/{quote(erp_id)}/", {"name": "客户"}, format="json"
    )
    assert response.status_code == 400, response.content[:200]
    assert "零宽字符" in response.json()["erp_id"][0]
    response = pmo_client.put(
        f"/api/v1/erp/projects/{quote(erp_id)}/",
        _project_body(factories.CustomerFactory(erp_id="C-OK")),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["erp_id"]
    assert Customer.objects.count() == customers + 1  # the C-OK of the project body only
    assert not Project.objects.exists()
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("erp_id", BLANK_IDS + INVISIBLE_INSIDE)
def test_an_erp_id_in_a_body_that_is_blank_or_invisible_is_a_400(pmo_client, erp_id):
    response = pmo_client.post("/api/v1/customers/", {"name": "客户", "erp_id": erp_id})
    assert response.status_code == 400, response.content[:200]
    assert list(response.json()) == ["erp_id"]
    assert not Customer.objects.exists()
    customer = factories.CustomerFactory(erp_id="C-1")
    response = pmo_client.put(
        "/api/v1/erp/projects/P-1/", _project_body(customer, customer_erp_id=erp_id)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["customer_erp_id"]
    bulk = pmo_client.post(
        "/api/v1/erp/projects/bulk/",
        [
            {**_project_body(customer), "erp_id": erp_id},
            {**_project_body(customer), "erp_id": "P-2"},
        ],
    )
    assert bulk.status_code == 200
    rows = bulk.json()
    assert rows[0]["status"] == "error" and list(rows[0]["errors"]) == ["erp_id"]
    assert rows[1]["status"] == "created"
    assert list(Project.objects.values_list("erp_id", flat=True)) == ["P-2"]


def test_an_erp_id_is_trimmed_and_empty_still_means_none(pmo_client):
    response = pmo_client.post("/api/v1/customers/", {"name": "甲", "erp_id": "  C-7 "})
    assert response.status_code == 201
    assert response.json()["erp_id"] == "C-7"
    response = pmo_client.post("/api/v1/customers/", {"name": "乙", "erp_id": ""})
    assert response.status_code == 201
    assert response.json()["erp_id"] is None
    customer = Customer.objects.get(name="甲")
    response = pmo_client.put(
        "/api/v1/erp/projects/P-9/", _project_body(customer, customer_erp_id=" C-7 ")
    )
    assert response.status_code == 201, response.json()


def test_the_erp_id_rule_is_in_the_schema_as_a_pattern():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    customer = components["Customer"]["properties"]["erp_id"]["oneOf"]  # or "" (none)
    assert customer[0]["pattern"] == ERP_ID_PATTERN and customer[1]["maxLength"] == 0
    row = components["ErpProjectBulkRowRequest"]["properties"]["erp_id"]
    assert row["pattern"] == ERP_ID_PATTERN
    for path in ("/api/v1/erp/customers/{erp_id}/", "/api/v1/erp/projects/{erp_id}/"):
        (param,) = [p for p in schema["paths"][path]["put"]["parameters"] if p["in"] == "path"]
        assert param["schema"]["pattern"] == ERP_ID_PATTERN
    pattern = re.compile(ERP_ID_PATTERN)
    assert pattern.match("C-10023") and pattern.match("客户 001")
    assert not any(pattern.match(x) for x in BLANK_IDS + INVISIBLE_INSIDE + [" C-1", "C-1 "])


# ------------------------------------------------------------------------------ amounts


@pytest.mark.parametrize("amount", ["１２３", "１２３.００", "١٢٣", "12３", "१२३"])
def test_an_amount_in_other_digits_than_ascii_is_a_400_that_says_so(pmo_client, amount):
    customer = factories.CustomerFactory(erp_id="C-1")
    body = {
        "name": "厂房",
        "customer": customer.pk,
        "business_pm": factories.business_user().username,
        "engineering_pm": factories.engineering_user().username,
        "contract_value": amount,
    }
    response = pmo_client.post("/api/v1/projects/", body)
    assert response.status_code == 400
    assert "半角数字" in response.json()["contract_value"][0]
    response = pmo_client.put(
        "/api/v1/erp/projects/P-1/", _project_body(customer, contract_value=amount)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["contract_value"]
    bulk = pmo_client.post(
        "/api/v1/erp/projects/bulk/",
        [{**_project_body(customer, contract_value=amount), "erp_id": "P-2"}],
    )
    assert bulk.json()[0]["status"] == "error"
    assert list(bulk.json()[0]["errors"]) == ["contract_value"]
    assert not Project.objects.exists()


def test_ascii_amounts_are_stored_as_before(pmo_client):
    customer = factories.CustomerFactory(erp_id="C-1")
    response = pmo_client.put(
        "/api/v1/erp/projects/P-1/", _project_body(customer, contract_value="1234567.50")
    )
    assert response.status_code == 201
    assert response.json()["contract_value"] == "1234567.50"
    project = Project.objects.get(erp_id="P-1")
    response = pmo_client.patch(f"/api/v1/projects/{project.code}/", {"contract_value": 99})
    assert response.status_code == 200
    assert response.json()["contract_value"] == "99.00"


# ------------------------------------------------------------------------------ datetimes


def test_a_datetime_without_an_offset_is_a_400_saying_an_offset_is_required():
    team = Team()
    client = client_for(team.business_pm)
    url = f"/api/v1/projects/{team.project.code}/kickoff/"
    for naive in ("2026-03-02T09:30:00", "2026-03-02 09:30", "2026-03-02T09:30:00.123"):
        response = client.post(url, {"scheduled_at": naive}, format="json")
        assert response.status_code == 400, naive
        assert "时区偏移" in response.json()["scheduled_at"][0]
    assert not KickoffMeeting.objects.exists()
    response = client.post(url, {"scheduled_at": "2026-03-02T01:30:00Z"}, format="json")
    assert response.status_code == 201
    assert response.json()["scheduled_at"] == "2026-03-02T09:30:00+08:00"


def test_updated_since_without_an_offset_is_a_400(pmo_client):
    response = pmo_client.get("/api/v1/projects/", {"updated_since": "2026-03-02T09:30:00"})
    assert response.status_code == 400
    assert list(response.json()) == ["updated_since"]


# ------------------------------------------------------------ every serializer, the shared fields

API_MODULES = [
    "projects.api.serializers",
    "projects.api.erp",
    "projects.api.views",
    "projects.presales.api",
    "projects.changes.api",
    "projects.payments.api",
    "handover.api",
    "kpi.api",
    "coordination.reviews.api",
    "coordination.kickoff.api",
    "coordination.api.views",
]


def _product_serializers():
    for name in API_MODULES:
        importlib.import_module(name)
    seen, todo = set(), [serializers.Serializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    prefixes = ("projects.", "coordination.", "handover.", "kpi.")
    return sorted(
        (c for c in seen if c.__module__.startswith(prefixes) and c.__module__ != __name__),
        key=lambda c: (c.__module__, c.__qualname__),
    )


def _writable_fields(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _writable_fields(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.ListField | serializers.DictField):
            yield f"{prefix}{name}[]", field.child
        else:
            yield f"{prefix}{name}", field


def test_every_api_serializer_takes_erp_ids_amounts_and_datetimes_through_the_shared_fields():
    """New endpoints: use coordination.api.fields (ErpIdField, AsciiDecimalField,
    OffsetDateTimeField, ModelSerializer) instead of DRF's CharField/DecimalField/
    DateTimeField/ModelSerializer for these."""
    offenders, checked = [], 0
    for cls in _product_serializers():
        try:
            instance = cls()
            fields = instance.fields
        except (TypeError, AssertionError):  # needs arguments, or an abstract base
            continue
        checked += 1
        for name, field in _writable_fields(instance) if fields else ():
            where = f"{cls.__module__}.{cls.__qualname__}.{name}"
            kind = type(field)
            if kind is serializers.DecimalField:
                offenders.append(f"{where}: DecimalField, use AsciiDecimalField")
            if kind is serializers.DateTimeField:
                offenders.append(f"{where}: DateTimeField, use OffsetDateTimeField")
            if name.rsplit(".", 1)[-1].endswith("erp_id") and not isinstance(field, ErpIdField):
                offenders.append(f"{where}: {kind.__name__}, use ErpIdField")
    assert checked >= 20
    assert offenders == []
    assert {AsciiDecimalField, OffsetDateTimeField, ErpIdField}
