"""PostgreSQL drops the app's connections (a failover, a restart): gunicorn's threads reconnect
instead of answering 500 on the dead connection they kept (`CONN_MAX_AGE = 60`), because
each request checks a reused connection first (`CONN_HEALTH_CHECKS`, coordination/settings.py).

Gunicorn runs as the project runs it (coordination/devtools/runner.py GUNICORN_ARGS, tuned by
GUNICORN_CMD_ARGS as in docker-compose.yml), on a free loopback port, against this test's
database; the data is committed (a transactional test) so gunicorn sees it."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from django.db import connection

from coordination.devtools.runner import GUNICORN_ARGS, venv_command
from tests import factories
from tests.coordination.ops_helpers import BASE_DIR, clean_env, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WORKERS, THREADS = 2, 4  # 8 threads, each with its own connection
ROUNDS, REQUESTS = 3, 80  # per round: terminate every app backend, then this many requests
READY_TIMEOUT, REQUEST_TIMEOUT = 60.0, 10.0


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _gunicorn_args(port: int) -> list[str]:
    """The project's own command, bound to loopback on `port` instead of 0.0.0.0:8000."""
    args = list(GUNICORN_ARGS)
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    return venv_command(args)


def _get(url: str, token: str) -> int | str:
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        url,
        headers={
            "Authorization": f"Token {token}",
            "Accept": "application/json",
            "X-Forwarded-Proto": "https",  # as behind the TLS proxy: no redirect to https
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:  # refused, reset, timed out: as visible to an ERP as a 500
        return type(exc).__name__


def _burst(urls: list[str], token: str) -> Counter:
    with ThreadPoolExecutor(max_workers=WORKERS * THREADS) as pool:
        return Counter(pool.map(lambda url: _get(url, token), urls))


def _app_backends(admin, database: str, keep: set[int]) -> set[int]:
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = "
            "'client backend' AND pid <> pg_backend_pid()",
            [database],
        )
        return {pid for (pid,) in cursor.fetchall()} - keep


def _terminate(admin, pids: set[int]) -> int:
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM unnest(%s) AS pid WHERE pg_terminate_backend(pid)", [list(pids)]
        )
        return cursor.fetchone()[0]


def _wait_gone(admin, database: str, pids: set[int], keep: set[int]) -> None:
    deadline = time.monotonic() + 10
    while _app_backends(admin, database, keep) & pids and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _app_backends(admin, database, keep) & pids, "backends still alive"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def test_no_500_after_the_database_drops_every_app_connection(tmp_path):
    pmo = factories.pmo_user()
    token = factories.api_token(pmo)
    projects = factories.ProjectFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = {cursor.fetchone()[0]}  # this test's own connection: it must survive
    database = connection.settings_dict["NAME"]

    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    urls = [f"{base}/projects/", f"{base}/customers/", f"{base}/projects/{projects[0].code}/"]
    env = clean_env(
        tmp_path,
        DATABASE_URL=_database_url(),
        SECRET_KEY="failover-test-secret-key-0123456789abcdef-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        THROTTLE_USER="100000/min",
        GUNICORN_CMD_ARGS=f"--workers {WORKERS} --threads {THREADS} --timeout 60",
    )
    log = (tmp_path / "gunicorn.log").open("w")
    web = subprocess.Popen(  # noqa: S603  # nosec B603
        _gunicorn_args(port),
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    admin = psycopg2.connect(_database_url())  # a separate connection, to terminate from
    admin.autocommit = True
    after = Counter()
    terminated = []
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while _get(urls[0], token) != 200:
            assert web.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)

        for _round in range(ROUNDS):
            warm = _burst(urls * (WORKERS * THREADS * 2), token)  # every thread connects
            assert warm == Counter({200: len(urls) * WORKERS * THREADS * 2}), warm
            app = _app_backends(admin, database, ours)
            assert len(app) >= WORKERS, app  # the connections kept across requests
            terminated.append(_terminate(admin, app))
            _wait_gone(admin, database, app, ours)

            after += _burst([urls[i % len(urls)] for i in range(REQUESTS)], token)
            assert _app_backends(admin, database, ours) - app  # reconnected
    finally:
        admin.close()
        _stop(web)
        log.close()

    output = (tmp_path / "gunicorn.log").read_text()
    print(f"backends terminated per round: {terminated}; answers after: {dict(after)}")
    assert after[500] == 0, output[-3000:]
    assert after == Counter({200: ROUNDS * REQUESTS}), (after, output[-3000:])
    assert min(terminated) >= WORKERS
