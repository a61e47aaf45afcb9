"""Enumerate the URL resolver, and send one request as one role (used by the matrix tests)."""

from __future__ import annotations

import re

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

WRITE_METHODS = ("post", "put", "patch", "delete")
METHOD_ORDER = ("get", "post", "put", "patch", "delete")
# The request each cell sends: no body worth accepting. A role that may act gets past the
# permission check and is refused by validation (400/409) or sees a re-rendered form (200);
# a role that may not gets 401/403/404 (or a redirect to the login page).
EMPTY_JSON = "{}"


def walk(patterns=None, prefix=""):
    """(route string, callback) for every URL pattern, nested includes flattened."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def view_methods(callback) -> tuple[str, ...] | None:
    """HTTP methods a class-based view implements (None for a function view)."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return None
    return tuple(m for m in METHOD_ORDER if hasattr(cls, m))


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(route: str, kwargs: dict, world) -> str:
    def repl(m):
        ref = kwargs[m.group(1)]
        return str(world.value(ref)) if "." in ref else ref

    return "/" + _PARAM.sub(repl, route)


def make_clients(world) -> dict[str, Client]:
    clients = {}
    for role in ("anon", "erp", *world.users):
        c = Client()
        if role == "erp":
            c.defaults["HTTP_AUTHORIZATION"] = f"Token {world.erp_key}"
        elif role != "anon":
            c.force_login(world.users[role])
        clients[role] = c
    return clients


def request_status(client: Client, method: str, url: str, body: str = EMPTY_JSON) -> int:
    """The status of one request; whatever it wrote is rolled back (cells are independent).
    `body`: the JSON an API write sends (HTML writes post an empty form)."""
    return request(client, method, url, body).status_code


def request(client: Client, method: str, url: str, body: str = EMPTY_JSON):
    """One request whose writes are rolled back; its response."""
    is_api = url.startswith("/api/")
    cookies = client.cookies  # a logout (or login) must not change the role of later cells
    client.cookies = cookies.__class__(cookies)
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        elif is_api:
            response = getattr(client, method)(url, body, content_type="application/json")
        elif method == "post":
            response = client.post(url, {})
        else:
            response = getattr(client, method)(url)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


_PK_OBJECTS = [  # (route fragment before <pk>/<item_id>, world object)
    ("profile/tokens/", "api_token"),
    ("job-rotations/", "rotation"),
    ("survey-invitations/", "survey_invitation"),
    ("complaints/", "complaint"),
    ("customers/", "customer"),
    ("comments/", "comment"),
    ("project-members/", "membership"),
    ("members/", "membership"),
    ("milestones/", "milestone"),
    ("risks/", "risk"),
    ("feasibility/", "feasibility"),
    ("change-requests/", "cr"),
    ("changes/", "cr"),
    ("action-items/", "action_item"),
    ("cadences/", "company_cadence"),
    ("lessons/", "lesson"),
    ("reviews/", "review"),
    ("commitments/", "commitment"),
    ("notifications/", "notification"),
    ("handover-items/", "handover_item"),
    ("handover/items/", "handover_item"),
    ("task-dependencies/", "task_dependency"),
    ("document-versions/", "document_version"),
    ("documents/", "document"),
    ("tasks/", "task"),
    ("payments/", "payment"),
    ("training/material-versions/", "training_version"),
    ("training/materials/", "training_material"),
    ("training/sessions/", "training"),
    ("training/", "training"),
]


def guess_kwargs(route: str) -> dict[str, str]:
    """A best guess of the world objects a new route points at (for the failure message)."""
    out = {}
    for m in _PARAM.finditer(route):
        name = m.group(1)
        before = route[: m.start()]
        if name == "code":
            out[name] = "project.code"
        elif name == "erp_id":
            out[name] = "customer.erp_id" if "customers" in before else "project.erp_id"
        elif name == "action":
            out[name] = "submit" if "feasibility" in before else "approve"
        elif name == "username":
            out[name] = "training_person.username"  # a person's training record
        elif name == "period":
            out[name] = "2026-04"  # a KPI period key (kpi.periods), not a world object
        else:
            obj = next((o for frag, o in _PK_OBJECTS if before.endswith(frag)), None)
            if obj is None:
                obj = next((o for frag, o in _PK_OBJECTS if frag in before), "?")
            out[name] = f"{obj}.pk"
    return out
