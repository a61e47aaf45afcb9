"""`Idempotency-Key` on API POSTs: replay, 409 on another body, per principal, expiry."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coordination.integration.models import ApiScope, IdempotencyRecord
from projects.core.models import Customer
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def _post(api, body, key="k-1"):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_replays_the_first_answer(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    first = _post(api, {"name": "南京地铁集团"})
    again = _post(api, {"name": "南京地铁集团"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


def test_same_key_with_another_body_is_409(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    assert _post(api, {"name": "南京地铁集团"}).status_code == 201
    response = _post(api, {"name": "上海地铁集团"})
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Customer.objects.count() == 1


def test_without_a_key_each_post_executes():
    api = APIClient()
    api.force_authenticate(factories.pmo_user())
    api.post(URL, {"name": "A"}, format="json")
    api.post(URL, {"name": "A"}, format="json")
    assert Customer.objects.count() == 2


def test_keys_belong_to_their_principal(make_api_client):
    _a, _ka, sap = make_api_client(name="SAP", scopes=[ApiScope.WRITE_CUSTOMERS])
    _b, _kb, kingdee = make_api_client(name="Kingdee", scopes=[ApiScope.WRITE_CUSTOMERS])
    assert _post(sap, {"name": "A"}).status_code == 201
    assert _post(kingdee, {"name": "A"}).status_code == 201
    assert Customer.objects.count() == 2


def test_session_users_get_it_too():
    api = APIClient()
    api.force_login(factories.pmo_user())  # signed in: the principal is the session's user
    first = _post(api, {"name": "A"})
    again = _post(api, {"name": "A"})
    assert first.json() == again.json() and Customer.objects.count() == 1


def test_errors_are_replayed_but_refusals_are_not_stored(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    bad = _post(api, {"name": ""}, key="bad")
    assert bad.status_code == 400
    assert _post(api, {"name": ""}, key="bad").json() == bad.json()
    _ro, _k, read_only = make_api_client(name="ro", scopes=[ApiScope.READ])
    assert _post(read_only, {"name": "A"}, key="ro").status_code == 403
    assert not IdempotencyRecord.objects.filter(key="ro").exists()


def test_expired_keys_execute_again(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    _post(api, {"name": "A"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _post(api, {"name": "A"}).status_code == 201
    assert Customer.objects.count() == 2


def test_works_on_the_bulk_endpoint(make_api_client, erp_refs):
    from tests.erp.conftest import PROJECT_BODY

    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_PROJECTS])
    rows = [{**PROJECT_BODY, "erp_id": "B-1"}]
    first = api.post("/api/v1/erp/projects/bulk/", rows, format="json", HTTP_IDEMPOTENCY_KEY="b")
    again = api.post("/api/v1/erp/projects/bulk/", rows, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert first.json() == again.json()
    assert first.json()[0]["status"] == "created"  # the replay does not say "unchanged"


def test_an_oversized_key_is_400(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    assert _post(api, {"name": "A"}, key="x" * 300).status_code == 400
    assert not Customer.objects.exists()


def test_a_claim_abandoned_by_a_dead_process_is_taken_over(make_api_client):
    _client, _key, api = make_api_client(scopes=[ApiScope.WRITE_CUSTOMERS])
    _post(api, {"name": "A"})
    record = IdempotencyRecord.objects.get()
    IdempotencyRecord.objects.update(status_code=None, response_body=None)
    assert _post(api, {"name": "A"}).status_code == 409  # still running, as far as we know
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert _post(api, {"name": "A"}).status_code == 201
    assert Customer.objects.count() == 2
