import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a request in English (or a view that
    activates the user's language) leaves the thread's language behind, and a later test
    that reads a label outside a request would otherwise depend on which test ran before."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


# --- rows the data migrations seed, back after a transactional test's flush -----------------
# A transactional test (transaction=True, live_server) ends with Django's flush, which empties
# every table, so the rows the data migrations wrote (the default handover template, the KPI
# definitions and scorecards) are gone for the tests after it. In one process pytest-django
# runs transactional tests last; `make test` runs two processes (pytest-xdist), where a
# transactional test file may come before others, so its rows are written again right after.
SEEDS = [
    ("handover.migrations.0002_default_template", "seed"),
    ("kpi.migrations.0002_kpi_definitions", "forwards"),
    ("kpi.migrations.0003_kpi_appraisal", "write_definitions"),
    ("kpi.migrations.0006_payment_timeliness", "forwards"),
]


def _transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # every fixture is torn down: a transactional test's flush has run
    if nextitem is None or not _transactional(item):
        return  # nothing runs after the last test (the test database is already dropped)
    import importlib  # only here: the hook runs before Django is set up at import time

    from django.apps import apps
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        with connection.schema_editor() as editor:
            for module, function in SEEDS:
                getattr(importlib.import_module(module), function)(apps, editor)
