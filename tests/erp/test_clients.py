"""API clients: hashed scoped tokens, scopes enforced, audited as the client, rotation, 429."""

import datetime

import pytest
from django.utils import timezone

from coordination.core.models import AuditEvent
from coordination.integration import services as integration
from coordination.integration.models import ApiClientToken, ApiScope, hash_token
from projects.core.models import Customer
from tests import factories
from tests.erp.conftest import token_client

pytestmark = pytest.mark.django_db
CUSTOMER = "/api/v1/erp/customers/C-1/"


def test_key_is_stored_only_as_its_hash(make_api_client):
    client, key, _ = make_api_client()
    token = ApiClientToken.objects.get(client=client)
    assert token.key_hash == hash_token(key) != key
    assert key not in str(list(ApiClientToken.objects.values()))
    assert key.startswith(token.prefix)


def test_user_tokens_still_work():
    user = factories.pmo_user()
    assert token_client(factories.api_token(user)).get("/api/v1/projects/").status_code == 200


def test_client_token_reads_and_records_use(make_api_client):
    client, _key, api = make_api_client(scopes=[ApiScope.READ])
    assert api.get("/api/v1/customers/").status_code == 200
    client.refresh_from_db()
    assert client.last_used_at is not None
    assert ApiClientToken.objects.get(client=client).last_used_at is not None


def test_bad_inactive_and_unknown_keys_are_401(make_api_client):
    client, key, api = make_api_client()
    assert token_client("hubc_nope").get("/api/v1/customers/").status_code == 401
    client.active = False
    client.save()
    assert api.get("/api/v1/customers/").status_code == 401


@pytest.mark.parametrize(
    "scopes, method, url, expected",
    [
        ([], "get", "/api/v1/customers/", 403),
        ([ApiScope.READ], "get", "/api/v1/customers/", 200),
        ([ApiScope.READ], "put", CUSTOMER, 403),
        ([ApiScope.WRITE_PROJECTS], "put", CUSTOMER, 403),
        ([ApiScope.WRITE_CUSTOMERS], "put", CUSTOMER, 201),
        ([ApiScope.WRITE_CUSTOMERS], "post", "/api/v1/customers/", 201),
        ([ApiScope.READ, ApiScope.WRITE_CUSTOMERS], "put", "/api/v1/erp/projects/P-1/", 403),
    ],
)
def test_scopes_are_enforced(make_api_client, scopes, method, url, expected):
    _client, _key, api = make_api_client(scopes=scopes)
    response = getattr(api, method)(url, {"name": "南京地铁集团"}, format="json")
    assert response.status_code == expected, response.content
    if expected == 403:
        assert not Customer.objects.exists()


def test_writes_of_a_client_are_audited_as_it(make_api_client):
    _client, _key, api = make_api_client(name="SAP-华东", scopes=[ApiScope.WRITE_CUSTOMERS])
    assert api.put(CUSTOMER, {"name": "南京地铁集团"}, format="json").status_code == 201
    event = AuditEvent.objects.get(action="customer.upserted")
    assert event.actor_label == "api:SAP-华东"


def test_service_user_created_for_the_client_sees_like_pmo(make_api_client):
    project = factories.ProjectFactory()
    client, _key, api = make_api_client(scopes=[ApiScope.READ])
    assert not client.user.has_usable_password()
    response = api.get(f"/api/v1/projects/{project.code}/")
    assert response.status_code == 200


def test_a_client_acting_as_a_given_user_sees_what_that_user_sees(make_api_client):
    project = factories.ProjectFactory()
    outsider = factories.finance_user()
    _client, _key, api = make_api_client(scopes=[ApiScope.READ], user=outsider)
    assert api.get(f"/api/v1/projects/{project.code}/").status_code == 404


