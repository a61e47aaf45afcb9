"""Concurrent requests on real PostgreSQL transactions (threads, transaction=True)."""

import threading

import pytest
from django.db import connection

from coordination.core.models import AuditEvent
from coordination.integration.models import ApiScope, IdempotencyRecord, WebhookDelivery
from projects.core.models import Customer, Project
from tests.erp.conftest import PROJECT_BODY, token_client

pytestmark = pytest.mark.django_db(transaction=True)


def _together(n: int, call) -> list:
    """Run `call()` in n threads released at the same moment; return their results."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_identical_concurrent_upserts_give_one_project_and_one_webhook(
    make_api_client, erp_refs, endpoint, receiver
):
    endpoint()
    _client, key, _api = make_api_client(
        scopes=[ApiScope.READ, ApiScope.WRITE_PROJECTS], throttle_rate="1000/min"
    )

    def put():
        return (
            token_client(key)
            .put("/api/v1/erp/projects/P-RACE/", PROJECT_BODY, format="json")
            .status_code
        )

    statuses = _together(20, put)
    assert sorted(statuses) == [200] * 19 + [201], statuses
    assert Project.objects.filter(erp_id="P-RACE").count() == 1
    assert AuditEvent.objects.filter(action="project.upserted").count() == 1
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_concurrent_requests_with_one_idempotency_key_execute_once(make_api_client):
    _client, key, _api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])

    def post():
        response = token_client(key).post(
            "/api/v1/customers/",
            {"name": "南京地铁集团"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="create-nj-metro",
        )
        return response.status_code

    statuses = _together(10, post)
    assert Customer.objects.count() == 1
    # one created it; the others got its answer replayed or were told it is still running
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}, statuses
    assert IdempotencyRecord.objects.get().status_code == 201
