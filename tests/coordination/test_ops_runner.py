"""`make run` (coordination.devtools.runner): fresh var/ -> migrated, demo data, web + worker +
beat up;
SIGTERM stops every child."""

import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from coordination.devtools.demo.users import DEMO_PASSWORD, DEMO_USERS
from tests.coordination.ops_helpers import BASE_DIR, PYTHON, clean_env, free_port, start

pytestmark = pytest.mark.slow
READY_TIMEOUT = 240


def test_run_starts_web_worker_beat_and_stops_them_on_sigterm(tmp_path):
    port = free_port()
    env = clean_env(tmp_path, DEBUG="1", PORT=str(port))
    proc = start(
        [PYTHON, "-m", "coordination.devtools", "run"],
        env,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if any("ready in" in line for line in lines):
                break
            time.sleep(0.5)
        output = "".join(lines)
        assert "ready in" in output, output[-3000:]
        url = f"http://127.0.0.1:{port}/accounts/login/"
        assert f"http://127.0.0.1:{port}/" in output
        for spec in DEMO_USERS:
            assert spec["username"] in output
        assert DEMO_PASSWORD in output
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            assert response.status == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            output = "".join(lines)
            if "celery@" in output and " ready." in output and "beat: Starting" in output:
                break
            time.sleep(0.5)
        assert " ready." in output, "worker did not report ready"
        assert "beat: Starting" in output, "beat did not start"
        assert "DatabaseScheduler" in output
        assert (tmp_path / "coordination.sqlite3").exists()
        # A task sent by another process (as the web process would) runs in make run's worker.
        send = "from coordination.core.tasks import ping; ping.delay('from-shell')"
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", send],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        marker = tmp_path / "ping" / "from-shell"
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert marker.exists(), "make run's worker did not run the task"
        assert int(marker.read_text()) != proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        reader.join(timeout=10)
    output = "".join(lines)
    assert "==> stopped" in output
    pids = [int(pid) for pid in re.findall(r"stopping \w+ \(pid (\d+)\)", output)]
    assert len(pids) == 3
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)  # the child and everything it started are gone
