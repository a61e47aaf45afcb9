"""Login protection as an attacker and the user see it, at the three doors: the HTML login,
the admin login and the token endpoint (one policy on django-axes,
coordination/core/login_protection.py)."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.db.models import F
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345-secret"  # tests.factories.UserFactory's password
ATTACKER = "203.0.113.66"
USER_ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _policy(settings):
    cache.clear()
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    settings.LOGIN_BACKOFF_SECONDS = 60
    settings.LOGIN_LOCKOUT_SECONDS = 900
    yield
    cache.clear()


def _html(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _admin(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def _token(client, username, password):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
    )


def _logged_in(door, response, client) -> bool:
    if door is _token:
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "_auth_user_id" in client.session


DOORS = [
    pytest.param(_html, id="html"),
    pytest.param(_admin, id="admin"),
    pytest.param(_token, id="token"),
]


@pytest.mark.parametrize("door", DOORS)
def test_20_wrong_passwords_slow_the_attacker_not_the_user(door):
    factories.pmo_user(username="pmo", is_staff=True, is_superuser=True)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    codes = [door(attacker, "pmo", "wrong").status_code for _ in range(20)]
    assert codes[:5] == [401 if door is _token else 200] * 5
    assert set(codes[5:]) == {429}
    # the attacker is slowed: even the right password is refused from his address
    refused = door(attacker, "pmo", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert not _logged_in(door, refused, attacker)
    # the user, from another client, logs in with the right password
    user = Client(REMOTE_ADDR=USER_ADDRESS)
    assert _logged_in(door, door(user, "pmo", PASSWORD), user)


def test_backoff_doubles_with_every_failure_past_the_threshold(settings):
    factories.UserFactory(username="alice")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        _html(attacker, "alice", "wrong")
    first = int(_html(attacker, "alice", "wrong")["Retry-After"])
    assert 0 < first <= 60
    # simulate the wait being over (axes' row of the last failure, a minute older): a further
    # failure doubles the wait
    AccessAttempt.objects.filter(username="alice", ip_address=ATTACKER).update(
        attempt_time=F("attempt_time") - datetime.timedelta(seconds=61)
    )
    assert _html(attacker, "alice", "wrong").status_code == 200  # allowed, and fails
    assert 60 < int(_html(attacker, "alice", "wrong")["Retry-After"]) <= 120


def test_spraying_one_password_across_25_usernames_is_limited():
    for i in range(25):
        factories.UserFactory(username=f"user{i}")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    codes = [_html(attacker, f"user{i}", "Spring2026!").status_code for i in range(25)]
    assert codes[:20] == [200] * 20
    assert set(codes[20:]) == {429}
    # another address is not affected
    assert _html(Client(REMOTE_ADDR=USER_ADDRESS), "user3", PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies():
    factories.UserFactory(username="bob")
    codes = [
        Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.1.{i}.1")
        .post("/accounts/login/", {"username": "bob", "password": "wrong"})
        .status_code
        for i in range(8)
    ]
    assert codes[5:] == [429] * 3


def test_behind_one_trusted_proxy_each_client_has_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.UserFactory(username="carol")
    proxy = "10.0.0.2"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
    for _ in range(6):
        _html(attacker, "carol", "wrong")
    assert _html(attacker, "carol", PASSWORD).status_code == 429
    # a client-written address left of the proxy's is not believed
    spoof = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ATTACKER}")
    assert _html(spoof, "carol", PASSWORD).status_code == 429
    user = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=USER_ADDRESS)
    assert _html(user, "carol", PASSWORD).status_code == 302


def test_token_throttle_is_not_bypassed_by_x_forwarded_for():
    """30 different X-Forwarded-For values from one client: the throttle still answers 429."""
    factories.UserFactory(username="dave")
    codes = [
        Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.2.{i}.{i}")
        .post(
            "/api/v1/auth/token/",
            {"username": f"nobody{i}", "password": "wrong"},
            content_type="application/json",
        )
        .status_code
        for i in range(30)
    ]
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}


def test_admin_login_page_still_renders_and_logs_staff_in():
    factories.pmo_user(username="pmo2", is_staff=True, is_superuser=True)
    client = Client()
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200 and b'name="password"' in page.content
    response = _admin(client, "pmo2", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("url", ["/projects/", "/api/v1/projects/"])
def test_signed_in_pages_and_api_answers_are_not_stored(client, url):
    client.force_login(factories.pmo_user())
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_the_token_response_is_not_stored():
    factories.UserFactory(username="erin")
    response = _token(Client(), "erin", PASSWORD)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_x_forwarded_proto_skips_no_https_redirect_unless_configured(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None  # the default without TRUST_X_FORWARDED_PROTO
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def _lockout_pmo():
    """A PMO staff user who may see and lift lockouts (axes' AccessAttempt permissions)."""
    from django.contrib.auth.models import Permission

    pmo = factories.pmo_user(username="pmo_lock", is_staff=True)
    pmo.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="axes",
            codename__in=["view_accessattempt", "delete_accessattempt"],
        )
    )
    client = Client()
    client.force_login(pmo)
    return pmo, client


def test_pmo_sees_the_lockout_in_the_admin_and_lifts_it():
    from coordination.core.models import AuditEvent

    factories.UserFactory(username="alice")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        _html(attacker, "alice", "wrong")
    locked = _html(attacker, "alice", PASSWORD)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "登录失败次数过多，请稍后再试。" in locked.content.decode()  # on the login page
    assert b'name="password"' in locked.content

    pmo, admin = _lockout_pmo()
    assert "登录保护" in admin.get("/admin/").content.decode()
    page = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "登录失败记录" in page and "锁定剩余" in page
    assert "alice" in page and ATTACKER in page and "秒" in page and "未锁定" not in page

    attempt = AccessAttempt.objects.get(username="alice", ip_address=ATTACKER)
    lifted = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "lift", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "已解除 1 条锁定记录。" in lifted.content.decode()
    assert not AccessAttempt.objects.filter(username="alice").exists()
    event = AuditEvent.objects.get(action="login_lockout.lifted")
    assert event.actor == pmo and event.target_repr == f"alice @ {ATTACKER}"
    assert event.before["failures"] == 5
    # the user logs in again from that address
    again = Client(REMOTE_ADDR=ATTACKER)
    assert _logged_in(_html, _html(again, "alice", PASSWORD), again)


def test_lockouts_admin_is_for_pmo_and_costs_the_same_queries_at_any_size():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    with translation.override("en"):
        assert str(AccessAttempt._meta.verbose_name_plural) == "access attempts"
    with translation.override("zh-hans"):
        assert str(AccessAttempt._meta.verbose_name_plural) == "登录失败记录"
        assert str(AccessAttempt._meta.get_field("failures_since_start").verbose_name) == "失败次数"

    _pmo, admin = _lockout_pmo()

    def listing(n):
        for i in range(n):
            _html(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), f"nobody{i}", "wrong")
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/admin/axes/accessattempt/").status_code == 200
        return len(queries)

    assert listing(2) == listing(8)

    engineer = factories.UserFactory(username="eng_staff", is_staff=True)
    engineer.user_permissions.set(_pmo.user_permissions.all())
    outsider = Client()
    outsider.force_login(engineer)
    assert outsider.get("/admin/axes/accessattempt/").status_code == 403
