import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from coordination.core.tokens.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_right_password_gives_a_token_that_authenticates():
    user = factories.business_user(username="biz", password="s3cret-pass")
    response = APIClient().post(URL, {"username": "biz", "password": "s3cret-pass"}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    assert ApiToken.objects.get(user=user).token_key == response.json()["token"][:15]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/customers/").status_code == 200


def test_wrong_password_is_401():
    factories.business_user(username="biz", password="s3cret-pass")
    response = APIClient().post(URL, {"username": "biz", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not ApiToken.objects.exists()


def test_missing_fields_are_400_naming_them():
    response = APIClient().post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_invalid_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/projects/").status_code == 401


# --- the second factor at this door (the browser's rule: coordination.accounts.rules) -------


def _enrolled(username="biz2fa"):
    user = factories.business_user(username=username, password="s3cret-pass")
    return user, TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def _code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_user_with_a_second_factor_gets_no_token_by_password_alone():
    user, device = _enrolled()
    body = {"username": "biz2fa", "password": "s3cret-pass"}
    alone = APIClient().post(URL, body, format="json")
    assert alone.status_code == 401
    assert alone.json()["otp_required"] is True
    wrong = APIClient().post(URL, {**body, "otp": "000000"}, format="json")
    assert wrong.status_code == 401 and wrong.json()["otp_required"] is True
    assert not ApiToken.objects.filter(user=user).exists()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # past django-otp's wait after the wrong code
    device.save()
    ok = APIClient().post(URL, {**body, "otp": _code(device)}, format="json")
    assert ok.status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1
    again = APIClient().post(URL, {**body, "otp": _code(device)}, format="json")
    assert again.status_code == 401  # a code is good once
    assert ApiToken.objects.filter(user=user).count() == 1


def test_a_wrong_password_never_says_whether_a_second_factor_exists():
    _enrolled()
    response = APIClient().post(URL, {"username": "biz2fa", "password": "nope"}, format="json")
    assert response.status_code == 401 and "otp_required" not in response.json()


def test_staff_who_must_use_a_second_factor_set_it_up_in_the_browser_first(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    factories.pmo_user(username="pmo2fa", password="s3cret-pass")
    response = APIClient().post(
        URL, {"username": "pmo2fa", "password": "s3cret-pass"}, format="json"
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_malformed_code_is_400():
    _enrolled()
    body = {"username": "biz2fa", "password": "s3cret-pass", "otp": "12ab"}
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400 and "otp" in response.json()
