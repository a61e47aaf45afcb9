"""POST /api/v1/requirements/parse/ as API.md names it."""

import pytest

from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/requirements/parse/"


def test_a_manager_gets_the_items_of_a_requirement_text():
    client = client_for(factories.UserFactory())
    response = client.post(
        URL, {"text": "签约后30天内完成，尽快交付；金额约5万元。"}, format="json"
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["text"] for i in items] == ["签约后30天内完成，尽快交付", "金额约5万元"]
    assert items[0]["dates"] == ["签约后30天内"] and items[0]["vague_terms"] == ["尽快"]
    assert items[1]["amounts"] == [{"value": "50000", "currency": "CNY"}]
    assert set(items[0]) == {
        "text",
        "start",
        "end",
        "category",
        "quantities",
        "dates",
        "amounts",
        "standards",
        "responsible",
        "vague_terms",
    }


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": "字" * 20_001}])
def test_a_missing_empty_or_too_long_text_is_a_400_naming_text(body):
    client = client_for(factories.UserFactory())
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_without_credentials_it_is_a_401():
    from rest_framework.test import APIClient

    assert APIClient().post(URL, {"text": "尽快"}, format="json").status_code == 401
