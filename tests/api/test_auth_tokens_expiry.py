"""People's API tokens end: one per device, each with an expiry; logout revokes the token
used; a revoked or expired token answers 401 everywhere; ERP client tokens are unaffected;
tokens issued before knox keep their key until they end (docs/security.md, "API tokens")."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from coordination.core.tokens.models import ApiToken
from coordination.integration import services as integration
from coordination.integration.models import ApiScope
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
LOGOUT_ALL_URL = "/api/v1/auth/logout-all/"
READ = "/api/v1/customers/"
WRITE = "/api/v1/customers/"  # POST with an empty body: 400 once past authentication


def login(username="biz", password="s3cret-pass", **extra):
    body = {"username": username, "password": password, **extra}
    response = APIClient().post(TOKEN_URL, body, format="json", HTTP_USER_AGENT="curl/8.5")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_refused(key):
    """401 with `WWW-Authenticate: Token` on a read and on a write."""
    client = with_token(key)
    for response in (client.get(READ), client.post(WRITE, {}, format="json")):
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["detail"]


@pytest.fixture
def biz():
    return factories.business_user(username="biz", password="s3cret-pass")


def test_each_login_is_a_new_token_with_its_expiry_and_device(biz, settings):
    settings.API_TOKEN_TTL_HOURS = 5
    before = timezone.now()
    laptop = login(device="笔记本")
    phone = login()
    assert set(laptop) == {"token", "expiry"} and laptop["token"] != phone["token"]
    expiry = parse_datetime(laptop["expiry"])
    assert (
        before + datetime.timedelta(hours=5)
        <= expiry
        <= timezone.now() + datetime.timedelta(hours=5)
    )
    assert with_token(laptop["token"]).get(READ).status_code == 200
    assert with_token(phone["token"]).get(READ).status_code == 200
    names = set(ApiToken.objects.filter(user=biz).values_list("name", flat=True))
    assert names == {"笔记本", "curl/8.5"}  # no device given: the User-Agent
    # only the hash is stored
    assert laptop["token"] not in str(list(ApiToken.objects.values()))
    assert AuditEvent.objects.filter(action="api_token.issued", actor=biz).count() == 2


def test_an_expired_token_is_401_everywhere(biz):
    key = login()["token"]
    ApiToken.objects.filter(user=biz).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert_refused(key)


def test_logout_revokes_only_the_token_used(biz):
    laptop, phone = login()["token"], login()["token"]
    response = with_token(laptop).post(LOGOUT_URL)
    assert response.status_code == 204 and not response.content
    assert_refused(laptop)
    assert with_token(laptop).post(LOGOUT_URL).status_code == 401  # once only
    assert with_token(phone).get(READ).status_code == 200
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == biz and event.reason == "logout" and laptop not in str(event.before)


def test_logout_all_revokes_every_device(biz):
    keys = [login()["token"] for _ in range(3)]
    assert with_token(keys[0]).post(LOGOUT_ALL_URL).status_code == 204
    for key in keys:
        assert_refused(key)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 3


def test_an_executive_logs_out_too():
    factories.executive_user(username="boss", password="s3cret-pass")
    key = login("boss")["token"]
    assert with_token(key).post(LOGOUT_URL).status_code == 204
    assert_refused(key)


def test_logout_needs_a_token_and_a_session_revokes_nothing(biz, client):
    key = login()["token"]
    client.force_login(biz)
    assert client.post(LOGOUT_URL).status_code == 401  # a session has no token to revoke
    assert APIClient().post(LOGOUT_URL).status_code == 401
    assert with_token(key).get(READ).status_code == 200


def test_logging_out_of_the_browser_revokes_no_api_token(biz, client):
    key = login()["token"]
    client.force_login(biz)
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert with_token(key).get(READ).status_code == 200


def test_an_erp_client_token_is_unaffected(biz):
    client, erp_key = integration.create_api_client(name="SAP", scopes=[ApiScope.READ])
    key = login()["token"]
    assert with_token(key).post(LOGOUT_ALL_URL).status_code == 204
    erp = with_token(erp_key)
    assert erp.get(READ).status_code == 200
    refused = erp.post(LOGOUT_URL)
    assert refused.status_code == 403 and refused.json()["detail"]  # PMO rotates it in the admin
    assert erp.get(READ).status_code == 200


def test_use_is_recorded_at_most_once_a_minute(biz, django_assert_num_queries):
    key = login()["token"]
    token = ApiToken.objects.get(user=biz)
    assert token.last_used_at is None
    client = with_token(key)
    with django_assert_num_queries(3):  # token+user+profile+groups, last use, the page
        assert client.get(READ, {"page_size": 1}).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(2):  # within the minute: no write
        assert client.get(READ, {"page_size": 1}).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first


def test_an_inactive_users_token_is_401(biz):
    key = login()["token"]
    biz.is_active = False
    biz.save()
    assert_refused(key)


@pytest.mark.parametrize("header", ["Token " + "x" * 500, "Token caf\u00e9", "Token  "])
def test_malformed_keys_are_401_never_500(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(READ).status_code == 401


def test_a_drf_token_from_before_keeps_its_key_until_it_ends(biz, settings):
    """Migration 0014: a plain DRF token becomes an ApiToken with the same key, ending
    API_TOKEN_TTL_HOURS after the migration; the plain key is deleted."""
    settings.API_TOKEN_TTL_HOURS = 48
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [legacy_key, timezone.now() - datetime.timedelta(days=400), biz.pk],
        )
    migration = importlib.import_module("coordination.migrations.0014_api_tokens")
    with connection.schema_editor() as editor:
        migration.carry_over_drf_tokens(apps, editor)

    token = ApiToken.objects.get(user=biz)
    assert token.legacy and token.created < timezone.now() - datetime.timedelta(days=399)
    hours = (token.expiry - timezone.now()).total_seconds() / 3600
    assert 47.9 < hours <= 48
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert with_token(legacy_key).get(READ).status_code == 200
    assert with_token(legacy_key).post(LOGOUT_URL).status_code == 204
    assert_refused(legacy_key)


def test_schema_documents_the_token_routes(pmo_client):
    schema = pmo_client.get("/api/schema/", {"format": "json"}).json()
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    ok = token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    response_schema = schema["components"]["schemas"][ok.rsplit("/", 1)[1]]
    assert set(response_schema["properties"]) == {"token", "expiry"}
    request_ref = token["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "device" in schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]["properties"]
    for path in ("/api/v1/auth/logout/", "/api/v1/auth/logout-all/"):
        operation = schema["paths"][path]["post"]
        assert {"204", "401", "403"} <= set(operation["responses"]), path
        assert operation["description"]
