"""Every URL route × method × role answers the status written in tests/security/matrix.py.

A route the resolver knows but the table does not fails `test_every_route_is_in_the_matrix`
with a ready-to-paste entry (its observed statuses). Set SEC_MATRIX_DUMP=<file> to write the
observed table of every route (to review a change of behaviour, never to paste blindly).

The rules whose cells need more people than the columns (customer edit, the requester of a
change request) are the table `RULES`; the executive column is read-only everywhere: every
write route refuses it, and no page it can open offers it a write.
"""

from __future__ import annotations

import json
import os
import pprint
import re
from urllib.parse import urlsplit

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.urls import Resolver404, resolve

from tests.security import routes
from tests.security.matrix import EXEMPT, MATRIX, OWN_DATA, PUBLIC, RULES
from tests.security.world import ROLES, build_world

# the marker also tells pytest-django to create the test database for this module
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cache.clear()
            w = build_world()
            w.clients = routes.make_clients(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


@pytest.fixture
def blocker(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def resolver_routes() -> dict[str, object]:
    return {
        route: callback
        for route, callback in routes.walk()
        if not any(route.startswith(e) for e in EXEMPT)
    }


def observe(world, route: str, methods, kwargs) -> dict[str, str]:
    url = routes.fill(route, kwargs, world)
    return {
        m: " ".join(str(routes.request_status(world.clients[role], m, url)) for role in ROLES)
        for m in methods
    }


def methods_of(route: str, callback) -> tuple[str, ...]:
    return routes.view_methods(callback) or ("get", "post")


def test_every_route_is_in_the_matrix(world, blocker):
    """New route? Paste the printed entry into MATRIX after checking each status is right."""
    missing, wrong_methods = {}, {}
    for route, callback in resolver_routes().items():
        if route not in MATRIX:
            kwargs = routes.guess_kwargs(route)
            try:
                entry = observe(world, route, methods_of(route, callback), kwargs)
            except Exception as exc:  # a guess that does not fit: show it anyway
                entry = {"error": repr(exc)}
            missing[route] = {"kwargs": kwargs, **entry}
            continue
        implemented = routes.view_methods(callback)
        listed = tuple(m for m in routes.METHOD_ORDER if m in MATRIX[route])
        if implemented is not None and implemented != listed:
            wrong_methods[route] = {"implemented": implemented, "in table": listed}
    stale = sorted(set(MATRIX) - set(resolver_routes()))
    assert not missing, (
        "routes missing from tests/security/matrix.py (observed statuses, role order "
        f"{' '.join(ROLES)}):\n{pprint.pformat(missing, width=100, sort_dicts=False)}"
    )
    assert not wrong_methods, wrong_methods
    assert not stale, f"routes in the matrix the resolver no longer has: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_matrix_cell(world, blocker, route):
    entry = MATRIX[route]
    methods = [m for m in routes.METHOD_ORDER if m in entry]
    observed = observe(world, route, methods, entry.get("kwargs", {}))
    expected = {m: " ".join(entry[m].split()) for m in methods}
    if observed != expected:
        header = " ".join(ROLES)
        lines = [f"{route}  (roles: {header})"]
        for m in methods:
            if observed[m] != expected[m]:
                lines.append(f"  {m.upper():6} expected {expected[m]}")
                lines.append(f"  {'':6} observed {observed[m]}")
        pytest.fail("\n".join(lines))


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_cell(world, blocker, settings, rule):
    spec = RULES[rule]
    for name, value in spec.get("settings", {}).items():
        setattr(settings, name, value)
    url = routes.fill(spec["route"], spec["kwargs"], world)
    body = json.dumps(spec.get("body", {}))
    observed = {
        person: routes.request_status(world.clients[person], spec["method"], url, body)
        for person in spec["expect"]
    }
    assert observed == spec["expect"], rule


REFUSED = ("401", "403", "404", "405")


def test_exec_is_refused_on_every_write_route():
    """An executive is read-only everywhere: on every route × write method but those that
    change only their own session, settings or inbox, the exec column is a refusal (the
    table says so here; test_matrix_cell checks the table against real responses)."""
    col = ROLES.index("exec")
    allowed = {
        f"{m.upper()} {route}": entry[m].split()[col]
        for route, entry in MATRIX.items()
        if route not in (*OWN_DATA, *PUBLIC)
        for m in routes.WRITE_METHODS
        if m in entry and entry[m].split()[col] not in REFUSED
    }
    assert not allowed, allowed
    own = {
        f"{m.upper()} {r}": MATRIX[r][m].split()[col]
        for r in OWN_DATA
        for m in routes.WRITE_METHODS
        if m in MATRIX[r]
    }
    assert not [r for r, status in own.items() if status in REFUSED], own


_FORM = re.compile(r"<form\b[^>]*>", re.I)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]*)', re.I)
_HX_WRITE = re.compile(r'\bhx-(?:post|put|patch|delete)="([^"]*)"', re.I)
LANGUAGE_SWITCH = "i18n/setlang/"  # set_language: the user's own language


