"""The embedded broker of `make run` carries a task from one process to a worker in another."""

import os
import signal
import subprocess
import time
import uuid

import pytest
from celery import Celery

from coordination.devtools.runner import WORKER_ARGS, venv_command
from tests.coordination.ops_helpers import BASE_DIR, PYTHON, clean_env, start

pytestmark = pytest.mark.slow
TIMEOUT = 60


def broker_url_of(env) -> str:
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.CELERY_BROKER_URL)"
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "coordination.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    out, _ = proc.communicate(timeout=15)
    return out or ""


def test_task_sent_here_runs_in_a_worker_process_on_the_embedded_broker(tmp_path):
    env = clean_env(tmp_path, DEBUG="1")  # what `make run` has: no DATABASE_URL, no REDIS_URL
    broker = broker_url_of(env)
    assert broker == f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"

    worker = start(
        venv_command([*WORKER_ARGS, "--concurrency", "1", "--without-heartbeat"]),
        env,
    )
    try:
        sender = Celery("test-sender", broker=broker)
        token = uuid.uuid4().hex
        sender.send_task("coordination.ping", args=[token])
        marker = tmp_path / "ping" / token
        deadline = time.monotonic() + TIMEOUT
        while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.3)
        ran = marker.exists()
    finally:
        log = stop(worker)
    assert ran, "the worker did not run the task within the timeout:\n" + log[-3000:]
    assert int(marker.read_text()) != os.getpid()  # it ran in another process
    assert "coordination.ping" in log
    assert "succeeded" in log
