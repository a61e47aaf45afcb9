"""A short run of bench/celery_faults.py: real workers SIGKILLed and Redis restarted while the
reminder outbox is sending; every reminder sent once (longer run: `make celery-faults`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_reminders_survive_worker_kills_and_redis_restarts(django_db_blocker):
    db = connection.settings_dict
    name = db["NAME"].removeprefix("test_") + "_faults"  # the script creates test_<name>
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    env = {**os.environ, "TEST_DATABASE_URL": url, "DATABASE_URL": url}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "celery_faults.py"),
            "--reminders",
            "600",
            "--kills",
            "2",
            "--redis-restarts",
            "1",
            "--first-fault",
            "2.5",
            "--port",
            "6391",
            "--timeout",
            "90",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("CELERY_FAULTS ")), None)
    assert line, result.stdout[-2000:] + result.stderr[-3000:]
    figures = json.loads(line.split(" ", 1)[1])
    assert figures["sent"] == figures["expected"] == 600, figures
    assert figures["notifications"] == 600 and figures["duplicates"] == 0, figures
    assert figures["failed"] == 0 and figures["kills_done"] == 2, figures
    assert figures["redis_restarts_done"] == 1, figures
    assert result.returncode == 0, result.stdout[-2000:]
