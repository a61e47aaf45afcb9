"""Security headers, CSRF on every session write, login throttling (HTML and token)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.security import routes
from tests.security.matrix import MATRIX, TOKEN_ONLY

pytestmark = pytest.mark.django_db

CSRF_EXEMPT = {
    "api/v1/auth/token/",  # no session, no cookie: username + password in the body
    "chat/callback/feishu/",  # no session: Feishu signs the body (docs/integrations.md)
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("url", ["/accounts/login/", "/projects/", "/api/v1/projects/"])
def test_security_headers_on_pages_and_api(client, url):
    client.force_login(factories.pmo_user())
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "script-src 'self';" in csp and "'unsafe-eval'" not in csp  # tests/security/test_csp.py


def test_pages_load_scripts_only_from_our_own_static_files(client):
    client.force_login(factories.pmo_user())
    html = client.get("/projects/").content.decode()
    assert '<script src="http' not in html and "cdn" not in html.lower()


def test_every_session_write_without_csrf_token_is_403():
    """A logged-in browser session POST/PUT/PATCH/DELETE without the CSRF token: 403."""
    project = factories.ProjectFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.pmo_user())
    refs = {"project.code": project.code, "project.erp_id": "ERP-1", "customer.erp_id": "C-1"}
    accepted = {}
    for route, entry in MATRIX.items():
        if route in CSRF_EXEMPT or route in TOKEN_ONLY:
            continue
        kwargs = {k: refs.get(v, "999999") for k, v in entry.get("kwargs", {}).items()}
        url = "/" + routes._PARAM.sub(lambda m, kw=kwargs: kw[m.group(1)], route)
        for method in routes.WRITE_METHODS:
            if method not in entry:
                continue
            if url.startswith("/api/"):
                response = getattr(client, method)(url, "{}", content_type="application/json")
            else:
                response = getattr(client, method)(url, {})
            if response.status_code != 403:
                accepted[f"{method.upper()} {route}"] = response.status_code
    # 405: the route refuses the method before anything runs (e.g. GET-only pages)
    assert not {k: v for k, v in accepted.items() if v != 405}, accepted


def test_session_write_with_csrf_token_goes_through():
    project = factories.ProjectFactory(stage="execution")
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.pmo_user())
    client.get("/projects/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/v1/projects/{project.code}/risks/",
        {"title": "钢材涨价", "category": "material_price"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


def test_html_login_locks_a_username_and_ip_out_after_repeated_failures(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    factories.UserFactory(username="alice")  # password pw-12345-secret
    url = reverse("login")
    for _ in range(3):
        response = client.post(url, {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # even the right password is refused while locked out
    response = client.post(url, {"username": "Alice", "password": "pw-12345-secret"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another client address is not locked out
    other = Client(REMOTE_ADDR="10.0.0.9")
    response = other.post(url, {"username": "alice", "password": "pw-12345-secret"})
    assert response.status_code == 302


def test_html_login_success_resets_the_failure_count(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    factories.UserFactory(username="bob")
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "bob", "password": "wrong"})
    assert client.post(url, {"username": "bob", "password": "pw-12345-secret"}).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(url, {"username": "bob", "password": "wrong"}).status_code == 200


def test_token_endpoint_is_throttled():
    """ScopedRateThrottle "login" (10/min) is on the view itself, so it is active in tests."""
    factories.UserFactory(username="carol")
    client = Client()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "carol", "password": "wrong"},
            content_type="application/json",
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
