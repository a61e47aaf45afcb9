# ruff: noqa: S603  (runs this interpreter on manage.py and this script, fixed arguments)
"""Main HTML pages at the base size (10,000 projects) and at the full scale (the database in
DATABASE_URL), measured interleaved: one child process per database serves requests, and the
parent asks them in turn, page by page, round by round, so drift of the machine hits both
sizes alike.

    python bench/pages.py [--smoke] [--base-size 10000] [--rounds 7] [--per-round 3]

Pages: home (a business PM), portfolio, project list, project page, Gantt, KPI scorecards,
KPI trends, search results (PMO). The base database is `<DATABASE_URL's name>_p<size>`,
created, migrated and seeded on first use (seed_perf --scale <size>).

Prints, per page: queries at each size, median ms at each size with the spread of the round
medians, the growth (full ÷ base, median of the per-round ratios) and whether it holds:
growth <= 2.00 and median at the full scale under 300 ms. Then
RATIO pages_time_growth=<worst page's growth> target=<=2.00 ok=<every page holds both>
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

GROWTH_TARGET = 2.0
MS_TARGET = 300.0
DETAIL_G = 6  # PERF-0000006 is in execution (stage by g % 20)


def pages() -> list[tuple[str, str, str]]:
    """(name, url, user) of each measured page."""
    from coordination.devtools.perfdata import CODE_PREFIX, PMO_USERNAME

    code = f"{CODE_PREFIX}{DETAIL_G:07d}"
    return [
        ("home", "/", "perf_bpm_00001"),
        ("portfolio", "/portfolio/", PMO_USERNAME),
        ("project_list", "/projects/", PMO_USERNAME),
        ("project_detail", f"/projects/{code}/", PMO_USERNAME),
        ("gantt", f"/projects/{code}/tasks/gantt/", PMO_USERNAME),
        ("kpi_scorecards", "/kpi/scorecards/", PMO_USERNAME),
        ("kpi_trends", "/kpi/", PMO_USERNAME),
        ("search", "/search/?q=PERF-00000", PMO_USERNAME),
    ]


class Pages:
    """Logged-in clients for every page of this process's database."""

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from projects.core.models import Project

        User = get_user_model()
        self.clients, self.urls, queries = {}, {}, {}
        for name, url, username in pages():
            client = Client()
            client.force_login(User.objects.get(username=username))
            for _ in range(2):  # warm-up: caches, plans, template loading
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            self.clients[name], self.urls[name] = client, url
            queries[name] = len(ctx.captured_queries)
        self.info = {"projects": Project.objects.count(), "queries": queries}

    def get(self, name: str) -> dict:
        started = time.perf_counter()
        response = self.clients[name].get(self.urls[name])
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (name, response.status_code)
        return {"ms": elapsed * 1000, "bytes": len(response.content)}

    def close(self) -> None:
        return None


