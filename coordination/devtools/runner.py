"""`make run`: migrate, load demo data, then run web + Celery worker + Celery beat together.

The process commands live here, in one place: docker-compose.yml runs the same worker, beat
and gunicorn commands (tests/coordination/test_ops_compose.py compares them).

Environment:
    PORT (8000), HOST (127.0.0.1)   where runserver listens
    DEBUG (1 under make run)        off: collectstatic runs first and seed_demo is skipped
    DATABASE_URL / REDIS_URL        unset: SQLite under var/ and the embedded sqla broker
    RUN_SEED_DEMO (1)               0 skips loading demo data
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 (runs our own manage.py/celery commands)
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django
from django.conf import settings

from coordination.celery import app
from coordination.devtools.demo.users import DEMO_PASSWORD, DEMO_USERS

BASE_DIR = Path(__file__).resolve().parents[2]

# One source of truth for the long-running processes (see docker-compose.yml).
WORKER_ARGS = ["celery", "-A", "coordination", "worker", "-l", "info"]
BEAT_ARGS = ["celery", "-A", "coordination", "beat", "-l", "info"]
GUNICORN_ARGS = ["gunicorn", "coordination.wsgi", "--bind", "0.0.0.0:8000"]
MIGRATE_ARGS = ["python", "manage.py", "migrate", "--noinput"]
COLLECTSTATIC_ARGS = ["python", "manage.py", "collectstatic", "--noinput"]

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


def _env_on(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def venv_command(args: list[str]) -> list[str]:
    """Resolve `python` / `celery` / `gunicorn` to the interpreter running us and its bin/."""
    head, rest = args[0], args[1:]
    if head == "python":
        return [sys.executable, *rest]
    candidate = Path(sys.executable).parent / head
    return [str(candidate) if candidate.exists() else head, *rest]


def _step(title: str, args: list[str]) -> None:
    print(f"==> {title}: {' '.join(args)}", flush=True)
    started = time.monotonic()
    subprocess.run(venv_command(args), cwd=BASE_DIR, check=True)  # noqa: S603  # nosec B603
    print(f"    done in {time.monotonic() - started:.1f}s", flush=True)


def prepare_broker() -> None:
    """Create the embedded broker's tables once, before worker and beat race to do it."""
    django.setup()

    if not settings.CELERY_BROKER_URL.startswith("sqla+"):
        return

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        conn.default_channel  # noqa: B018 (opening the channel creates the tables)


def _start(name: str, args: list[str]) -> subprocess.Popen:
    print(f"==> starting {name}: {' '.join(args)}", flush=True)
    # A session of its own: we stop each child (and its pool / reloader) as a group.
    return subprocess.Popen(venv_command(args), cwd=BASE_DIR, start_new_session=True)  # noqa: S603  # nosec B603


def stop_all(children: dict[str, subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM each main process (Celery shuts down warm), then SIGKILL what is left of its group.

    Leftovers are e.g. runserver's reloaded child, or a worker that did not stop in time.
    """
    for name, proc in children.items():
        if proc.poll() is None:
            print(f"==> stopping {name} (pid {proc.pid})", flush=True)
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def wait_http(url: str, children: dict[str, subprocess.Popen], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in children.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # nosec B310 (local)
                if response.status < 500:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def banner(url: str) -> str:
    lines = [
        "",
        f"Coordination Hub (协同中心) is running: {url}",
        f"  login: {url}accounts/login/   admin: {url}admin/   API docs: {url}api/docs/",
        f"  demo users (password {DEMO_PASSWORD}):",
    ]
    for spec in DEMO_USERS:
        lines.append(f"    {spec['username']:<13} {spec['title']}")
    lines.append("  Ctrl-C stops web, worker and beat.")
    return "\n".join(lines)


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def run() -> None:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    debug = _env_on("DEBUG")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    url = f"http://{host}:{port}/"
    # links in e-mails and chat notices point at the address this run serves (web, worker
    # and beat inherit it), unless SITE_URL says otherwise
    os.environ.setdefault("SITE_URL", url.rstrip("/"))
    started = time.monotonic()

    print(
        "==> database: "
        + ("DATABASE_URL" if os.environ.get("DATABASE_URL") else "SQLite under var/")
        + "; Celery broker: "
        + ("REDIS_URL" if os.environ.get("REDIS_URL") else "embedded (sqla+sqlite under var/)"),
        flush=True,
    )
    _step("migrate", MIGRATE_ARGS)
    if debug and _env_on("RUN_SEED_DEMO", "1"):
        _step("demo data", ["python", "manage.py", "seed_demo"])
    if not debug:
        _step("static files", COLLECTSTATIC_ARGS)
    prepare_broker()

    children: dict[str, subprocess.Popen] = {}
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    code = 0
    try:
        children["web"] = _start("web", ["python", "manage.py", "runserver", f"{host}:{port}"])
        children["worker"] = _start("worker", WORKER_ARGS)
        children["beat"] = _start("beat", BEAT_ARGS)
        if not wait_http(f"{url}accounts/login/", children, READY_TIMEOUT):
            print("!! web did not come up; stopping", file=sys.stderr, flush=True)
            code = 1
        else:
            print(banner(url), flush=True)
            print(f"    ready in {time.monotonic() - started:.1f}s", flush=True)
            while True:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        print(f"!! {name} exited ({proc.returncode}); stopping", flush=True)
                        code = proc.returncode or 1
                        raise _Stop(0)
                time.sleep(1)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(children)
        print("==> stopped", flush=True)
    sys.exit(code)
