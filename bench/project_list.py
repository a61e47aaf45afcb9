"""Project list API at its default page size vs. a bare Django view doing the same work
(the same rows of the same projects with values(), their count, JSON), for PMO (sees every
project) and for the busiest PM (the person with the most projects, through the visibility
filter). Interleaved in one process, several rounds.

    python bench/project_list.py [--smoke] [--rounds R] [--per-round K]

Prints per user the median ms of API, bare view (rows + count: the same work), bare rows
only and raw psycopg2 (the bare view's SQL), and the per-round ratios; then
RATIO project_list_vs_bare_pmo=<bare ms ÷ API ms, median of rounds> target=>=0.60 ok=…
RATIO project_list_vs_bare_pm=… target=>=0.60 ok=…
(a ratio of 0.60 means the API serves 60 % of the bare view's requests per second).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 0.6


def busiest_pm():
    """The person (not PMO, not an executive) on the most projects."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from coordination.core.roles import sees_everything
    from projects.core.models import Project

    User = get_user_model()
    counts: dict[int, int] = {}
    for field in ("business_pm", "engineering_pm"):
        for row in Project.objects.values(field).annotate(n=Count("id")).order_by():
            counts[row[field]] = counts.get(row[field], 0) + row["n"]
    for user_id in sorted(counts, key=lambda k: (-counts[k], k)):
        user = User.objects.get(pk=user_id)
        if not sees_everything(user):
            return user
    raise SystemExit("no project manager in the database")


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    import psycopg2
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from bench import bare
    from coordination.devtools.perfdata import PMO_USERNAME
    from projects.core.selectors import visible_projects

    page = int(settings.REST_FRAMEWORK.get("PAGE_SIZE", 50))
    users = {"pmo": get_user_model().objects.get(username=PMO_USERNAME), "pm": busiest_pm()}
    rounds, per_round = (2, 2) if args.smoke else (args.rounds, args.per_round)
    raw = psycopg2.connect(**connection.get_connection_params())
    raw.autocommit = True
    raw_cursor = raw.cursor()
    lines, results = [], {}
    with override_settings(ROOT_URLCONF="bench.urls"):
        for who, user in users.items():
            api = Client(HTTP_AUTHORIZATION=f"Token {common.api_token(user)}")
            plain = Client()
            visible = visible_projects(user)
            total = visible.count()
            sql, params = bare.page_query(visible, page).query.sql_with_params()

            def call_api(api=api, total=total):
                response = api.get("/api/v1/projects/")
                assert response.status_code == 200, response.status_code
                body = response.json()
                assert body["count"] == total and len(body["results"]) == min(page, total)

            def call_bare(plain=plain, user=user, total=total, counted="1"):
                response = plain.get(
                    "/bench/bare-projects/", {"user": user.pk, "page_size": page, "count": counted}
                )
                assert response.status_code == 200, response.status_code
                if counted == "1":
                    assert response.json()["count"] == total

            def call_rows(plain=plain, user=user):
                call_bare(plain, user, counted="0")

            def call_raw(sql=sql, params=params):
                raw_cursor.execute(sql, params)
                names = [c.name for c in raw_cursor.description]
                json.dumps(
                    [dict(zip(names, row, strict=True)) for row in raw_cursor.fetchall()],
                    default=str,
                )

            medians = common.interleaved(
                {"api": call_api, "bare": call_bare, "rows": call_rows, "raw": call_raw},
                rounds,
                per_round,
            )
            ratios = common.per_round(medians["bare"], medians["api"])
            results[who] = {"medians": medians, "ratios": ratios, "total": total}
            print(
                f"project list as {who} ({user.username}, {total:,} projects visible), "
                f"default page of {page}, {rounds} rounds × {per_round}: median ms [spread]"
            )
            for name, values in medians.items():
                ms = [v * 1000 for v in values]
                common.detail(
                    f"{name:<5} {statistics.median(ms):8.2f} ms  [{min(ms):.2f}–{max(ms):.2f}]"
                )
            rows_ratio = statistics.median(common.per_round(medians["rows"], medians["api"]))
            common.detail(
                "bare = values() rows + their count (the same work); rows = without the count; "
                f"rows/api {rows_ratio:.3f}"
            )
            lines.append(
                common.median_line(
                    f"project_list_vs_bare_{who}", ratios, f">={TARGET:.2f}", lambda v: v >= TARGET
                )
            )
    raw.close()
    ok = all("ok=yes" in line for line in lines)
    ratio = min(statistics.median(r["ratios"]) for r in results.values())
    return {"ratio": ratio, "ok": ok, "lines": lines, "results": results}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--per-round", type=int, default=15)
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
