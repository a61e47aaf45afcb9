"""A quick bounded schemathesis run over every API operation, as a PMO user's token and as a
plain member's (the low-privilege view: mostly 403 and 404), each request with a fresh
Idempotency-Key: 0 server errors, 0 schema violations, 0 auth bypasses (bench/fuzz_api.py
runs longer)."""

from __future__ import annotations

import os
import pprint

import pytest
from django.core.cache import cache

from tests import factories
from tests.security import fuzz
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("SEC_FUZZ_EXAMPLES", 3))


@pytest.mark.parametrize("user", ["pmo", "other_dept"])
def test_api_fuzz_no_server_error_schema_violation_or_auth_bypass(user):
    cache.clear()
    world = build_world()
    token = factories.api_token(world.users[user])
    schema = fuzz.load_schema()
    result = fuzz.fuzz(schema, world, token=token, max_examples=MAX_EXAMPLES, seed=42)
    figures = fuzz.summary(result)
    print("fuzz figures:", figures)
    bad = {k: v for k, v in result["failures"].items() if k in fuzz.MUST_BE_ZERO}
    assert figures["requests"] > figures["operations"]
    assert not bad, pprint.pformat(bad, width=120)
    assert figures["5xx_responses"] == 0
