"""`make bench`: make sure the benchmark database exists, is migrated and seeded, then run
every bench script in turn and print their RATIO lines together at the end.

    python bench/run_all.py --scale 10000 [--occurrences 1000] [--smoke]

DATABASE_URL names the benchmark database (created when missing). An already seeded
database is used as it is (its project count is reported).
"""

# ruff: noqa: S603  (runs this interpreter on manage.py and the bench scripts, fixed arguments)

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [
    "project_list",
    "list_http",
    "pages",
    "kpi",
    "reminders",
    "upsert",
    "critical_path",
    "search",
]
LINE = re.compile(
    r"^RATIO (?P<name>\w+)=(?P<value>\S+) target=(?P<target>\S+) ok=(?P<ok>yes|no)"
    r"(?: spread=(?P<spread>\S+))?(?: rounds=(?P<rounds>\d+))?"
)


def _ensure(url: str, scale: int, env: dict) -> None:
    import psycopg2

    head, _sep, rest = url.rpartition("/")
    name = rest.partition("?")[0]
    admin = psycopg2.connect(f"{head}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"creating database {name}", flush=True)
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    probe = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from projects.core.models import Project; "
            "print(Project.objects.filter(code__startswith='PERF-').count())",
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seeded = int(probe.stdout.strip().splitlines()[-1])
    if seeded:
        print(f"using existing perf data: {seeded:,} projects", flush=True)
    else:
        subprocess.run(
            [*manage, "seed_perf", "--scale", str(scale), "--force"], env=env, check=True, cwd=ROOT
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", 10000)))
    p.add_argument("--occurrences", type=int, default=int(os.environ.get("OCCURRENCES", 1000)))
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(
            "make bench needs DATABASE_URL (or BENCH_DATABASE_URL) on PostgreSQL", file=sys.stderr
        )
        return 2
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONWARNINGS="ignore")
    _ensure(url, args.scale, env)
    lines = []
    for name in SCRIPTS:
        cmd = [sys.executable, str(ROOT / "bench" / f"{name}.py")]
        if args.smoke:
            cmd.append("--smoke")
        elif name == "reminders":
            cmd += ["--occurrences", str(args.occurrences)]
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        print(done.stdout, end="", flush=True)
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            lines.append(f"RATIO {name}_error=0 target=- ok=no")
        lines += re.findall(r"^RATIO .*$", done.stdout, re.M)
        print(f"  ({time.monotonic() - started:.1f}s)", flush=True)
    print("\n== summary")
    for line in lines:
        print(line)
    print()
    print(table(lines))
    return 0


def table(lines: list[str]) -> str:
    """One table of every figure: metric, target, figure (median of rounds), spread, holds."""
    rows = [("metric", "target", "figure", "spread", "rounds", "holds")]
    for line in lines:
        m = LINE.match(line)
        if not m:
            continue
        rows.append(
            (
                m["name"],
                m["target"],
                m["value"],
                (m["spread"] or "-").replace("..", "–"),
                m["rounds"] or "1",
                m["ok"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
