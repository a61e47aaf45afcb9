"""A short run of bench/celery_faults.py: real Celery workers SIGKILLed and Redis restarted
while the reminder outbox sends e-mail, chat and in-app reminders to local receivers, then a
chat robot that hangs. Counted at the receivers: what was delivered, not what the table
says (longer run: `make celery-faults`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

# transactional: the workers write through their own connections, and the database is
# emptied after the test
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
KILLS, CONCURRENCY, MAX_ATTEMPTS = 5, 1, 5


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker):
    """One run of both phases on the test database (migrated, empty), shared by the tests."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    try:
        yield subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "celery_faults.py"),
                *("--database-url", url, "--users", "20", "--occurrences", "4"),
                *("--kills", str(KILLS), "--worker-kills", "1", "--redis-restarts", "1"),
                *("--hung-users", "3"),
                *("--concurrency", str(CONCURRENCY), "--max-attempts", str(MAX_ATTEMPTS)),
                *("--timeout", "90"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:  # what the run wrote, even if a test below never runs
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def figures(run) -> dict:
    line = next((x for x in run.stdout.splitlines() if x.startswith("CELERY_FAULTS ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(line.split(" ", 1)[1])


def test_kills_and_a_redis_restart_lose_nothing_and_repeat_only_messages_in_flight(run):
    kills = figures(run)["kills"]
    assert kills["expected"] == {"email": 80, "chat": 80, "inapp": 80}, kills
    # every kill is done; on a loaded machine some land between batches, at least one mid-batch
    assert kills["kills_done"] == KILLS and kills["kills_while_sending"] >= 1, kills
    assert kills["kill-workers"] == 1 and kills["kill-pools"] == KILLS - 1, kills
    assert kills["redis_restarts_done"] == 1, kills
    assert kills["lost"] == {"email": 0, "chat": 0, "inapp": 0}, kills
    assert kills["stuck"] == 0 and kills["failure_reasons"] == {}, kills
    assert kills["duplicates"]["inapp"] == 0, kills
    # a SIGKILL can cost at most the message each of the worker's processes had in flight
    assert kills["duplicates"]["email"] + kills["duplicates"]["chat"] <= KILLS * CONCURRENCY
    assert kills["max_attempts_seen"] <= MAX_ATTEMPTS, kills


def test_a_hung_chat_robot_holds_back_nothing_and_its_rows_fail_with_their_reason(run):
    hung = figures(run)["hung-chat"]
    assert hung["expected"] == {"email": 3, "chat": 3, "inapp": 3}, hung
    assert hung["received"]["email"] == hung["received"]["inapp"] == 3, hung
    assert hung["duplicates"] == {"email": 0, "chat": 0, "inapp": 0}, hung
    assert hung["received"]["chat"] == 0 and hung["stuck"] == 0, hung
    assert hung["failure_reasons"] == {"chat:channel": 3}, hung
    assert hung["max_attempts_seen"] == MAX_ATTEMPTS, hung  # every attempt, none past
    assert hung["chat_posts_arrived"] == 3 * MAX_ATTEMPTS, hung
    # e-mail and in-app were done long before the chat rows ran out of attempts
    assert hung["seconds_until_email_and_inapp_done"] < hung["seconds"] / 2, hung
    assert run.returncode == 0, run.stdout[-2000:]
