import pytest
from django.core.cache import cache

from projects.core.models import Stage
from tests import factories
from tests.api.helpers import client_for, people_for


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()  # throttle counters live in the (shared) cache
    yield


@pytest.fixture
def project(db):
    return factories.ProjectFactory(
        stage=Stage.EXECUTION, erp_id="ERP-P-1", customer__erp_id="ERP-C-1"
    )


@pytest.fixture
def people(project):
    return people_for(project)


@pytest.fixture
def pmo_client(db):
    return client_for(factories.pmo_user())
