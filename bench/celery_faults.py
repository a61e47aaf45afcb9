# ruff: noqa: S603, S607  (fixed commands: redis-server, redis-cli, celery)
"""Celery fault run of the reminder outbox: nothing lost, nothing sent twice.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_sec \\
        .venv/bin/python bench/celery_faults.py --reminders 2000 --kills 4 --redis-restarts 2

1. Creates a throw-away test database and N due in-app reminders (one unique subject each).
2. Starts its OWN redis-server on --port (6390 by default; never the shared 6379) and two
   real Celery workers (`celery -A coordination worker`, concurrency 1) on a private queue.
3. Sends `coordination.send_due_reminders` ticks every --tick seconds while it SIGKILLs a
   worker (and restarts it) --kills times and restarts Redis (`redis-cli shutdown nosave`,
   then `redis-server` again) --redis-restarts times.
4. When every row is sent (or --timeout passes) stops everything and counts:
   sent == expected, notifications == expected, duplicates 0, failed 0.
Exit status 1 unless all figures hold.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.celery_faults_settings"


def redis_up(port: int) -> bool:
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() == "PONG"


def start_redis(port: int) -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + 10
    while not redis_up(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"redis-server on port {port} did not start")
        time.sleep(0.1)


def stop_redis(port: int) -> None:
    subprocess.run(
        ["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, check=False
    )
    deadline = time.monotonic() + 10
    while redis_up(port) and time.monotonic() < deadline:
        time.sleep(0.1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reminders", type=int, default=2000)
    p.add_argument("--kills", type=int, default=4, help="SIGKILLs of a worker")
    p.add_argument("--redis-restarts", type=int, default=2)
    p.add_argument("--port", type=int, default=6390, help="our own redis-server")
    p.add_argument("--tick", type=float, default=0.5, help="seconds between sender ticks")
    p.add_argument("--timeout", type=float, default=180)
    p.add_argument("--first-fault", type=float, default=4.0, help="seconds after the start")
    args = p.parse_args()
    if args.port == 6379:
        raise SystemExit("use a port of our own: other test runs share 6379")

    sys.path.insert(0, str(ROOT))
    redis_url = f"redis://127.0.0.1:{args.port}/0"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["REDIS_URL"] = redis_url
    if redis_up(args.port):
        raise SystemExit(f"something already listens on {args.port}: pick another --port")
    start_redis(args.port)

    import django

    django.setup()
    from celery import Celery
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from coordination.core.models import Notification
    from coordination.reviews.models import Reminder
    from tests import factories

    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    celery_bin = str(Path(sys.executable).parent / "celery")
    logdir = ROOT / "var" / "celery-faults"
    logdir.mkdir(parents=True, exist_ok=True)

    def start_worker(n: int) -> subprocess.Popen:
        log = open(logdir / f"worker-{n}.log", "a")  # closed when the process ends
        return subprocess.Popen(
            [
                celery_bin,
                "-A",
                "coordination",
                "worker",
                "-l",
                "warning",
                "-Q",
                queue,
                "-n",
                f"faults{n}@%h",
                "--concurrency",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    figures: dict = {"expected": args.reminders}
    workers: list[subprocess.Popen] = []
    started = time.monotonic()
    try:
        users = [factories.UserFactory(username=f"fault{i}") for i in range(20)]
        now = timezone.now()
        Reminder.objects.bulk_create(
            [
                Reminder(
                    target_key=f"fault:{i}",
                    recipient=users[i % len(users)],
                    channel=Reminder.Channel.INAPP,
                    kind=Reminder.Kind.WEEKLY_DIGEST,
                    subject=f"fault-{i:06d}",
                    due_at=now,
                )
                for i in range(args.reminders)
            ],
            batch_size=1000,
        )
        workers = [start_worker(0), start_worker(1)]
        sender = Celery("faults", broker=redis_url)
        sender.conf.broker_connection_retry_on_startup = True
        sender.conf.broker_connection_max_retries = 0
        # the faults, spread over the first part of the run
        kills, restarts = args.kills, args.redis_restarts
        events = sorted(
            [(args.first_fault + 1.2 * i, "kill") for i in range(kills)]
            + [(args.first_fault + 0.6 + 2.0 * i, "redis") for i in range(restarts)]
        )
        figures.update(kills_done=0, redis_restarts_done=0, ticks_sent=0, ticks_refused=0)
        figures.update(faults_while_sending=0, unsent_at_each_fault=[])
        pending = Reminder.objects.exclude(status=Reminder.Status.SENT)
        while time.monotonic() - started < args.timeout:
            elapsed = time.monotonic() - started
            while events and events[0][0] <= elapsed:
                _at, what = events.pop(0)
                left = pending.count()
                figures["faults_while_sending"] += left > 0
                figures["unsent_at_each_fault"].append(left)
                if what == "kill":
                    victim = figures["kills_done"] % len(workers)
                    os.killpg(workers[victim].pid, signal.SIGKILL)
                    workers[victim].wait()
                    workers[victim] = start_worker(victim)
                    figures["kills_done"] += 1
                else:
                    stop_redis(args.port)
                    time.sleep(1.0)
                    start_redis(args.port)
                    figures["redis_restarts_done"] += 1
            try:
                sender.send_task("coordination.send_due_reminders", queue=queue)
                figures["ticks_sent"] += 1
            except Exception:  # Redis down: the tick is lost, the next one comes
                figures["ticks_refused"] += 1
                sender = Celery("faults", broker=redis_url)
            if not events and not pending.exists():
                break
            time.sleep(args.tick)
        time.sleep(2 * args.tick)  # let a tick still running finish its round
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
        try:
            rows = Reminder.objects.filter(target_key__startswith="fault:")
            notes = Notification.objects.filter(subject__startswith="fault-")
            dupes = (
                notes.values("subject").annotate(n=Count("id")).filter(n__gt=1).count()
                if notes.exists()
                else 0
            )
            figures.update(
                sent=rows.filter(status=Reminder.Status.SENT).count(),
                failed=rows.filter(status=Reminder.Status.FAILED).count(),
                still_pending_or_sending=rows.exclude(
                    status__in=[Reminder.Status.SENT, Reminder.Status.FAILED]
                ).count(),
                notifications=notes.count(),
                distinct_notified=notes.values("subject").distinct().count(),
                duplicates=notes.count() - notes.values("subject").distinct().count(),
                subjects_notified_more_than_once=dupes,
                reclaimed_rows=rows.filter(attempts__gt=1).count(),
                seconds=round(time.monotonic() - started, 1),
            )
        finally:
            connection.close()
            teardown_databases(config, verbosity=0)
            stop_redis(args.port)
    print("CELERY_FAULTS", json.dumps(figures))
    ok = (
        figures.get("sent") == args.reminders
        and figures.get("notifications") == args.reminders
        and figures.get("duplicates") == 0
        and figures.get("failed") == 0
        and figures.get("kills_done") == args.kills
        and figures.get("redis_restarts_done") == args.redis_restarts
    )
    print("RESULT", "OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
