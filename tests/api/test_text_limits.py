"""Every free text the API accepts has a maximum length, stated in the schema and enforced:
one character too many is a 400 naming the field, and nothing changes (coordination.core.limits).
The HTML form of the same field carries the same limit (maxlength and its validation)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import AuditEvent
from kpi.models import Complaint
from projects.core.forms import CustomerForm, RiskForm
from projects.core.models import Customer, Risk, Stage
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

# strings whose format bounds them (a date, a decimal, a file part …) need no maxLength
BOUNDED_FORMATS = {"date", "date-time", "time", "decimal", "binary", "uuid", "email", "uri"}
_UNBOUNDED = re.compile(r"(?<!\\)[*+]|\{\d+,\}")


def _bounded_pattern(pattern: str | None) -> bool:
    """An anchored pattern without `*`, `+` or `{n,}` allows strings of a bounded length."""
    return (
        bool(pattern)
        and pattern.startswith("^")
        and pattern.endswith("$")
        and (not _UNBOUNDED.search(pattern))
    )


def unbounded_request_strings(schema: dict) -> list[str]:
    components = schema["components"]["schemas"]
    found: set[str] = set()

    def walk(node, where: str, seen: frozenset):
        if isinstance(node, list):
            for item in node:
                walk(item, where, seen)
            return
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], name, seen | {name})
            return
        if (
            node.get("type") == "string"
            and "maxLength" not in node
            and "enum" not in node
            and node.get("format") not in BOUNDED_FORMATS
            and not _bounded_pattern(node.get("pattern"))
        ):
            found.add(where)
        for name, sub in node.get("properties", {}).items():
            walk(sub, f"{where}.{name}", seen)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], f"{where}[]", seen)
        for key in ("allOf", "oneOf", "anyOf"):
            walk(node.get(key, []), where, seen)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for content_type, content in operation["requestBody"]["content"].items():
                walk(content["schema"], f"{method.upper()} {path} ({content_type})", frozenset())
    return sorted(found)


def test_every_string_of_every_request_body_states_a_max_length():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert unbounded_request_strings(schema) == []
    project = schema["components"]["schemas"]["ProjectRequest"]["properties"]
    assert project["description"]["maxLength"] == TEXT_MAX_LENGTH
    assert project["business_pm"]["maxLength"] == 150  # a username (SlugRelatedField)
    customer = schema["components"]["schemas"]["CustomerRequest"]["properties"]
    assert customer["notes"]["maxLength"] == NOTE_MAX_LENGTH


def test_the_walker_finds_an_unbounded_string():
    schema = {
        "components": {"schemas": {"Body": {"properties": {"text": {"type": "string"}}}}},
        "paths": {
            "/x/": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Body"}}
                        }
                    }
                }
            }
        },
    }
    assert unbounded_request_strings(schema) == ["Body.text"]
    assert _bounded_pattern(r"^[A-Z]{3}$") and not _bounded_pattern(r"^[a-z]*$")


# ---------------------------------------------------------------- enforced by the server
def _too_long(limit: int) -> str:
    return "长" * (limit + 1)


def test_a_risk_description_one_character_too_long_is_a_400_and_creates_nothing(project):
    client = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/risks/"
    body = {"title": "供货延迟", "probability": 3, "impact": 3}
    response = client.post(url, {**body, "description": _too_long(TEXT_MAX_LENGTH)}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["description"]
    assert not Risk.objects.exists()
    ok = client.post(url, {**body, "description": "长" * TEXT_MAX_LENGTH}, format="json")
    assert ok.status_code == 201, ok.json()


def test_customer_notes_too_long_are_a_400_and_change_nothing(project):
    customer = project.customer
    before = (customer.notes, customer.updated_at)
    response = client_for(factories.pmo_user()).patch(
        f"/api/v1/customers/{customer.pk}/", {"notes": _too_long(NOTE_MAX_LENGTH)}, format="json"
    )
    assert response.status_code == 400 and "notes" in response.json()
    customer.refresh_from_db()
    assert (customer.notes, customer.updated_at) == before


def test_a_transition_reason_too_long_is_a_400_and_moves_nothing(project):
    events = AuditEvent.objects.count()
    response = client_for(project.business_pm).post(
        f"/api/v1/projects/{project.code}/transition/",
        {"to": Stage.ON_HOLD, "reason": _too_long(NOTE_MAX_LENGTH)},
        format="json",
    )
    assert response.status_code == 400 and "reason" in response.json()
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION and AuditEvent.objects.count() == events


def test_a_complaint_description_too_long_is_a_400_and_stores_nothing(project):
    response = client_for(project.engineering_pm).post(
        f"/api/v1/projects/{project.code}/complaints/",
        {
            "source": "internal",
            "category": "requirement",
            "severity": "high",
            "description": _too_long(TEXT_MAX_LENGTH),
            "responsible_department": "business",
        },
        format="json",
    )
    assert response.status_code == 400 and "description" in response.json()
    assert not Complaint.objects.exists()


def test_a_project_patch_with_too_long_needs_is_a_400(project):
    response = client_for(project.business_pm).patch(
        f"/api/v1/projects/{project.code}/",
        {"customer_core_needs": _too_long(TEXT_MAX_LENGTH)},
        format="json",
    )
    assert response.status_code == 400 and "customer_core_needs" in response.json()
    project.refresh_from_db()
    assert project.customer_core_needs == ""


# ---------------------------------------------------------------- the same limit in the forms
def test_the_html_forms_carry_the_same_limits():
    risk = RiskForm()
    assert risk.fields["description"].max_length == TEXT_MAX_LENGTH
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in str(risk["description"])
    customer = CustomerForm()
    assert customer.fields["notes"].max_length == NOTE_MAX_LENGTH
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in str(customer["notes"])


def test_the_new_customer_page_shows_the_limit_and_refuses_too_long_notes(client):
    client.force_login(factories.pmo_user())
    url = reverse("customers:create")
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in client.get(url).content.decode()
    response = client.post(url, {"name": "长江建设", "notes": _too_long(NOTE_MAX_LENGTH)})
    assert response.status_code == 200  # the form again, with the field's error
    assert "notes" in response.context["form"].errors
    assert not Customer.objects.filter(name="长江建设").exists()


# ---------------------------------------------------------------- lists in a body
def test_a_list_of_ids_past_its_limit_is_a_400_before_any_is_looked_up(
    django_assert_max_num_queries,
):
    from coordination.core.limits import ITEMS_MAX
    from projects.changes.models import ChangeRequest
    from tests.changes import factories as change_factories

    c = change_factories.cast()
    client = client_for(c.biz_pm)
    body = {
        "title": "增加一条输送线",
        "origin": "customer",
        "affected_milestones": [c.milestone.pk] * (ITEMS_MAX + 1),
    }
    with django_assert_max_num_queries(30):  # not one query per id
        response = client.post(
            f"/api/v1/projects/{c.project.code}/change-requests/", body, format="json"
        )
    assert response.status_code == 400 and "affected_milestones" in response.json()
    assert not ChangeRequest.objects.exists()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["ChangeRequestRequest"]["properties"]
    assert field["affected_milestones"]["maxItems"] == ITEMS_MAX
