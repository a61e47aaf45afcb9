"""Bulk upserts announce each written row like the per-row path: one signed webhook per
created/updated row and subscribed endpoint, none for unchanged rows; the endpoints are
read once per batch (events.emit_many → deliveries.fan_out_many)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coordination.integration import deliveries, webhooks
from coordination.integration.models import WebhookDelivery
from tests import factories
from tests.erp.conftest import PROJECT_BODY

pytestmark = pytest.mark.django_db
BULK = "/api/v1/erp/projects/bulk/"


def _bulk(rows):
    api = APIClient()
    api.force_authenticate(factories.pmo_user(username="pmo_bulk"))
    response = api.post(BULK, rows, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_each_written_row_is_posted_signed_once_per_endpoint(
    endpoint, receiver, erp_refs, django_capture_on_commit_callbacks
):
    hook = endpoint(secret="top-secret")
    endpoint(name="stages only", events=["project.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        _bulk([{**PROJECT_BODY, "erp_id": "P-1"}])
    receiver.requests.clear()
    rows = [
        {**PROJECT_BODY, "erp_id": "P-1"},  # unchanged: no webhook
        {**PROJECT_BODY, "erp_id": "P-2"},
        {**PROJECT_BODY, "erp_id": "P-3", "business_pm": "nobody"},  # error: no webhook
        {**PROJECT_BODY, "erp_id": "P-4"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        results = _bulk(rows)
    assert [r["status"] for r in results] == ["unchanged", "created", "error", "created"]
    documents = [json.loads(r["body"]) for r in receiver.requests]
    assert sorted(d["data"]["erp_id"] for d in documents) == ["P-2", "P-4"]
    for request, document in zip(receiver.requests, documents, strict=True):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert webhooks.verify("top-secret", request["body"], headers["x-coordination-signature"])
        assert headers["x-coordination-event"] == "project.upserted"
        assert document["data"]["code"] in {results[1]["code"], results[3]["code"]}
    deliveries = WebhookDelivery.objects.filter(endpoint=hook).order_by("pk")
    assert [d.payload["erp_id"] for d in deliveries] == ["P-1", "P-2", "P-4"]
    assert len({d.delivery_id for d in deliveries}) == 3


def test_fan_out_reads_the_endpoints_once_per_batch(endpoint, receiver, erp_refs):
    endpoint()
    endpoint(name="second")
    payloads = [{"code": f"PRJ-{i}", "erp_id": f"P-{i}"} for i in range(20)]
    with CaptureQueriesContext(connection) as captured:
        ids = deliveries.fan_out_many("project.upserted", payloads)
    endpoint_reads = [q for q in captured if "webhookendpoint" in q["sql"]]
    assert len(endpoint_reads) == 1
    assert len(ids) == 40
    rows = WebhookDelivery.objects.filter(pk__in=ids).order_by("pk")
    assert [r.payload["code"] for r in rows][:4] == ["PRJ-0", "PRJ-0", "PRJ-1", "PRJ-1"]
    # the per-event listener is the same rule for one payload
    assert len(deliveries.fan_out("project.upserted", payloads[0])) == 2
