"""429 documents its Retry-After header on every operation (not only in prose)."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_every_429_response_declares_the_retry_after_header(client):
    schema = json.loads(
        client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and "429" in operation.get("responses", {})
        and "Retry-After" not in operation["responses"]["429"].get("headers", {})
    ]
    assert not missing, missing
    assert any(
        "429" in op.get("responses", {}) for ops in schema["paths"].values() for op in ops.values()
    )
