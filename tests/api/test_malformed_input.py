"""However malformed, a request never gets a 500 (API.md)."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

NASTY_VALUES = [
    None,
    "",
    "\x00",
    "a\x00b",
    "x" * 5000,
    -1,
    10**30,
    1.5,
    True,
    [],
    {},
    ["nested", {"deep": [1]}],
    "2026-02-30",
    "NaN",
    "Infinity",
    "1e400",
]
NASTY_QUERY = ["\x00", "%00", "'; drop table x;--", "9" * 40, "-1", "2026-13-01T00:00", "true'"]


@pytest.fixture
def urls(project):
    milestone = factories.MilestoneFactory(project=project)
    risk = factories.RiskFactory(project=project)
    return {
        "post": [
            "/api/v1/customers/",
            "/api/v1/projects/",
            f"/api/v1/projects/{project.code}/transition/",
            f"/api/v1/projects/{project.code}/milestones/",
            f"/api/v1/projects/{project.code}/risks/",
            "/api/v1/erp/projects/bulk/",
            "/api/v1/auth/token/",
        ],
        "patch": [
            f"/api/v1/customers/{project.customer_id}/",
            f"/api/v1/projects/{project.code}/",
            f"/api/v1/milestones/{milestone.pk}/",
            f"/api/v1/risks/{risk.pk}/",
        ],
        "put": ["/api/v1/erp/customers/C-X/", "/api/v1/erp/projects/P-X/"],
        "get": [
            "/api/v1/customers/",
            "/api/v1/projects/",
            f"/api/v1/projects/{project.code}/milestones/",
            f"/api/v1/projects/{project.code}/risks/",
        ],
    }


FIELDS = [
    "name",
    "erp_id",
    "customer",
    "customer_erp_id",
    "business_pm",
    "engineering_pm",
    "contract_value",
    "currency",
    "planned_start",
    "planned_end",
    "is_key_project",
    "primary_owner",
    "to",
    "reason",
    "override",
    "baseline_date",
    "forecast_date",
    "status",
    "probability",
    "impact",
    "owner",
    "title",
    "contact_email",
    "username",
    "password",
    "baseline_budget",
    "actual_date",
    "sequence",
    "stage",
]


def test_nasty_bodies_never_500(pmo_client, urls):
    for method in ("post", "patch", "put"):
        for url in urls[method]:
            for value in NASTY_VALUES:
                body = dict.fromkeys(FIELDS, value)
                if url.endswith("/bulk/"):
                    body = [body, value]
                response = getattr(pmo_client, method)(url, body, format="json")
                assert response.status_code < 500, (method, url, value, response.content[:300])
            for raw in ("", "{", "[]", "null", "1", '"x"', "\x00", '{"name": "\\u0000"}'):
                response = getattr(pmo_client, method)(url, raw, content_type="application/json")
                assert response.status_code < 500, (method, url, raw)


def test_nasty_queries_and_paths_never_500(pmo_client, urls):
    params = [
        "search",
        "updated_since",
        "stage",
        "customer",
        "business_pm",
        "engineering_pm",
        "is_key_project",
        "ordering",
        "page",
        "page_size",
        "erp_id",
        "status",
        "category",
    ]
    for url in urls["get"]:
        for value in NASTY_QUERY:
            for param in params:
                response = pmo_client.get(url, {param: value})
                assert response.status_code < 500, (url, param, value)
    for path in (
        "/api/v1/projects/%00/",
        "/api/v1/projects/a%00b/milestones/",
        "/api/v1/erp/customers/%00/",
        "/api/v1/customers/99999999999999999999/",
        "/api/v1/milestones/99999999999999999999/",
    ):
        assert pmo_client.get(path).status_code < 500, path
        assert pmo_client.put(path, {"name": "x"}, format="json").status_code < 500, path
