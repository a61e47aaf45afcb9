"""Every URL route × method × role answers the status written in tests/security/matrix.py.

A route the resolver knows but the table does not fails `test_every_route_is_in_the_matrix`
with a ready-to-paste entry (its observed statuses). Set SEC_MATRIX_DUMP=<file> to write the
observed table of every route (to review a change of behaviour, never to paste blindly).
"""

from __future__ import annotations

import os
import pprint

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.security import routes
from tests.security.matrix import EXEMPT, MATRIX
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


NOT_PROJECT_SCOPED = (
    "api/v1/erp/",  # ERP upserts are keyed by ERP id; updating needs can_edit_project (403)
    "api/v1/customers/",  # customers are shared master data
    "notifications/",  # a user's own inbox: someone else's notification is a silent no-op
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
