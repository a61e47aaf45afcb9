import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.integration import DEMO_CLIENT, seed_integration
from coordination.integration.models import ApiClient
from tests.erp.conftest import token_client

pytestmark = pytest.mark.django_db


def test_demo_client_is_seeded_once_and_its_printed_key_works():
    lines = []
    ctx = DemoContext(today=datetime.date(2026, 11, 25), log=lines.append)
    seed_integration(ctx)
    seed_integration(ctx)
    assert ApiClient.objects.filter(name=DEMO_CLIENT).count() == 1
    key = lines[0].rsplit(" ", 1)[-1]
    assert token_client(key).get("/api/v1/projects/").status_code == 200
