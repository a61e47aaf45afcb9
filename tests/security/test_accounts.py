"""Accounts as a user sees them: password reset by e-mail (in the user's language, throttled,
the same answer for unknown addresses), password change, and the TOTP second factor (enrol,
the code after the password, required for staff and PMO when OTP_REQUIRED_FOR_STAFF is on).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.core.models import AuditEvent, Department
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345-secret"  # tests.factories.UserFactory's password
NEW_PASSWORD = "Brand-new-Pa55phrase"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the throttle counters live in Redis, which outlives a run
    yield
    cache.clear()


def _user(language="zh-hans", **kwargs):
    user = factories.UserFactory(**kwargs)
    user.profile.language = language
    user.profile.save()
    return user


def _reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def _login(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


# --- password reset -----------------------------------------------------------------------


@override_settings(SITE_URL="https://hub.example.com")
@pytest.mark.parametrize(
    "language, subject, phrase",
    [
        ("zh-hans", "重置你在协同中心的密码", "打开下面的链接设置新密码"),
        ("en", "Reset your Coordination Hub password", "Open the link below"),
    ],
)
def test_reset_mail_is_written_in_the_users_language(language, subject, phrase):
    user = _user(language=language)
    response = Client().post("/accounts/password_reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == subject
    assert phrase in message.body
    assert "https://hub.example.com/accounts/reset/" in message.body


def test_reset_link_sets_a_new_password_once():
    user = _user()
    Client().post("/accounts/password_reset/", {"email": user.email})
    link = _reset_link(mail.outbox[0])
    client = Client()
    page = client.get(link, follow=True)  # Django moves the token into the session
    assert page.status_code == 200
    assert "new_password1" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset", actor=user).count() == 1
    # the link is spent
    again = Client().get(link, follow=True)
    assert "new_password1" not in again.content.decode()
    assert "这个重置链接无效" in again.content.decode()


def test_an_unknown_email_answers_like_a_known_one():
    known = _user()
    answers = [
        Client().post("/accounts/password_reset/", {"email": email})
        for email in (known.email, "nobody@example.com")
    ]
    assert [(r.status_code, r["Location"]) for r in answers] == [
        (302, "/accounts/password_reset/done/")
    ] * 2
    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_MAX_PER_EMAIL=5, PASSWORD_RESET_MAX_PER_ADDRESS=100)
def test_reset_requests_for_one_email_are_throttled_after_five():
    user = _user()
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post("/accounts/password_reset/", {"email": user.email})
        .status_code
        for i in range(7)
    ]
    assert statuses == [302] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    refused = Client().post("/accounts/password_reset/", {"email": user.email})
    assert int(refused["Retry-After"]) > 0
    assert "重置密码的请求过多" in refused.content.decode()
    # unknown addresses are counted the same way (the 429 tells nothing about existence)
    unknown = [
        Client().post("/accounts/password_reset/", {"email": "ghost@example.com"}).status_code
        for _ in range(6)
    ]
    assert unknown[-1] == 429


@override_settings(PASSWORD_RESET_MAX_PER_EMAIL=100, PASSWORD_RESET_MAX_PER_ADDRESS=5)
def test_reset_requests_from_one_address_are_throttled_after_five():
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.post("/accounts/password_reset/", {"email": f"u{i}@example.com"}).status_code
        for i in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post("/accounts/password_reset/", {"email": "u9@example.com"}).status_code == 302


def test_login_page_links_to_the_reset_page():
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page
    assert "忘记密码？" in page


# --- password change ----------------------------------------------------------------------


def test_change_password_then_only_the_new_one_logs_in():
    user = _user()
    client = Client()
    client.force_login(user)
    assert 'href="/accounts/password_change/"' in client.get("/profile/").content.decode()
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "is-invalid" in wrong.content.decode() or "旧密码" in wrong.content.decode()
    done = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password_change/done/"
    assert client.get("/profile/").status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action="account.password_changed", actor=user).count() == 1
    assert "_auth_user_id" not in _login(Client(), user, PASSWORD).wsgi_request.session
    assert _login(Client(), user, NEW_PASSWORD).status_code == 302


def test_english_pages():
    user = _user(language="en")
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password_change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change password" in page
    reset = Client().get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Forgot your password" in reset.content.decode()


# --- the second factor --------------------------------------------------------------------


def _code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def test_enrol_shows_a_qr_code_and_key_and_confirms_with_a_code():
    user = _user()
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/two-factor/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    key = re.search(r'id="manual-key">([A-Z2-7]+)<', html).group(1)
    assert not TOTPDevice.objects.filter(user=user).exists()  # nothing saved before confirming
    wrong = client.post("/accounts/two-factor/", {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    pending = TOTPDevice(user=user, key=__import__("base64").b32decode(key).hex())
    done = client.post("/accounts/two-factor/", {"token": _code(pending)})
    assert done.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == pending.key
    assert AuditEvent.objects.filter(action="account.otp_enrolled", actor=user).count() == 1
    assert client.get("/").status_code == 200  # this session is verified by that code


def test_login_asks_for_the_code_after_the_password():
    user = _user()
    device = _device(user)
    client = Client()
    response = _login(client, user)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith("/accounts/two-factor/verify/?next=/")
    assert client.get("/api/v1/projects/").status_code == 403  # the session, not verified
    refused = client.post("/accounts/two-factor/verify/", {"token": "000000", "next": "/"})
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # past django-otp's wait after a wrong code
    device.save()
    ok = client.post("/accounts/two-factor/verify/", {"token": _code(device), "next": "/profile/"})
    assert ok.status_code == 302 and ok["Location"] == "/profile/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/projects/").status_code == 200


def test_a_wrong_code_makes_the_next_try_wait():
    user = _user()
    device = _device(user)
    client = Client()
    _login(client, user)
    client.post("/accounts/two-factor/verify/", {"token": "000000"})
    right_too_soon = client.post("/accounts/two-factor/verify/", {"token": _code(device)})
    assert right_too_soon.status_code == 400
    assert "验证码错误次数过多" in right_too_soon.content.decode()


def test_a_code_is_not_accepted_twice():
    user = _user()
    device = _device(user)
    code = _code(device)
    first, second = Client(), Client()
    _login(first, user)
    _login(second, user)
    assert first.post("/accounts/two-factor/verify/", {"token": code}).status_code == 302
    assert second.post("/accounts/two-factor/verify/", {"token": code}).status_code == 400


def test_a_user_without_a_device_is_not_asked():
    user = _user()
    client = Client()
    _login(client, user)
    assert client.get("/").status_code == 200


def test_remove_the_second_factor_with_a_code():
    user = _user()
    device = _device(user)
    client = Client()
    client.force_login(user)  # force_login too is asked for the code
    client.post("/accounts/two-factor/verify/", {"token": _code(device)})
    device.refresh_from_db()
    device.last_t -= 1  # the next code of the same time step (a test's shortcut)
    device.save()
    client.post("/accounts/two-factor/disable/", {"token": _code(device)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="account.otp_removed", actor=user).count() == 1


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
@pytest.mark.parametrize(
    "kind", ["staff", "pmo_department", "superuser"], ids=["staff", "pmo", "superuser"]
)
def test_staff_and_pmo_are_sent_to_enrolment_and_reach_nothing_else(kind):
    user = {
        "staff": lambda: _user(is_staff=True),
        "pmo_department": lambda: _user(department=Department.PMO),
        "superuser": lambda: _user(is_staff=True, is_superuser=True),
    }[kind]()
    client = Client()
    assert _login(client, user).status_code == 302
    for url in ("/", "/projects/", "/profile/", "/admin/", "/accounts/password_change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/?next="), url
    assert client.get("/api/v1/projects/").status_code == 403
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "必须使用两步验证" in page.content.decode()
    key = re.search(r'id="manual-key">([A-Z2-7]+)<', page.content.decode()).group(1)
    pending = TOTPDevice(user=user, key=__import__("base64").b32decode(key).hex())
    done = client.post("/accounts/two-factor/", {"token": _code(pending), "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/").status_code == 200
    if user.is_staff:
        assert client.get("/admin/").status_code == 200
    # required: it cannot be switched off by the user
    device = TOTPDevice.objects.get(user=user)
    device.last_t -= 1
    device.save()
    client.post("/accounts/two-factor/disable/", {"token": _code(device)})
    assert TOTPDevice.objects.filter(user=user).exists()


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_admin_login_of_enrolled_staff_asks_for_the_code():
    user = _user(is_staff=True, is_superuser=True)
    device = _device(user)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    admin = client.get("/admin/")
    assert admin["Location"].startswith("/accounts/two-factor/verify/?next=/admin/")
    client.post("/accounts/two-factor/verify/", {"token": _code(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_the_requirement_leaves_other_users_alone():
    user = _user()
    client = Client()
    _login(client, user)
    assert client.get("/").status_code == 200


def test_off_by_default_in_tests_so_force_login_of_staff_works():
    client = Client()
    client.force_login(_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
