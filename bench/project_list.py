"""Project list API (page of 100, PMO user, full permissions path) vs. a bare Django view
returning the same rows with values() vs. raw psycopg2 (same SQL, JSON-encoded).

    python bench/project_list.py [--smoke] [--rounds R] [--per-round K]

Prints: RATIO project_list_vs_bare=<API req/s ÷ bare view req/s> target=>=0.50 ok=…
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 0.5
PAGE = 100


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    import psycopg2
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token

    from bench import bare
    from coordination.devtools.perfdata import PMO_USERNAME

    user = get_user_model().objects.get(username=PMO_USERNAME)
    token, _created = Token.objects.get_or_create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    # a detail, not part of the ratio: the same list for a business PM (sees ~50 projects)
    pm = get_user_model().objects.filter(username__startswith="perf_bpm_").order_by("username")
    pm_token, _created = Token.objects.get_or_create(user=pm.first())
    api_pm = Client(HTTP_AUTHORIZATION=f"Token {pm_token.key}")
    plain = Client()

    from projects.core.models import Project

    sql, params = (
        Project.objects.order_by("-created_at", "-id")
        .values(*bare.FIELDS, **bare.RELATED)[:PAGE]
        .query.sql_with_params()
    )
    raw = psycopg2.connect(**connection.get_connection_params())
    raw.autocommit = True
    raw_cursor = raw.cursor()

    def call_api():
        response = api.get("/api/v1/projects/", {"page_size": PAGE})
        assert response.status_code == 200, response.status_code
        assert len(response.json()["results"]) == min(PAGE, total)

    def call_api_pm():
        response = api_pm.get("/api/v1/projects/", {"page_size": PAGE})
        assert response.status_code == 200, response.status_code

    def call_bare():
        response = plain.get("/bench/bare-projects/", {"page_size": PAGE})
        assert response.status_code == 200, response.status_code

    def call_raw():
        raw_cursor.execute(sql, params)
        names = [c.name for c in raw_cursor.description]
        json.dumps(
            [dict(zip(names, row, strict=True)) for row in raw_cursor.fetchall()], default=str
        )

    total = Project.objects.count()
    rounds, per_round = (2, 3) if args.smoke else (args.rounds, args.per_round)
    with override_settings(ROOT_URLCONF="bench.urls"):
        result = common.side_by_side(
            {"api": call_api, "bare": call_bare, "raw": call_raw, "api_pm": call_api_pm},
            rounds,
            per_round,
        )
    raw.close()
    ratio = result["api"]["rps"] / result["bare"]["rps"]
    print(f"project list, page of {PAGE}, {total:,} projects visible to {PMO_USERNAME}")
    for name, s in result.items():
        common.detail(
            f"{name:<6} {s['rps']:8.1f} req/s  p50 {s['p50_ms']:7.2f} ms  "
            f"p95 {s['p95_ms']:7.2f} ms  (n={s['n']})"
        )
    common.detail(f"api/raw {result['api']['rps'] / result['raw']['rps']:.3f}")
    common.detail("api_pm: the same API as a business PM (not part of the ratio)")
    line = common.ratio_line("project_list_vs_bare", ratio, f">={TARGET:.2f}", ratio >= TARGET)
    return {"ratio": ratio, "ok": ratio >= TARGET, "line": line, "variants": result}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--per-round", type=int, default=20)
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
