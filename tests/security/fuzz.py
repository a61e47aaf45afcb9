"""Schemathesis against our own OpenAPI document, in-process (WSGI), every check.

Used by tests/security/test_fuzz_api.py (a quick bounded run) and bench/fuzz_api.py (longer).
Path parameters are pointed at the real objects of tests/security/world.py, so the fuzzer
reaches the views' validation and services instead of stopping at 404.
"""

from __future__ import annotations

import collections
import re
import uuid
from contextlib import contextmanager

import hypothesis
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from schemathesis.checks import CHECKS
from schemathesis.core.failures import Failure, FailureGroup

from tests.security import routes

# Families of check failures, as reported by the suite and by bench/fuzz_api.py.
# (schemathesis reports a failure by its class: the check's name in brackets)
SERVER_ERRORS = {"ServerError"}  # not_a_server_error
SCHEMA_VIOLATIONS = {
    "UndefinedStatusCode",  # status_code_conformance
    "UndefinedContentType",  # content_type_conformance
    "MalformedMediaType",  # content_type_conformance
    "JsonSchemaError",  # response_schema_conformance
    "MalformedJson",  # response_schema_conformance
    "MissingHeaders",  # response_headers_conformance
}
AUTH_BYPASSES = {"IgnoredAuth"}  # ignored_auth
MUST_BE_ZERO = SERVER_ERRORS | SCHEMA_VIOLATIONS | AUTH_BYPASSES


def all_checks():
    return CHECKS.get_all()


@contextmanager
def in_process():
    """Requests served in this thread share the test transaction: don't close the connection
    at the end of each request (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema():
    with in_process():
        return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


_BRACES = re.compile(r"\{(\w+)\}")


def path_refs(path: str) -> dict[str, str]:
    """OpenAPI path "/api/v1/milestones/{pk}/" → world refs, as the matrix guesses them."""
    return routes.guess_kwargs(_BRACES.sub(r"<\1>", path.lstrip("/")))


def check_name(failure) -> str:
    """The check a failure comes from (a Failure knows the check's function name)."""
    for attr in ("check_name", "_check_name"):
        if getattr(failure, attr, None):
            return getattr(failure, attr)
    return type(failure).__name__


def fuzz(schema, world, *, token: str, max_examples: int, seed: int = 42) -> dict:
    """Run every operation; return counts and the first failures of each kind (never raises)."""
    headers = {"Authorization": f"Token {token}"}
    counts: collections.Counter = collections.Counter()
    failures: dict[str, list[str]] = collections.defaultdict(list)
    checks = all_checks()

    for result in schema.get_all_operations():
        _fuzz_operation(result.ok(), world, headers, checks, counts, failures, max_examples, seed)
    counts["operations"] = len(list(schema.get_all_operations()))
    return {"counts": counts, "failures": dict(failures)}


def _fuzz_operation(operation, world, headers, checks, counts, failures, max_examples, seed):
    refs = path_refs(operation.path)

    def point_at_world(case):
        for name, ref in refs.items():
            if case.path_parameters is not None and name in case.path_parameters:
                value = world.value(ref) if "." in ref and not ref.startswith("?") else ref
                case.path_parameters[name] = value
        return case

    def record(failure, case, response):
        name = check_name(failure)
        counts[f"failure:{name}"] += 1
        where = f"where:{name} {case.method} {operation.path} {response.status_code}"
        counts[where] += 1
        if counts[where] == 1:  # the first example of each (check, operation, status)
            failures[name].append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{getattr(failure, 'title', '')} {str(failure)[:400]}"
                + (
                    f" | body={case.body!r:.300} query={case.query!r:.200}"
                    if name in MUST_BE_ZERO
                    else ""
                )
            )

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.seed(seed)
    @hypothesis.given(case=operation.as_strategy().map(point_at_world))
    def run(case):
        # a fresh Idempotency-Key per request: otherwise a replay or a 409 answers instead
        sent = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        with transaction.atomic():  # each request on its own: a failed one poisons nothing
            response = case.call(headers=sent)
            transaction.set_rollback(True)
        counts["requests"] += 1
        counts[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=checks, headers=sent)
        except FailureGroup as group:
            for failure in group.exceptions:
                record(failure, case, response)
        except Failure as failure:
            record(failure, case, response)

    with in_process():
        run()


def summary(result: dict) -> dict[str, int]:
    c = result["counts"]

    def family(names):
        return sum(c[f"failure:{n}"] for n in names)

    return {
        "operations": c["operations"],
        "requests": c["requests"],
        "server_errors": family(SERVER_ERRORS) + 0,
        "5xx_responses": c["5xx"],
        "schema_violations": family(SCHEMA_VIOLATIONS),
        "auth_bypasses": family(AUTH_BYPASSES),
        "other_check_failures": sum(
            v
            for k, v in c.items()
            if k.startswith("failure:") and k[len("failure:") :] not in MUST_BE_ZERO
        ),
    }
