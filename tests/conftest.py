import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def pmo(db):
    return factories.pmo_user(username="pmo_t")


@pytest.fixture
def project(db):
    return factories.ProjectFactory()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
