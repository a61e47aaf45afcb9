import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

OUR_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/customers/": {"get", "post"},
    "/api/v1/customers/{id}/": {"get", "patch"},
    "/api/v1/erp/customers/{erp_id}/": {"put"},
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{code}/": {"get", "patch"},
    "/api/v1/erp/projects/{erp_id}/": {"put"},
    "/api/v1/erp/projects/bulk/": {"post"},
    "/api/v1/projects/{code}/transition/": {"post"},
    "/api/v1/projects/{code}/milestones/": {"get", "post"},
    "/api/v1/milestones/{id}/": {"get", "patch"},
    "/api/v1/projects/{code}/risks/": {"get", "post"},
    "/api/v1/risks/{id}/": {"get", "patch"},
}


def test_schema_documents_every_endpoint_with_its_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for path, methods in OUR_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
        for method in methods - {"get"}:
            operation = schema["paths"][path][method]
            assert "requestBody" in operation, (path, method)
            assert "400" in operation["responses"], (path, method)
    transition = schema["paths"]["/api/v1/projects/{code}/transition/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(transition)
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert {"code", "erp_id", "stage", "business_pm", "engineering_pm", "updated_at"} <= set(
        project
    )
    params = {p["name"] for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}
    assert {
        "stage",
        "customer",
        "business_pm",
        "engineering_pm",
        "is_key_project",
        "updated_since",
        "search",
        "page",
        "page_size",
        "ordering",
    } <= params


OUR_VIEWS = [
    "CustomerListView",
    "CustomerDetailView",
    "ErpCustomerUpsertView",
    "ProjectListView",
    "ProjectDetailView",
    "ErpProjectUpsertView",
    "ErpProjectBulkView",
    "ProjectTransitionView",
    "MilestoneListView",
    "MilestoneDetailView",
    "RiskListView",
    "RiskDetailView",
    "ObtainTokenView",
]


def test_our_endpoints_generate_no_schema_warnings():
    """Other apps' warnings are theirs; ours (views, serializers, filters) must be none."""
    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    SchemaGenerator().get_schema(request=None, public=True)
    messages = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    ours = [
        m
        for m in messages
        if "projects/api/views.py" in m
        or "projects/api/serializers.py" in m
        or "projects/api/filters.py" in m
        or "projects/api/erp.py" in m
        or any(f"[{view}" in m for view in OUR_VIEWS)
    ]
    assert ours == []


def test_schema_endpoint_serves_json():
    response = client_for(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/projects/" in response.json()["paths"]


def test_docs_page_loads_nothing_from_the_internet():
    response = client_for(None).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](https?:)?//""", html)
    assert external == []
    for asset in re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", html):
        assert asset.startswith("/static/"), asset


# The records two people may edit: each write sends If-Match (412 when stale) and answers
# the new ETag; each read of the record answers its ETag (API.md).
CONDITIONAL_WRITES = {
    ("/api/v1/projects/{code}/", "patch"),
    ("/api/v1/projects/{code}/transition/", "post"),
    ("/api/v1/milestones/{id}/", "patch"),
    ("/api/v1/reviews/{id}/", "patch"),
    ("/api/v1/projects/{code}/kickoff/", "patch"),
    ("/api/v1/projects/{code}/kickoff/hold/", "post"),
    ("/api/v1/change-requests/{id}/", "patch"),
    ("/api/v1/change-requests/{id}/submit/", "post"),
    ("/api/v1/change-requests/{id}/approve/", "post"),
    ("/api/v1/feasibility/{id}/", "patch"),
    ("/api/v1/feasibility/{id}/submit/", "post"),
    ("/api/v1/feasibility/{id}/approve/", "post"),
    ("/api/v1/feasibility/{id}/return/", "post"),
    ("/api/v1/projects/{code}/quote/", "put"),
    ("/api/v1/customers/{id}/", "patch"),
}
TAGGED_READS = {
    "/api/v1/projects/{code}/",
    "/api/v1/milestones/{id}/",
    "/api/v1/reviews/{id}/",
    "/api/v1/projects/{code}/kickoff/",
    "/api/v1/change-requests/{id}/",
    "/api/v1/feasibility/{id}/",
    "/api/v1/projects/{code}/quote/",
    "/api/v1/customers/{id}/",
}


def test_schema_documents_etag_if_match_and_412_on_the_records_two_people_edit():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path, method in CONDITIONAL_WRITES:
        operation = paths[path][method]
        header = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert not header["If-Match"].get("required"), (path, method)
        assert "412" in operation["responses"], (path, method)
        assert operation["responses"]["412"]["content"]["application/json"]["schema"], path
    for path in TAGGED_READS:
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"], path
    for path, method in CONDITIONAL_WRITES - {("/api/v1/projects/{code}/kickoff/hold/", "post")}:
        assert "ETag" in paths[path][method]["responses"]["200"]["headers"], (path, method)
