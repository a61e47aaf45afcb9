import pytest
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
