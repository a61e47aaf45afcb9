# ruff: noqa: S603, S607, S310  (fixed commands on loopback: gunicorn, wrk)
"""Project list API over HTTP under gunicorn at concurrency 4, against the bare view doing the
same work (bench/bare.py: the user's visible projects, the same page, their count, JSON), for
PMO and for the busiest PM. The load generator is wrk (Debian's package `wrk`; `make
bench-deps`), on loopback only, bounded by time; the two URLs are loaded in turn, round
after round, the order reversed every other round, so drift of the machine hits both alike.

    python bench/list_http.py [--smoke] [--rounds R] [--seconds S] [--workers W]

Prints per user the requests/s of API and bare view in each round and then
RATIO project_list_http_vs_bare_pmo=<API req/s ÷ bare req/s, median of rounds> target=>=0.60
RATIO project_list_http_vs_bare_pm=…
Any non-2xx answer fails the run (a fast error page would flatter the figure).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess  # nosec B404 (runs gunicorn and wrk, fixed arguments)
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 0.6
CONCURRENCY = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.http_settings"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # nosec B603 (our own binary, fixed arguments)
        [
            gunicorn,
            "coordination.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=common.ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)  # nosec B310
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /accounts/login/ within 60 s")


def wrk(url: str, seconds: int, headers: dict[str, str]) -> float:
    """Requests per second of wrk at CONCURRENCY connections; fails on any non-2xx answer."""
    command = ["wrk", "-t", "2", "-c", str(CONCURRENCY), "-d", f"{int(seconds)}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # nosec B603 (wrk, fixed arguments)
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw failed requests on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: make bench-deps (Debian's package wrk)")
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bench.project_list import busiest_pm
    from coordination.devtools.perfdata import PMO_USERNAME
    from projects.core.selectors import visible_projects

    page = int(settings.REST_FRAMEWORK.get("PAGE_SIZE", 50))
    users = {"pmo": get_user_model().objects.get(username=PMO_USERNAME), "pm": busiest_pm()}
    rounds, seconds = (2, 1) if args.smoke else (args.rounds, args.seconds)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    lines, results = [], {}
    try:
        for who, user in users.items():
            total = visible_projects(user).count()
            token = common.api_token(user)
            base = f"http://127.0.0.1:{port}"
            variants = {
                "api": (f"{base}/api/v1/projects/", {"Authorization": f"Token {token}"}),
                "bare": (
                    f"{base}/bench/bare-projects/?user={user.pk}&page_size={page}&count=1",
                    {},
                ),
            }
            for url, headers in variants.values():  # warm-up: workers, plans, caches
                wrk(url, 1, headers)
            rps: dict[str, list[float]] = {"api": [], "bare": []}
            for i in range(rounds):
                for name in ("api", "bare") if i % 2 == 0 else ("bare", "api"):
                    url, headers = variants[name]
                    rps[name].append(wrk(url, seconds, headers))
            ratios = common.per_round(rps["api"], rps["bare"])
            results[who] = {"rps": rps, "ratios": ratios, "total": total}
            print(
                f"project list over HTTP as {who} ({user.username}, {total:,} projects visible), "
                f"page of {page}, gunicorn {args.workers} workers, {CONCURRENCY} connections, "
                f"{rounds} rounds × {seconds} s each: requests/s"
            )
            for name, values in rps.items():
                common.detail(f"{name:<5} " + " ".join(f"{v:7.1f}" for v in values))
            lines.append(
                common.median_line(
                    f"project_list_http_vs_bare_{who}",
                    ratios,
                    f">={TARGET:.2f}",
                    lambda v: v >= TARGET,
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = all("ok=yes" in line for line in lines)
    ratio = min(statistics.median(r["ratios"]) for r in results.values())
    return {"ratio": ratio, "ok": ok, "lines": lines, "results": results}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
