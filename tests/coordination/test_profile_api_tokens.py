"""The profile page lists my live API tokens (device, created, last use, expiry in local time)
and revokes one with a POST (CSRF, audited); never another user's (404)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from coordination.core.tokens.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def api(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def me(client):
    user = factories.business_user(username="me")
    client.force_login(user)
    return user


def test_profile_lists_my_live_tokens_in_local_time(
    me, client, settings, django_assert_max_num_queries
):
    factories.api_token(me, name="ERP 同步脚本")
    laptop = factories.api_token(me, name="笔记本")
    api(laptop).get("/api/v1/customers/")  # records its last use
    factories.api_token(me, name="过期的", expiry=datetime.timedelta(hours=-1))
    factories.api_token(factories.business_user(), name="别人的")
    with django_assert_max_num_queries(12):
        html = client.get("/profile/").content.decode()
    assert "ERP 同步脚本" in html and "笔记本" in html
    assert "过期的" not in html and "别人的" not in html
    assert html.count('action="/profile/tokens/') == 2
    token = ApiToken.objects.get(name="笔记本")
    local = timezone.localtime(token.expiry)  # TIME_ZONE (Asia/Shanghai), not UTC
    assert local.utcoffset() == datetime.timedelta(hours=8)
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert "从未使用" in html  # the script's token was never used


def test_the_list_is_in_english_too(me, client):
    factories.api_token(me, name="laptop")
    me.profile.language = "en"
    me.profile.save()
    client.cookies["django_language"] = "en"
    html = client.get("/profile/").content.decode()
    assert "API tokens" in html and "Last used" in html and "Revoke" in html
    assert "吊销" not in html


def test_revoking_a_token_on_the_profile_page(me, client):
    key = factories.api_token(me, name="旧手机")
    other = factories.api_token(me, name="笔记本")
    token = ApiToken.objects.get(name="旧手机")
    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert api(key).get("/api/v1/customers/").status_code == 401
    assert api(other).get("/api/v1/customers/").status_code == 200
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == me and event.reason == "profile" and event.before["name"] == "旧手机"
    page = client.get("/profile/").content.decode()
    assert "旧手机" not in page and re.search("令牌已吊销", page)


def test_another_users_token_is_404_and_stays(me, client):
    key = factories.api_token(factories.business_user(), name="别人的")
    token = ApiToken.objects.get(name="别人的")
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/profile/tokens/{token.pk}/revoke/").status_code == 405
    assert api(key).get("/api/v1/customers/").status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_revoking_needs_the_csrf_token(me):
    factories.api_token(me, name="笔记本")
    token = ApiToken.objects.get()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(me)
    assert browser.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_executive_revokes_their_own_token(client):
    boss = factories.executive_user()
    client.force_login(boss)
    factories.api_token(boss, name="平板")
    token = ApiToken.objects.get()
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.exists()


def test_pmo_revokes_tokens_in_the_admin(client):
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    key = factories.api_token(factories.business_user(), name="泄露的")
    token = ApiToken.objects.get()
    listing = client.get("/admin/coordination/apitoken/").content.decode()
    assert "泄露的" in listing and key not in listing and token.digest not in listing
    response = client.post(
        "/admin/coordination/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert api(key).get("/api/v1/customers/").status_code == 401
    assert AuditEvent.objects.get(action="api_token.revoked").reason == "admin"