def _route(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def _writes_offered(html: str, page_url: str) -> set[str]:
    """Targets of the page's POST forms and htmx writes."""
    targets = set(_HX_WRITE.findall(html))
    for tag in _FORM.findall(html):
        attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
        if attrs.get("method", "get").lower() == "post":
            targets.add(attrs.get("action") or page_url)
    return targets


def _release(response) -> None:
    """Close a file response's file (response.close() would also close the test's database
    connection through request_finished)."""
    stream = getattr(response, "file_to_stream", None)
    if stream is not None:
        stream.close()


@pytest.mark.parametrize("person", ["exec", "exec_on_p"])
def test_no_page_offers_the_executive_a_write(world, blocker, person):
    """Every page of the matrix an executive opens (also one who is a business lead on P):
    no form or htmx write but their own (logout, language, notifications, profile), and no
    link that leads them to a refusal (403, or a redirect with an error message)."""
    col = ROLES.index("exec")
    client = world.clients[person]
    pages = [
        routes.fill(route, entry.get("kwargs", {}), world)
        for route, entry in MATRIX.items()
        if "get" in entry and entry["get"].split()[col] == "200"
    ]
    offered, links = {}, set()
    for url in pages:
        response = routes.request(client, "get", url)
        if not response["Content-Type"].startswith("text/html"):  # JSON, files, exports
            _release(response)
            continue
        html = response.content.decode()
        for target in _writes_offered(html, url):
            route = _route(target)
            if route not in (*OWN_DATA, *PUBLIC, LANGUAGE_SWITCH):
                offered.setdefault(url, []).append(target)
        links |= {href for href in _LINK.findall(html) if href.startswith("/")}
    assert not offered, offered
    dead = {}
    for href in sorted(links):
        route = _route(href)
        if route is None or route.startswith(EXEMPT) or route.startswith("api/"):
            continue
        response = routes.request(client, "get", href)
        _release(response)
        errors = [
            m.message for m in get_messages(response.wsgi_request) if m.level == messages.ERROR
        ]
        if response.status_code == 403 or errors:
            dead[href] = (response.status_code, errors)
    assert not dead, dead


NOT_PROJECT_SCOPED = (
    "api/v1/erp/",  # ERP upserts are keyed by ERP id; updating needs can_edit_project (403)
    "api/v1/customers/",  # customers are shared master data
    "customers/",  # the same customers in the UI
    "notifications/",  # a user's own inbox: someone else's notification is a silent no-op
    "calendar/",  # a feed is addressed by its secret token: whoever holds the URL reads it
    "s/",  # the customer's survey link, addressed by its secret token like a feed
    "api/v1/kpis/restatements/",  # a company period, no project's object: PMO alone decides
    "kpi/restatements/",  # the same in the UI
    "accounts/reset/",  # a password reset link: a user id and a token, no project's object
    "lessons/<int:pk>/",  # the lessons library is company-wide: promoting publishes a lesson
    "api/v1/lessons/",  # the same library through the API
    "training/",  # company training: every signed-in person sees the sessions
    "api/v1/training/",  # the same in the API
)


def test_objects_of_another_project_are_404():
    """The PM of project Q gets 404 for every route naming an object of project P (the table
    says so here; test_matrix_cell checks the table against real responses)."""
    col = ROLES.index("non_member")
    offenders = {
        f"{m.upper()} {route}": entry[m].split()[col]
        for route, entry in MATRIX.items()
        if entry.get("kwargs") and not route.startswith(NOT_PROJECT_SCOPED)
        for m in routes.METHOD_ORDER
        if m in entry and entry[m].split()[col] not in ("404", "405")  # 405: refused method
    }
    assert not offenders, offenders


@pytest.mark.skipif(not os.environ.get("SEC_MATRIX_DUMP"), reason="SEC_MATRIX_DUMP not set")
def test_dump_observed_matrix(world, blocker):
    out = {}
    for route, callback in sorted(resolver_routes().items()):
        kwargs = MATRIX.get(route, {}).get("kwargs") or routes.guess_kwargs(route)
        out[route] = {
            "kwargs": kwargs,
            **observe(world, route, methods_of(route, callback), kwargs),
        }
    with open(os.environ["SEC_MATRIX_DUMP"], "w") as fh:
        fh.write(pprint.pformat(out, width=100, sort_dicts=False))
