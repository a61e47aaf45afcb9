"""Search (coordination.search.selectors.search) against a raw trigram query as the floor.

    DATABASE_URL=… python bench/search.py [--smoke] [--rounds R] [--per-round K]

On the scale data of `manage.py seed_perf` (projects, ten tasks each, change requests), as
the PMO user (sees everything: the largest candidate sets) and as a business PM (sees ~50
projects). Variants run interleaved, round-robin, on the same texts:

- `search`: the selector the page, the dropdown and the API call: every kind (projects by
  name or code, customers, tasks, change requests, documents by name, comments) through the
  visibility selectors, 8 hits each, newest first.
- `raw`: the floor: one hand-written `UPPER(col) LIKE UPPER(%s) ORDER BY id DESC LIMIT 8`
  per table over the same six tables on the same trigram indexes (for a 2-character text
  the same `hub_bigrams` GIN condition the selector adds), without visibility, through
  psycopg2.

Texts (the scale data's names are `性能测试项目 N`, `任务 N-T`, `变更 N-C`, documents `图纸 N`,
comments `进度讨论 N-C：请确认设备到货…`): a name, a task, a code and a document fragment
(trigram index, few hits), a comment phrase with hits in every project's thread, a
2-character Chinese text with hits everywhere (`任务`) and one with none (`泵站`), both served
by the bigram indexes. Prints
the medians and RATIO search_vs_raw (target ≤ 3) and RATIO search_median_ms (target < 100).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TEXTS = ["项目 1234", "任务 777-", "PERF-00012", "图纸 4321", "设备到货", "任务", "泵站"]
# the floor: per kind, the same tables and the same indexes as the selector, no visibility
TABLES = [
    ("projects_project", ("name", "code")),
    ("projects_customer", ("name",)),
    ("projects_task", ("title",)),
    ("projects_changerequest", ("title",)),
    ("projects_document", ("title",)),
    ("coordination_comment", ("body",)),
]


def raw_queries(text: str) -> list[tuple[str, list[str]]]:
    """One `UPPER(col) LIKE UPPER(%text%) ORDER BY id DESC LIMIT 8` per table (trigram GIN
    indexes); for a 2-character text also `hub_bigrams(col) @> ARRAY[UPPER(text)]`, the
    bigram GIN index the selector uses, with the LIKE as recheck."""
    out = []
    like = f"%{text}%"
    for table, columns in TABLES:
        parts, params = [], []
        for col in columns:
            if len(text) == 2:
                parts.append(
                    f"(hub_bigrams({col}) @> ARRAY[UPPER(%s)] AND UPPER({col}) LIKE UPPER(%s))"
                )
                params += [text, like]
            else:
                parts.append(f"UPPER({col}) LIKE UPPER(%s)")
                params.append(like)
        where = " OR ".join(parts)  # table and column names are the constants above
        sql = f"SELECT id FROM {table} WHERE {where} ORDER BY id DESC LIMIT 8"  # noqa: S608
        out.append((sql, params))
    return out


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--per-round", type=int, default=5)
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    common.setup()
    import psycopg2
    from django.contrib.auth import get_user_model
    from django.db import connection

    from coordination.devtools.perfdata import PMO_USERNAME
    from coordination.search import selectors
    from projects.core.models import Project
    from projects.tasks.models import Task

    users = get_user_model().objects
    pmo = users.get(username=PMO_USERNAME)
    pm = users.filter(username__startswith="perf_bpm_").order_by("username").first()
    raw = psycopg2.connect(**connection.get_connection_params())
    raw.autocommit = True
    cursor = raw.cursor()
    texts = TEXTS
    state = {"i": 0}

    def next_text() -> str:
        state["i"] += 1
        return texts[state["i"] % len(texts)]

    def call_search():
        selectors.search(pmo, next_text())

    def call_search_pm():
        selectors.search(pm, next_text())

    def call_raw():
        for sql, params in raw_queries(next_text()):
            cursor.execute(sql, params)
            cursor.fetchall()

    common.detail(f"projects={Project.objects.count()} tasks={Task.objects.count()}")
    rounds, per_round = (2, 3) if args.smoke else (args.rounds, args.per_round)
    result = common.side_by_side(
        {"search": call_search, "raw": call_raw, "search_pm": call_search_pm},
        rounds,
        per_round,
    )
    for name, s in result.items():
        common.detail(f"{name}: median {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms")
    per_text = {}
    for text in texts:  # the median of each text alone, PMO, for the doc
        samples = []
        for _ in range(3 if args.smoke else 9):
            took, _r = common.timed(lambda t=text: selectors.search(pmo, t))
            samples.append(took * 1000)
        per_text[text] = statistics.median(samples)
        common.detail(f"search {text!r}: median {per_text[text]:.1f} ms")
    ratio = result["search"]["p50_ms"] / max(result["raw"]["p50_ms"], 1e-9)
    common.ratio_line("search_vs_raw", ratio, "<=3", ratio <= 3)
    median = result["search"]["p50_ms"]
    common.ratio_line("search_median_ms", median, "<100", median < 100)
    return {"result": result, "per_text": per_text, "ratio": ratio}


if __name__ == "__main__":
    run()