def test_rotation_keeps_the_old_key_for_the_grace_period(make_api_client):
    client, old_key, old_api = make_api_client(scopes=[ApiScope.READ])
    new_key = integration.rotate_token(client.pk, grace=datetime.timedelta(hours=1))
    assert new_key != old_key
    assert old_api.get("/api/v1/customers/").status_code == 200
    assert token_client(new_key).get("/api/v1/customers/").status_code == 200

    ApiClientToken.objects.filter(key_hash=hash_token(old_key)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert old_api.get("/api/v1/customers/").status_code == 401
    assert token_client(new_key).get("/api/v1/customers/").status_code == 200
    assert AuditEvent.objects.filter(action="api_client.token_rotated").count() == 1


def test_rotation_without_grace_revokes_at_once(make_api_client):
    client, _old_key, old_api = make_api_client(scopes=[ApiScope.READ])
    new_key = integration.rotate_token(client.pk, grace=None)
    assert old_api.get("/api/v1/customers/").status_code == 401
    assert token_client(new_key).get("/api/v1/customers/").status_code == 200


def test_each_client_is_throttled_at_its_own_rate(make_api_client):
    _slow, _key, slow_api = make_api_client(name="slow", throttle_rate="3/min")
    _fast, _key2, fast_api = make_api_client(name="fast", throttle_rate="100/min")
    statuses = [slow_api.get("/api/v1/customers/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = slow_api.get("/api/v1/customers/")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert fast_api.get("/api/v1/customers/").status_code == 200


def test_admin_creates_a_client_and_shows_its_key_once(client):
    admin = factories.pmo_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/coordination/apiclient/add/",
        {
            "name": "Kingdee",
            "active": "on",
            "scopes": ["read", "write_projects"],
            "throttle_rate": "600/min",
            "notes": "",
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
            "tokens-MIN_NUM_FORMS": "0",
            "tokens-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    created = integration.ApiClient.objects.get(name="Kingdee")
    assert created.scopes == ["read", "write_projects"]
    assert created.user.username.startswith("api_kingdee")
    key = next(part for m in shown for part in m.split(">") if part.startswith("hubc_"))
    key = key.split("<")[0]
    assert token_client(key).get("/api/v1/customers/").status_code == 200

    rotate = client.post(
        "/admin/coordination/apiclient/",
        {"action": "rotate_revoke_now", "_selected_action": [created.pk]},
        follow=True,
    )
    assert rotate.status_code == 200
    assert token_client(key).get("/api/v1/customers/").status_code == 401


def test_a_clients_own_rate_replaces_the_per_user_rate():
    from coordination.api.throttling import ApiClientRateThrottle, UserRateThrottle

    class Req:
        user = factories.pmo_user()
        auth = None

    assert UserRateThrottle().get_cache_key(Req, None) is not None
    assert ApiClientRateThrottle().get_cache_key(Req, None) is None

    client, _key = integration.create_api_client(name="SAP", scopes=[])
    Req.auth = ApiClientToken.objects.get(client=client)
    Req.user = client.user
    assert UserRateThrottle().get_cache_key(Req, None) is None
    assert ApiClientRateThrottle().get_cache_key(Req, None) == f"throttle_api_client_{client.pk}"


def test_admin_changes_scopes_and_the_change_is_audited(client, make_api_client):
    api_client, _key, api = make_api_client(name="SAP", scopes=[ApiScope.READ])
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/coordination/apiclient/{api_client.pk}/change/",
        {
            "name": "SAP",
            "active": "on",
            "scopes": ["read", "write_customers"],
            "user": api_client.user_id,
            "throttle_rate": "100/min",
            "notes": "",
            "tokens-TOTAL_FORMS": "1",
            "tokens-INITIAL_FORMS": "1",
            "tokens-MIN_NUM_FORMS": "0",
            "tokens-MAX_NUM_FORMS": "1000",
            "tokens-0-id": ApiClientToken.objects.get(client=api_client).pk,
            "tokens-0-client": api_client.pk,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    api_client.refresh_from_db()
    assert api_client.scopes == ["read", "write_customers"]
    assert api.put(CUSTOMER, {"name": "南京地铁集团"}, format="json").status_code == 201
    event = AuditEvent.objects.get(action="api_client.updated")
    assert event.after["scopes"] == ["read", "write_customers"]
