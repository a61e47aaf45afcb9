"""A short run of bench/several_hosts.py: two web servers (gunicorn) and two Celery workers as
separate processes, every one through PgBouncer in transaction mode, against one PostgreSQL
and one Redis. Counted at the receivers: reminders and webhooks delivered once, the ERP sync
consistent (docs/scaling.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

# transactional: the servers and workers write through their own connections, and the
# database is emptied after the test
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
ROWS, BATCH, CLIENTS, USERS, OCCURRENCES = 120, 30, 2, 8, 3


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker):
    assert shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists(), (
        "PgBouncer is needed (make test installs Debian's pgbouncer)"
    )
    with django_db_blocker.unblock():
        db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    try:
        yield subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "several_hosts.py"),
                *("--database-url", url, "--rows", str(ROWS), "--batch", str(BATCH)),
                *("--erp-clients", str(CLIENTS), "--users", str(USERS)),
                *("--occurrences", str(OCCURRENCES), "--timeout", "120"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=400,
        )
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def figures(run) -> dict:
    line = next((x for x in run.stdout.splitlines() if x.startswith("SEVERAL_HOSTS ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(line.split(" ", 1)[1])


def test_the_erp_sync_through_two_web_servers_at_once_stays_consistent(run):
    got = figures(run)
    assert got["pooler"] == "pgbouncer transaction mode"
    # both clients, both versions, every batch: answered, none refused or failed
    assert got["erp_answers"] == {"200": 2 * CLIENTS * (ROWS // BATCH)}, got
    assert got["projects_stored"] == got["distinct_erp_ids"] == ROWS, got
    assert got["not_last_version"] == 0, got
    # the cursor read, page by page from alternating servers: each project exactly once
    assert got["sync_listed"] == ROWS and got["sync_duplicates"] == 0, got


def test_webhooks_from_either_server_are_delivered_once_by_either_worker(run):
    got = figures(run)
    # one create and one change per project (an identical upsert sends nothing)
    assert got["webhook_rows"] == 2 * ROWS, got
    assert got["webhook_received"] == got["webhook_rows_delivered"] == 2 * ROWS, got
    assert got["webhook_duplicates"] == 0, got


def test_reminders_ticked_by_two_beats_reach_everyone_once(run):
    got = figures(run)
    for channel in ("email", "chat"):
        assert got[f"{channel}_expected"] == USERS * OCCURRENCES, got
        assert got[f"{channel}_lost"] == 0 and got[f"{channel}_duplicates"] == 0, got
    assert run.returncode == 0, run.stdout[-2000:]
