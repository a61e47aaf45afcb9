"""Longer schemathesis run of the whole API (owned by the security suite, docs/security.md).

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_sec \\
        .venv/bin/python bench/fuzz_api.py --examples 30 --seed 42 --users pmo,other_dept

Creates a throw-away test database (test_<name>), builds the security world (one object of
every kind), fuzzes every operation of /api/schema/ in-process with every schemathesis check,
once per user (by default a PMO user and `other_dept`, a plain engineering member of the
project: the low-privilege view), each request with a fresh Idempotency-Key, and prints the
figures per user and in total. Exit status 1 unless server errors, schema violations and
auth bypasses are all 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--examples", type=int, default=30, help="max examples per operation")
    p.add_argument(
        "--users",
        default="pmo,other_dept",
        help="world users to fuzz as, comma-separated (tests/security/world.py ROLES)",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--show", type=int, default=3, help="failures shown per check")
    args = p.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings_test")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import transaction
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from bench import common
    from tests.security import fuzz
    from tests.security.world import build_world

    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    started = time.monotonic()
    results = {}
    try:
        with transaction.atomic():
            cache.clear()
            world = build_world()
            schema = fuzz.load_schema()
            for name in args.users.split(","):
                token = common.api_token(world.users[name])
                begun = time.monotonic()
                cache.clear()  # throttle counters: each user starts afresh
                result = fuzz.fuzz(
                    schema, world, token=token, max_examples=args.examples, seed=args.seed
                )
                result["seconds"] = round(time.monotonic() - begun, 1)
                results[name] = result
            transaction.set_rollback(True)
    finally:
        teardown_databases(config, verbosity=0)
    ok = True
    for name, result in results.items():
        figures = fuzz.summary(result)
        figures["user"] = name
        figures["seconds"] = result["seconds"]
        figures["examples_per_operation"] = args.examples
        figures["seed"] = args.seed
        ok = _report(figures, result, args.show) and ok
    print("TOTAL seconds", round(time.monotonic() - started, 1))
    print("RESULT", "OK" if ok else "FAIL")
    return 0 if ok else 1


def _report(figures: dict, result: dict, show: int) -> bool:
    from tests.security import fuzz

    per_check = {
        k[len("failure:") :]: v
        for k, v in sorted(result["counts"].items())
        if k.startswith("failure:")
    }
    where = {
        k[len("where:") :]: v for k, v in sorted(result["counts"].items()) if k[:6] == "where:"
    }
    status = {k: v for k, v in sorted(result["counts"].items()) if k.endswith("xx")}
    print("FUZZ", json.dumps(figures, ensure_ascii=False))
    print("status classes:", status)
    print("check failures by check:", per_check or "none")
    print("failures by check, operation and status:")
    for k, v in where.items():
        print(f"    {v:5d}  {k}{'   <- must be 0' if k.split()[0] in fuzz.MUST_BE_ZERO else ''}")
    for name, examples in sorted(result["failures"].items()):
        print(f"-- {name}{' (must be 0)' if name in fuzz.MUST_BE_ZERO else ''}")
        for line in examples[:show]:
            print("   ", line.replace("\n", " ")[:400])
    ok = not (figures["server_errors"] or figures["schema_violations"] or figures["auth_bypasses"])
    return ok and figures["5xx_responses"] == 0


if __name__ == "__main__":
    sys.exit(main())