def serve() -> None:
    """Child: read a page name per line from stdin, answer one JSON line with its time and
    size; the first line out is the database's project count and each page's queries."""
    here = Pages()
    print(json.dumps(here.info), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            break
        print(json.dumps(here.get(name)), flush=True)


class Server:
    """One child process serving the pages of one database."""

    def __init__(self, url: str):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=url)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            env=env,
            cwd=common.ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = json.loads(self._line())

    def _line(self) -> str:
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"page server exited ({self.proc.wait()})")
        return line

    def get(self, name: str) -> dict:
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return json.loads(self._line())

    def close(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def _db_url(base: str, size: int) -> str:
    head, _sep, name = base.rpartition("/")
    name, _q, query = name.partition("?")
    return f"{head}/{name}_p{size}" + (f"?{query}" if query else "")


def _ensure_database(url: str, size: int) -> None:
    """Create, migrate and seed the database of one size (once)."""
    import psycopg2
    from django.db import connection

    name = url.rpartition("/")[2].partition("?")[0]
    params = dict(connection.get_connection_params(), dbname="postgres")
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
    manage = [sys.executable, str(common.ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=common.ROOT)
    probe = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from coordination.devtools import perfdata; print(perfdata.already_seeded())",
        ],
        env=env,
        check=True,
        cwd=common.ROOT,
        capture_output=True,
        text=True,
    )
    if probe.stdout.strip().splitlines()[-1:] != ["True"]:
        subprocess.run(
            [*manage, "seed_perf", "--scale", str(size), "--force"],
            env=env,
            check=True,
            cwd=common.ROOT,
            stdout=subprocess.DEVNULL,
        )


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    if args.serve:
        serve()
        return {}
    rounds, per_round = (2, 1) if args.smoke else (args.rounds, args.per_round)
    if args.smoke:
        here = Pages()  # the test's own database, in this process: both "sizes" alike
        servers = {"base": here, "full": here}
    else:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            raise SystemExit("pages.py needs DATABASE_URL: the seeded PostgreSQL database")
        small = _db_url(base, args.base_size)
        _ensure_database(small, args.base_size)
        servers = {"base": Server(small), "full": Server(base)}
    names = [name for name, _url, _user in pages()]
    # samples[page][size] = list of per-round medians
    rounds_ms: dict[str, dict[str, list[float]]] = {n: {"base": [], "full": []} for n in names}
    sizes: dict[str, int] = {}
    try:
        for i in range(rounds):
            for name in names:
                order = ("base", "full") if i % 2 == 0 else ("full", "base")
                got: dict[str, list[float]] = {"base": [], "full": []}
                for _ in range(per_round):
                    for size in order:
                        answer = servers[size].get(name)
                        got[size].append(answer["ms"])
                        sizes[name] = max(sizes.get(name, 0), answer["bytes"])
                for size in order:
                    rounds_ms[name][size].append(statistics.median(got[size]))
    finally:
        for server in servers.values():
            server.close()
    info = {size: server.info for size, server in servers.items()}
    print(
        f"pages at {info['base']['projects']:,} and {info['full']['projects']:,} projects, "
        f"{rounds} interleaved rounds × {per_round} requests: queries, median ms [spread of "
        f"round medians], growth (median of per-round ratios), largest response"
    )
    ok, growths = True, {}
    for name in names:
        base_ms, full_ms = rounds_ms[name]["base"], rounds_ms[name]["full"]
        ratios = [f / b for b, f in zip(base_ms, full_ms, strict=True) if b]
        growth = statistics.median(ratios) if ratios else 0.0
        growths[name] = growth
        full_median = statistics.median(full_ms)
        holds = growth <= GROWTH_TARGET and full_median < MS_TARGET
        ok &= holds
        q = f"{info['base']['queries'][name]}/{info['full']['queries'][name]}"
        common.detail(
            f"{name:<15} queries {q:<7} ms {statistics.median(base_ms):7.1f} "
            f"[{min(base_ms):.1f}–{max(base_ms):.1f}] → {full_median:7.1f} "
            f"[{min(full_ms):.1f}–{max(full_ms):.1f}]  growth {growth:5.2f}x "
            f"[{min(ratios):.2f}–{max(ratios):.2f}]  {sizes[name] / 1024:6.0f} KB  "
            f"holds={'yes' if holds else 'no'}"
        )
    worst = max(growths.values())
    line = common.ratio_line(
        "pages_time_growth",
        worst,
        f"<={GROWTH_TARGET:.2f},<{MS_TARGET:.0f}ms",
        ok,
        spread=(min(growths.values()), worst),
        rounds=rounds,
    )
    return {"ratio": worst, "ok": ok, "line": line, "rounds": rounds_ms}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--base-size", type=int, default=10000, help="projects in the base database")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--per-round", type=int, default=3)
    p.add_argument("--serve", action="store_true", help=Path(__file__).name + " internal")
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
