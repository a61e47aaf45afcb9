"""The statuses every route can answer are documented on every operation where they occur
(coordination.api.schema.postprocess_error_statuses): 401 wherever authentication is needed,
413 and 415 wherever a body is parsed, 429 everywhere, with their headers."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from coordination.api.schema import postprocess_error_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def operations(django_db_blocker):
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict)
    ]


def _missing(operations, status, applies) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for method, path, operation in operations
        if applies(method, operation) and status not in operation["responses"]
    ]


def test_401_with_www_authenticate_on_every_operation_needing_authentication(operations):
    authenticated = [(m, p, o) for m, p, o in operations if any(r for r in o.get("security") or [])]
    assert len(authenticated) > 100
    assert _missing(authenticated, "401", lambda m, o: True) == []
    for method, path, operation in authenticated:
        headers = operation["responses"]["401"].get("headers", {})
        assert "WWW-Authenticate" in headers, (method, path)
    token = next(o for m, p, o in operations if p == "/api/v1/auth/token/")
    assert "401" in token["responses"]  # wrong credentials, without a security requirement


def test_413_and_415_on_every_operation_with_a_body_or_a_write(operations):
    def applies(method, operation):
        return "requestBody" in operation or method in ("post", "put", "patch")

    assert _missing(operations, "413", applies) == []
    assert _missing(operations, "415", applies) == []
    reads = [(m, p, o) for m, p, o in operations if m == "get"]
    assert reads and _missing(reads, "415", lambda m, o: True) == [f"GET {p}" for _, p, _ in reads]


def test_429_with_retry_after_on_every_operation(operations):
    assert _missing(operations, "429", lambda m, o: True) == []
    for method, path, operation in operations:
        header = operation["responses"]["429"]["headers"]["Retry-After"]
        assert header["schema"]["type"] == "integer", (method, path)


def test_the_hook_completes_what_a_view_documented_itself():
    """A view's own 401 and 429 (without headers or description) get them; a DELETE that
    declares a body gets 413 and 415; an operation without security gets no 401."""
    result = {
        "paths": {
            "/api/v1/things/{id}/": {
                "delete": {
                    "parameters": [{"in": "path", "name": "id"}],
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "security": [{"tokenAuth": []}],
                    "responses": {"204": {"description": ""}, "429": {"description": ""}},
                },
                "get": {"responses": {"200": {"description": ""}, "401": {"description": ""}}},
            }
        }
    }
    postprocess_error_statuses(result, None, None, True)
    delete = result["paths"]["/api/v1/things/{id}/"]["delete"]["responses"]
    assert {"400", "401", "403", "404", "413", "415", "429"} <= set(delete)
    assert "Retry-After" in delete["429"]["headers"] and delete["429"]["description"]
    get = result["paths"]["/api/v1/things/{id}/"]["get"]["responses"]
    assert "WWW-Authenticate" in get["401"]["headers"] and get["401"]["description"]
    assert "403" not in get and "413" not in get
