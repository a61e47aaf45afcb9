"""Every example in the OpenAPI schema is a valid instance of the schema it illustrates: an
integrator who posts a documented request body as it stands gets past validation of its shape
(the ERP bulk example was an array inside an array, so every row failed)."""

from __future__ import annotations

import copy

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema (draft 4): `nullable` becomes a null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node and "$ref" not in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def examples_with_schemas(schema: dict):
    """(where, example value, its schema) for every example of every request body and response."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, r) for status, r in operation.get("responses", {}).items()]
            for what, body in bodies:
                for media_type, content in body.get("content", {}).items():
                    for name, example in content.get("examples", {}).items():
                        where = f"{method.upper()} {path} {what} {media_type} {name}"
                        yield where, example["value"], content["schema"]


def invalid_examples(schema: dict) -> list[str]:
    components = _json_schema(copy.deepcopy(schema["components"]))
    problems = []
    for where, value, body_schema in examples_with_schemas(schema):
        root = {**_json_schema(body_schema), "components": components}
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft4Validator(root).iter_errors(value)
        )
        if error is not None:
            problems.append(f"{where}: {error.message} at {list(error.absolute_path)}")
    return problems


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_every_example_in_the_schema_is_valid_against_its_own_schema(schema):
    assert list(examples_with_schemas(schema))  # there are examples to check
    assert invalid_examples(schema) == []


def test_the_erp_bulk_example_is_an_array_of_rows(schema):
    body = schema["paths"]["/api/v1/erp/projects/bulk/"]["post"]["requestBody"]
    rows = body["content"]["application/json"]["examples"]["TwoRows"]["value"]
    assert [row["erp_id"] for row in rows] == ["P-1", "P-2"]


def test_the_checker_refuses_an_array_inside_an_array(schema):
    broken = copy.deepcopy(schema)
    body = broken["paths"]["/api/v1/erp/projects/bulk/"]["post"]["requestBody"]
    example = body["content"]["application/json"]["examples"]["TwoRows"]
    example["value"] = [example["value"]]
    assert any("/api/v1/erp/projects/bulk/ request" in p for p in invalid_examples(broken))
