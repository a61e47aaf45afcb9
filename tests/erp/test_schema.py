"""The OpenAPI schema of the whole project: valid, no warnings, ERP endpoints fully described."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ERP_ENDPOINTS = {
    "/api/v1/erp/customers/{erp_id}/": "put",
    "/api/v1/erp/projects/{erp_id}/": "put",
    "/api/v1/erp/projects/bulk/": "post",
}


@pytest.fixture(scope="module")
def generated():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, warnings


def test_schema_is_valid_and_has_no_warnings(generated):
    schema, warnings = generated
    validate_schema(schema)
    assert warnings == []


def test_erp_endpoints_have_examples_and_errors(generated):
    schema, _warnings = generated
    for path, method in ERP_ENDPOINTS.items():
        operation = schema["paths"][path][method]
        body = operation["requestBody"]["content"]["application/json"]
        assert body.get("examples"), path
        assert {"200", "400", "401", "403", "429"} <= set(operation["responses"]), path


def test_every_api_post_documents_the_idempotency_key(generated):
    schema, _warnings = generated
    posts = [
        (path, ops["post"])
        for path, ops in schema["paths"].items()
        if "post" in ops and path != "/api/v1/auth/token/"
    ]
    assert len(posts) > 10
    for path, operation in posts:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, path
        assert "409" in operation["responses"], path
