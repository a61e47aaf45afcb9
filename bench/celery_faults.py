# ruff: noqa: S603, S607  (fixed commands: redis-server, redis-cli, celery)
"""Celery fault run of the reminder outbox: what the receivers got, counted per message.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_sec \\
        .venv/bin/python bench/celery_faults.py         # 3,000 reminders, 6 kills, then hung chat

1. Creates a throw-away test database (or uses --database-url, an empty migrated one whose
   owner cleans it up: the pytest version).
2. Starts, each on a free loopback port it picks: its OWN redis-server, an SMTP receiver
   (aiosmtpd) that counts e-mails by Message-ID, and an HTTP chat robot that counts posts
   by their `[reminder-<id>]` marker. Both record a message, then wait --delay seconds
   before they answer: a worker killed in that wait has delivered a message it could not
   record, the worst case for repeats.
3. Starts two real Celery workers (`celery -A coordination worker`, --concurrency each) on a
   private queue and sends `coordination.send_due_reminders` every --tick seconds.
4. Phase `kills`: --users users who chose e-mail, chat and in-app attend --occurrences
   stand-ups due now; the real creator (create_review_reminders) makes users × occurrences
   × 3 reminders. While messages are arriving it SIGKILLs, --kills times, a worker that is
   up: --worker-kills times the whole worker (started again), otherwise its pool processes
   (the worker forks new ones), and restarts Redis (`redis-cli shutdown nosave`, then
   `redis-server`) --redis-restarts times. Holds with 0 lost on every channel, 0 stuck,
   0 failed, 0 in-app duplicates and at most kills × concurrency e-mail/chat duplicates.
5. Phase `hung-chat`: --hung-users more users, one stand-up; the chat robot now takes every
   post and never answers within CHAT_WEBHOOK_TIMEOUT. Holds with every e-mail and in-app
   message delivered once, no row past --max-attempts attempts, every chat row `failed`
   with its reason ("channel"), 0 stuck.
6. Prints the figures as one JSON line `CELERY_FAULTS {...}`, then `RESULT OK|FAIL`; exit
   status 1 unless every figure holds.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import email
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.smtp import SMTP

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.celery_faults_settings"
LEASE = 4  # REMINDER_SENDING_TIMEOUT_SECONDS of the run: killed workers' rows come back soon
CHANNEL_TIMEOUT = 1  # chat and SMTP timeout: a quarter of the lease (reminders.E001)
MESSAGE_ID = re.compile(r"<reminder-(\d+)@")
MARKER = re.compile(r"\[reminder-(\d+)\]\s*$")


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_up(port: int) -> bool:
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() == "PONG"


def start_redis(port: int) -> bool:
    started = subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        capture_output=True,
        check=False,
    )
    deadline = time.monotonic() + 10
    while started.returncode == 0 and not redis_up(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return started.returncode == 0


def stop_redis(port: int) -> None:
    subprocess.run(
        ["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, check=False
    )
    deadline = time.monotonic() + 10
    while redis_up(port) and time.monotonic() < deadline:
        time.sleep(0.1)


def own_redis() -> int:
    """Start a redis-server on a free port (another run may take a probed port first: try
    again with the next pick)."""
    for _try in range(5):
        port = free_port()
        if not redis_up(port) and start_redis(port):
            return port
    raise SystemExit("could not start a redis-server on a free port")


class Counted:
    """What one receiver got: the reminder id of each message, in order of arrival."""

    def __init__(self):
        self.ids: list[int] = []
        self.last_at = 0.0
        self._lock = threading.Lock()

    def add(self, reminder_id: int) -> None:
        with self._lock:
            self.ids.append(reminder_id)
            self.last_at = time.monotonic()

    def counter(self, among: set[int]) -> collections.Counter:
        with self._lock:
            return collections.Counter(i for i in self.ids if i in among)


class MailReceiver:
    """An SMTP server (aiosmtpd) on its own event loop thread; counts by Message-ID."""

    def __init__(self, delay: float):
        self.got = Counted()
        self.delay = delay
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            self.loop.create_server(lambda: SMTP(self, hostname="localhost"), "127.0.0.1", 0),
            self.loop,
        ).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        found = MESSAGE_ID.match(message.get("Message-ID", ""))
        self.got.add(int(found.group(1)) if found else 0)
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class ChatReceiver:
    """A chat robot (DingTalk-style JSON) on an HTTP server thread; counts by marker. When
    `hung`, it takes each post, never answers in time and keeps nothing (only `arrivals`)."""

    def __init__(self, delay: float):
        self.got = Counted()
        self.arrivals = Counted()
        self.hung = False
        receiver = self

        class Robot(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                found = MARKER.search(body.get("text", {}).get("content", ""))
                reminder_id = int(found.group(1)) if found else 0
                receiver.arrivals.add(reminder_id)
                if receiver.hung:  # the sender has given up long before: no answer
                    time.sleep(3 * CHANNEL_TIMEOUT)
                    self.close_connection = True
                    return
                receiver.got.add(reminder_id)
                time.sleep(delay)
                answer = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Worker:
    """One `celery worker` process group; `up` once its log says it is ready."""

    def __init__(self, n: int, command: list[str], env: dict, logdir: Path):
        self.n, self.command, self.env = n, command, env
        self.log_path = logdir / f"worker-{n}.log"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.log_from = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "a")  # closed when the process ends
        self.process = subprocess.Popen(
            [*self.command, "-n", f"faults{self.n}-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def up(self) -> bool:
        with open(self.log_path, "rb") as log:
            log.seek(self.log_from)
            return b" ready." in log.read()

    def pool(self) -> list[int]:
        """The pids of the worker's pool processes (its children: they run the tasks)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker (main and pool processes); it is started again."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.start()

    def kill_pool(self) -> None:
        """SIGKILL the pool processes, as the OOM killer would: the worker forks new ones and
        the broker hands the lost tick out again (acks late, reject on worker lost)."""
        for pid in self.pool():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def duplicates(counter: collections.Counter) -> int:
    return sum(n - 1 for n in counter.values())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--occurrences", type=int, default=10, help="stand-ups every user attends")
    p.add_argument("--kills", type=int, default=6, help="SIGKILLs of a worker's processes")
    p.add_argument(
        "--worker-kills",
        type=int,
        default=3,
        help="how many of the kills take the whole worker (restarted: slow); the others its "
        "pool processes (re-forked at once)",
    )
    p.add_argument("--redis-restarts", type=int, default=1)
    p.add_argument("--hung-users", type=int, default=20, help="0: no hung-chat phase")
    p.add_argument("--concurrency", type=int, default=1, help="processes per worker")
    p.add_argument("--delay", type=float, default=0.02, help="receivers' answer, seconds")
    p.add_argument("--max-attempts", type=int, default=5)
    p.add_argument("--tick", type=float, default=0.3, help="seconds between sender ticks")
    p.add_argument("--timeout", type=float, default=300, help="per phase")
    p.add_argument("--fault-every", type=float, default=1.0, help="at least, seconds")
    p.add_argument("--database-url", default="", help="an empty migrated database to use")
    args = p.parse_args()

    sys.path.insert(0, str(ROOT))
    mail = MailReceiver(args.delay)
    chat = ChatReceiver(args.delay)
    redis_port = own_redis()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    run_env = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "REDIS_URL": redis_url,
        "EMAIL_PORT": str(mail.port),
        "REMINDER_SENDING_TIMEOUT_SECONDS": str(LEASE),
        "REMINDER_MAX_ATTEMPTS": str(args.max_attempts),
        "CHAT_WEBHOOK_TIMEOUT": str(CHANNEL_TIMEOUT),
        "EMAIL_TIMEOUT": str(CHANNEL_TIMEOUT),
    }
    if args.database_url:
        run_env["DATABASE_URL"] = args.database_url
    os.environ.update(run_env)

    import django

    django.setup()
    from celery import Celery
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from coordination.core.models import Notification, Profile
    from coordination.reviews.models import Reminder
    from coordination.reviews.reminders.create import create_review_reminders
    from tests import factories
    from tests.reviews.factories import CadenceFactory, ReviewFactory

    config = None if args.database_url else setup_databases(0, interactive=False, keepdb=False)
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **run_env, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    command = [str(Path(sys.executable).parent / "celery"), "-A", "coordination", "worker"]
    command += ["-l", "info", "-Q", queue, "--concurrency", str(args.concurrency)]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    logdir = ROOT / "var" / "celery-faults"
    logdir.mkdir(parents=True, exist_ok=True)
    inbox = Notification.objects.filter(kind="reminder.review_upcoming")
    figures: dict = {"lease": LEASE, "channel_timeout": CHANNEL_TIMEOUT}
    figures.update(concurrency=args.concurrency, max_attempts=args.max_attempts)
    workers: list[Worker] = []
    sender = None

    def reminders_for(name: str, people: int, occurrences: int):
        """`people` users on every channel, `occurrences` stand-ups due now; their rows."""
        users = [factories.UserFactory(username=f"{name}{i}") for i in range(people)]
        Profile.objects.filter(user__in=users).update(
            notify_email=True,
            notify_chat=True,
            notify_inapp=True,
            chat_webhook_url=f"http://127.0.0.1:{chat.port}/robot/send?access_token={name}",
        )
        now = timezone.now()
        for n in range(occurrences):
            ReviewFactory(
                cadence=CadenceFactory(participants=users),
                date=timezone.localdate(now),
                starts_at=now + datetime.timedelta(minutes=1 + n),
            )
        create_review_reminders(now=now)  # each due its lead time before the start: now
        return Reminder.objects.filter(recipient__in=users)

    def tick() -> None:
        nonlocal sender
        try:
            sender.send_task("coordination.send_due_reminders", queue=queue)
        except Exception:  # Redis down: the tick is lost, the next one comes
            sender = Celery("faults", broker=redis_url)

    def phase(rows, plan: list[str]) -> dict:
        started = time.monotonic()
        ids = {
            c: set(rows.filter(channel=c).values_list("pk", flat=True)) for c in ("email", "chat")
        }
        inbox_wanted = set(rows.filter(channel="inapp").values_list("recipient_id", "url"))
        unfinished = rows.filter(status__in=[Reminder.Status.PENDING, Reminder.Status.SENDING])
        out: dict = {"expected": {"email": len(ids["email"]), "chat": len(ids["chat"])}}
        out["expected"]["inapp"] = len(inbox_wanted)
        out.update(kills_done=0, kills_while_sending=0, redis_restarts_done=0)
        out["unsent_at_each_fault"] = []
        last_fault, victim, others_done = 0.0, 0, None
        while time.monotonic() - started < args.timeout:
            left = unfinished.count()
            active = time.monotonic() - max(mail.got.last_at, chat.got.last_at) < 0.3
            due = plan and time.monotonic() - last_fault >= args.fault_every
            ready = [w for w in workers if w.up() and w.pool()]
            if due and (not left or (active and ready)):
                what = plan.pop(0)
                out["unsent_at_each_fault"].append(left)
                if what.startswith("kill"):
                    # the next worker in turn that is up (the other may still be starting)
                    target = next((w for w in workers[victim:] + workers if w in ready), None)
                    target = target or workers[victim]
                    target.kill() if what == "kill-worker" else target.kill_pool()
                    out["kills_done"] += 1
                    out[f"{what}s"] = out.get(f"{what}s", 0) + 1
                    out["kills_while_sending"] += left > 0
                    victim = (workers.index(target) + 1) % len(workers)
                else:
                    stop_redis(redis_port)
                    time.sleep(1.0)
                    start_redis(redis_port)
                    out["redis_restarts_done"] += 1
                last_fault = time.monotonic()
            tick()
            if others_done is None and not unfinished.exclude(channel="chat").exists():
                others_done = round(time.monotonic() - started, 1)
            if not plan and not left:
                break
            time.sleep(args.tick)
        received = {"email": mail.got.counter(ids["email"]), "chat": chat.got.counter(ids["chat"])}
        received["inapp"] = collections.Counter(
            key for key in inbox.values_list("user_id", "url") if key in inbox_wanted
        )
        wanted = {**ids, "inapp": inbox_wanted}
        out.update(
            seconds=round(time.monotonic() - started, 1),
            seconds_until_email_and_inapp_done=others_done,
            received={c: sum(n.values()) for c, n in received.items()},
            lost={c: len(wanted[c] - set(received[c])) for c in wanted},
            duplicates={c: duplicates(n) for c, n in received.items()},
            chat_posts_arrived=sum(chat.arrivals.counter(ids["chat"]).values()),
            status={
                f"{c}:{s}": n
                for (c, s), n in collections.Counter(rows.values_list("channel", "status")).items()
            },
            failure_reasons={
                f"{c}:{r}": n
                for (c, r), n in collections.Counter(
                    rows.filter(status="failed").values_list("channel", "failure_reason")
                ).items()
            },
            stuck=unfinished.count(),
            max_attempts_seen=max(rows.values_list("attempts", flat=True), default=0),
            rows_claimed_more_than_once=rows.filter(attempts__gt=1).count(),
        )
        return out

    started = time.monotonic()
    try:
        workers = [Worker(n, command, env, logdir) for n in range(2)]  # they start meanwhile
        kill_rows = reminders_for("fault", args.users, args.occurrences)
        figures["seconds_to_create"] = round(time.monotonic() - started, 1)
        sender = Celery("faults", broker=redis_url)
        sender.conf.broker_connection_retry_on_startup = True
        sender.conf.broker_connection_max_retries = 0
        while not all(w.up() for w in workers) and time.monotonic() - started < 120:
            time.sleep(0.2)
        figures["seconds_to_workers_up"] = round(time.monotonic() - started, 1)
        whole = min(args.worker_kills, args.kills)
        plan = [  # whole-worker kills spread among the pool kills, the first one first
            "kill-worker"
            if (i + 1) * whole // args.kills > i * whole // args.kills
            else "kill-pool"
            for i in reversed(range(args.kills))
        ]
        for n in range(args.redis_restarts):  # Redis restarts spread among the kills
            plan.insert((n + 1) * len(plan) // (args.redis_restarts + 1), "redis")
        figures["kills"] = phase(kill_rows, plan)
        if args.hung_users:
            chat.hung = True
            hung_rows = reminders_for("hung", args.hung_users, 1)
            figures["hung-chat"] = phase(hung_rows, [])
        time.sleep(2 * args.tick)  # let a tick still running finish its round
    finally:
        for w in workers:
            w.stop()
        figures["seconds"] = round(time.monotonic() - started, 1)
        connection.close()
        if config is not None:
            teardown_databases(config, verbosity=0)
        stop_redis(redis_port)
        mail.stop()
        chat.stop()
    print("CELERY_FAULTS", json.dumps(figures, ensure_ascii=False))
    failed = verdict(figures, args)
    print("RESULT", "OK" if not failed else f"FAIL {failed}")
    return 0 if not failed else 1


def verdict(figures: dict, args) -> list[str]:
    """The figures that do not hold (none: OK)."""
    wrong = []
    kills = figures.get("kills", {})
    allowed = args.kills * args.concurrency
    for name, holds in (
        ("kills: stuck", kills.get("stuck") == 0),
        ("kills: lost", kills.get("lost") == {"email": 0, "chat": 0, "inapp": 0}),
        ("kills: in-app duplicates", kills.get("duplicates", {}).get("inapp") == 0),
        (
            "kills: e-mail/chat duplicates",
            sum(kills.get("duplicates", {"": allowed + 1}).values()) <= allowed,
        ),
        ("kills: failed", kills.get("failure_reasons") == {}),
        ("kills: attempts", kills.get("max_attempts_seen", 99) <= args.max_attempts),
        ("kills: done", kills.get("kills_done") == args.kills),
        ("kills: redis", kills.get("redis_restarts_done") == args.redis_restarts),
    ):
        if not holds:
            wrong.append(name)
    if args.hung_users:
        hung = figures.get("hung-chat", {})
        chat_rows = hung.get("expected", {}).get("chat")
        for name, holds in (
            ("hung: stuck", hung.get("stuck") == 0),
            ("hung: e-mail/in-app lost", hung.get("lost", {}).get("email") == 0),
            ("hung: in-app lost", hung.get("lost", {}).get("inapp") == 0),
            ("hung: duplicates", hung.get("duplicates") == {"email": 0, "chat": 0, "inapp": 0}),
            (
                "hung: chat failed with reason",
                hung.get("failure_reasons") == {"chat:channel": chat_rows},
            ),
            ("hung: attempts", hung.get("max_attempts_seen", 99) <= args.max_attempts),
            (
                "hung: posts",
                hung.get("chat_posts_arrived", 1e9) <= (chat_rows or 0) * args.max_attempts,
            ),
        ):
            if not holds:
                wrong.append(name)
    return wrong


if __name__ == "__main__":
    sys.exit(main())
