# ruff: noqa: S603  (runs this interpreter on manage.py and this script, fixed arguments)
"""Home (dashboard), project list and project detail HTML pages: query count and time at
10, 1,000 and the full scale (the database in DATABASE_URL), side by side.

    python bench/pages.py [--smoke] [--sizes 10,1000] [--repeat K]

Each smaller size lives in its own database, `<DATABASE_URL's name>_p<size>`, created,
migrated and seeded on first use (seed_perf --scale <size>). Every size is measured in a
child process pointed at its database.

Prints: RATIO pages_time_growth=<slowest page: time at the largest size ÷ time at the
smallest> target=queries_constant ok=<query count of every page equal at every size>
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

DETAIL_G = 6  # PERF-0000006 is in execution (stage by g % 20)


def pages() -> list[tuple[str, str, str]]:
    """(name, url, user) of each measured page."""
    from coordination.devtools.perfdata import CODE_PREFIX, PMO_USERNAME

    code = f"{CODE_PREFIX}{DETAIL_G:07d}"
    return [
        ("home", "/", "perf_bpm_00001"),
        ("project_list", "/projects/", PMO_USERNAME),
        ("project_detail", f"/projects/{code}/", PMO_USERNAME),
    ]


def measure(repeat: int) -> dict:
    """This database: {page: {"queries": n, "ms": median}, "_projects": N}."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from projects.core.models import Project

    User = get_user_model()
    out: dict = {"_projects": Project.objects.count()}
    for name, url, username in pages():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(2):  # warm-up
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)  # now: the next request resets the query log
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - started)
        out[name] = {"queries": queries, "ms": statistics.median(samples) * 1000}
    return out


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
            "from coordination import perfdata; print(perfdata.already_seeded())",
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


def _measure_in(url: str, repeat: int) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-json", "--repeat", str(repeat)],
        env=env,
        check=True,
        cwd=common.ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    if args.measure_json:
        print(json.dumps(measure(args.repeat)))
        return {}
    if args.smoke:
        results = [measure(3)]
    else:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            raise SystemExit(
                "pages.py needs DATABASE_URL pointing at the seeded PostgreSQL database"
            )
        results = []
        for size in sorted(int(s) for s in args.sizes.split(",") if s):
            url = _db_url(base, size)
            _ensure_database(url, size)
            results.append(_measure_in(url, args.repeat))
        results.append(_measure_in(base, args.repeat))
    results.sort(key=lambda r: r["_projects"])
    names = [name for name, _url, _user in pages()]
    sizes = " / ".join(f"{r['_projects']:,}" for r in results)
    print(f"pages at {sizes} projects: queries and median ms")
    constant, growth = True, {}
    for name in names:
        queries = [r[name]["queries"] for r in results]
        ms = [r[name]["ms"] for r in results]
        constant &= len(set(queries)) == 1
        growth[name] = ms[-1] / ms[0] if ms[0] else 0.0
        common.detail(
            f"{name:<15} queries {' / '.join(map(str, queries)):<14} "
            f"ms {' / '.join(f'{m:.1f}' for m in ms):<24} growth {growth[name]:.2f}x"
        )
    worst = max(growth.values())
    line = common.ratio_line("pages_time_growth", worst, "queries_constant", constant)
    return {"ratio": worst, "ok": constant, "line": line, "results": results}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10,1000", help="smaller sizes, each in its own database")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--measure-json", action="store_true", help=Path(__file__).name + " internal")
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
