# ruff: noqa: S603, S607, S310  (fixed commands: pgbouncer, redis-server, gunicorn, celery;
# URLs opened are our own loopback servers)
"""Several hosts against one PostgreSQL and one Redis: what the receivers got, counted.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_hosts \\
        .venv/bin/python bench/several_hosts.py      # 2 web servers, 2 workers, PgBouncer

1. Creates a throw-away test database (or uses --database-url, an empty migrated one whose
   owner cleans it up: the pytest version).
2. Starts, each on a free loopback port it picks: PgBouncer in transaction mode in front of
   that database (run as the `postgres` user when this runs as root: PgBouncer refuses root),
   its OWN redis-server, an SMTP receiver and a chat robot counting reminders (the ones of
   bench/celery_faults.py), and a webhook receiver counting deliveries by their
   X-Coordination-Delivery id.
3. Starts two web servers (`gunicorn coordination.wsgi`, --web-workers processes each) and two
   Celery workers (`celery -A coordination worker`) as separate process groups, every one of
   them with DATABASE_URL pointing at PgBouncer and DATABASE_POOLER=pgbouncer-transaction, as
   separate hosts would be configured. Two tickers (a second beat during a rolling deploy)
   both send the reminder sender's tick.
4. The ERP sync: --erp-clients threads post `POST /api/v1/erp/projects/bulk/` batches of the
   same --rows projects, each thread to the web servers in turn, overlapping (the same
   erp_ids from both sides at once), two versions each; then reads the projects back with
   cursor paging (`?updated_since=`), page by page alternating between the servers.
   Holds with every row answered 200, each erp_id exactly one project holding the last
   version, the sync read listing each exactly once, and every `project.upserted` delivery
   received by the webhook receiver exactly once.
5. The reminders: --users users who chose e-mail and chat attend --occurrences stand-ups due
   now. Holds with every reminder received once on each channel: 0 lost, 0 duplicates.
6. Prints the figures as one JSON line `SEVERAL_HOSTS {...}`, then `RESULT OK|FAIL`; exit
   status 1 unless every figure holds.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.celery_faults import (  # noqa: E402
    ChatReceiver,
    MailReceiver,
    Worker,
    duplicates,
    free_port,
    own_redis,
    stop_redis,
)

SETTINGS = "bench.several_hosts_settings"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


class WebhookReceiver:
    """An HTTP endpoint counting webhook deliveries by X-Coordination-Delivery, per event."""

    def __init__(self):
        self.got: collections.Counter = collections.Counter()
        self.events: collections.Counter = collections.Counter()
        self.last_at = 0.0
        lock = threading.Lock()
        receiver = self

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    receiver.got[self.headers.get("X-Coordination-Delivery", "")] += 1
                    receiver.events[self.headers.get("X-Coordination-Event", "")] += 1
                    receiver.last_at = time.monotonic()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PgBouncer:
    """PgBouncer in transaction mode on a free port, in front of PostgreSQL at host:port."""

    def __init__(self, host: str, port: int, user: str):
        self.dir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.port = free_port()
        (self.dir / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {self.dir}\n"
            "auth_type = trust\n"
            f"auth_file = {self.dir / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\n"
        )
        command = [PGBOUNCER, "-q", str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer will not run as root
            shutil.chown(self.dir, "postgres")
            for path in self.dir.iterdir():
                shutil.chown(path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(command, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with __import__("socket").create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"pgbouncer did not start: {self.log()}")

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class WebServer:
    """One `gunicorn coordination.wsgi` process group on a free port."""

    def __init__(self, n: int, env: dict, workers: int, logdir: Path):
        self.port = free_port()
        self.log_path = logdir / f"web-{n}.log"
        log = open(self.log_path, "w")  # closed when the process ends
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "coordination.wsgi",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                *("--timeout", "60", "--access-logfile", "-", "--no-control-socket"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=2) as response:  # nosec B310
                return response.status < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def call(base: str, method: str, path: str, token: str, body=None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback URL of our own server)
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:500]


def wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=200, help="projects the ERP syncs")
    p.add_argument("--batch", type=int, default=50, help="rows per bulk request")
    p.add_argument("--erp-clients", type=int, default=2, help="concurrent ERP threads")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--occurrences", type=int, default=5)
    p.add_argument("--web-workers", type=int, default=2, help="gunicorn processes per server")
    p.add_argument("--concurrency", type=int, default=2, help="processes per Celery worker")
    p.add_argument("--tick", type=float, default=0.3, help="seconds between ticks per ticker")
    p.add_argument("--timeout", type=float, default=180)
    p.add_argument("--database-url", default="", help="an empty migrated database to use")
    p.add_argument("--direct", action="store_true", help="no PgBouncer: straight to PostgreSQL")
    args = p.parse_args()

    mail, chat, hook = MailReceiver(0.0), ChatReceiver(0.0), WebhookReceiver()
    redis_port = own_redis()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    run_env = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "REDIS_URL": redis_url,
        "EMAIL_PORT": str(mail.port),
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

    from coordination.core.models import Profile
    from coordination.integration import services as integration
    from coordination.integration.models import ApiScope, WebhookEndpoint
    from coordination.reviews.models import Reminder
    from coordination.reviews.reminders.create import create_review_reminders
    from projects.core.models import Project
    from tests import factories
    from tests.reviews.factories import CadenceFactory, ReviewFactory

    config = None if args.database_url else setup_databases(0, interactive=False, keepdb=False)
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    if args.direct:
        bouncer = None
        pooled_url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        bouncer = PgBouncer(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), db["USER"])
        pooled_url = f"postgres://{auth}@127.0.0.1:{bouncer.port}/{db['NAME']}"
    env = {
        **os.environ,
        **run_env,
        "DATABASE_URL": pooled_url,
        "DATABASE_POOLER": "" if args.direct else "pgbouncer-transaction",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    logdir = ROOT / "var" / "several-hosts"
    logdir.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).parent / "celery"), "-A", "coordination", "worker"]
    command += ["-l", "info", "--concurrency", str(args.concurrency)]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    figures: dict = {
        "web_servers": 2,
        "workers": 2,
        "pooler": "none" if args.direct else "pgbouncer transaction mode",
    }
    webs: list[WebServer] = []
    workers: list[Worker] = []
    stop_ticking = threading.Event()
    try:
        # --- the data a company would have: people, customers, an ERP client, a webhook
        business = [factories.business_user(username=f"hosts_bpm{i}") for i in range(3)]
        engineering = [factories.engineering_user(username=f"hosts_epm{i}") for i in range(3)]
        customers = [factories.CustomerFactory(erp_id=f"HOSTS-C{i}") for i in range(3)]
        _client, key = integration.create_api_client(name="ERP", scopes=[s.value for s in ApiScope])
        WebhookEndpoint.objects.create(
            name="receiver", url=f"http://127.0.0.1:{hook.port}/hook", events=["project.upserted"]
        )
        people = [factories.UserFactory(username=f"hosts_user{i}") for i in range(args.users)]
        Profile.objects.filter(user__in=people).update(
            notify_email=True,
            notify_chat=True,
            notify_inapp=False,
            chat_webhook_url=f"http://127.0.0.1:{chat.port}/robot/send?access_token=hosts",
        )

        # --- the hosts
        webs = [WebServer(n, env, args.web_workers, logdir) for n in range(2)]
        workers = [Worker(n, command, env, logdir) for n in range(2)]
        # a loaded 2-core machine (the rest of the suite beside this run) has taken over 40 s
        # to answer the first request: the start is not what this run measures
        wait_for(lambda: all(w.up() for w in webs), 240, "the web servers")
        wait_for(lambda: all(w.up() for w in workers), 240, "the workers")

        def ticker() -> None:
            sender = Celery("hosts", broker=redis_url)
            while not stop_ticking.is_set():
                sender.send_task("coordination.send_due_reminders")
                stop_ticking.wait(args.tick)

        tickers = [threading.Thread(target=ticker, daemon=True) for _ in range(2)]
        for t in tickers:
            t.start()

        # --- the ERP sync, from both sides at once
        def rows(version: int) -> list[dict]:
            return [
                {
                    "erp_id": f"HOSTS-P{i}",
                    "name": f"多主机项目 {i} v{version}",
                    "customer_erp_id": customers[i % 3].erp_id,
                    "contract_value": f"{100000 + i * 10 + version}.00",
                    "currency": "CNY",
                    "planned_start": "2027-01-04",
                    "planned_end": f"2027-{1 + i % 12:02d}-{20 + version:02d}",
                    "business_pm": business[i % 3].username,
                    "engineering_pm": engineering[i % 3].username,
                    "primary_owner": "business",
                    "is_key_project": False,
                }
                for i in range(args.rows)
            ]

        answers: collections.Counter = collections.Counter()
        started = time.monotonic()

        def erp(n: int, version: int) -> None:
            batch_rows = rows(version)
            if n % 2:
                batch_rows.reverse()  # the other side runs the same ids the other way round
            for i in range(0, len(batch_rows), args.batch):
                web = webs[(n + i // args.batch) % 2]
                status, _body = call(
                    web.base,
                    "POST",
                    "/api/v1/erp/projects/bulk/",
                    key,
                    batch_rows[i : i + args.batch],
                )
                answers[status] += 1

        for version in (1, 2):
            threads = [
                threading.Thread(target=erp, args=(n, version)) for n in range(args.erp_clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        figures["erp_seconds"] = round(time.monotonic() - started, 2)
        figures["erp_answers"] = dict(answers)
        stored = list(
            Project.objects.filter(erp_id__startswith="HOSTS-P").values_list("erp_id", "name")
        )
        figures["projects_stored"] = len(stored)
        figures["distinct_erp_ids"] = len({e for e, _n in stored})
        figures["not_last_version"] = sum(1 for _e, name in stored if not name.endswith(" v2"))

        # the sync read: cursor pages, alternating between the servers
        listed: collections.Counter = collections.Counter()
        path, page = "/api/v1/projects/?updated_since=2000-01-01T00:00:00%2B08:00&page_size=37", 0
        while path:
            status, body = call(webs[page % 2].base, "GET", path, key)
            if status != 200:
                figures["sync_read_error"] = status
                break
            listed.update(r["erp_id"] for r in body["results"] if r["erp_id"].startswith("HOSTS-"))
            nxt = body.get("next")
            path = nxt[nxt.index("/api/") :] if nxt else ""
            page += 1
        figures["sync_pages"] = page
        figures["sync_listed"] = len(listed)
        figures["sync_duplicates"] = duplicates(listed)

        # --- reminders through the two workers, ticked by two tickers
        now = timezone.now()
        host_projects = list(
            Project.objects.filter(erp_id__startswith="HOSTS-P")[: args.occurrences]
        )
        for n in range(args.occurrences):
            ReviewFactory(
                cadence=CadenceFactory(project=host_projects[n], participants=people),
                date=timezone.localdate(now),
                starts_at=now + datetime.timedelta(minutes=1 + n),
            )
        create_review_reminders(now=now)
        reminders = Reminder.objects.filter(recipient__in=people)
        by_channel = {
            ch: set(reminders.filter(channel=ch).values_list("id", flat=True))
            for ch in ("email", "chat")
        }
        receivers = {"email": mail.got, "chat": chat.got}

        def reminders_in() -> bool:
            return all(set(receivers[ch].counter(ids)) >= ids for ch, ids in by_channel.items())

        expected_hooks = Project.objects.filter(erp_id__startswith="HOSTS-P").count()
        try:
            wait_for(reminders_in, args.timeout, "the reminders")
            from coordination.integration.models import WebhookDelivery

            rows_made = WebhookDelivery.objects.filter(event="project.upserted").count()
            wait_for(lambda: sum(hook.got.values()) >= rows_made, args.timeout, "webhooks")
            # quiet for 3 s: nothing more arrives (a duplicate would)
            wait_for(
                lambda: (
                    time.monotonic() - max(hook.last_at, mail.got.last_at, chat.got.last_at) > 3
                ),
                args.timeout,
                "quiet receivers",
            )
        except SystemExit as exc:
            figures["timeout"] = str(exc)
        stop_ticking.set()
        figures["webhook_statuses"] = {
            " ".join(map(str, key)): n
            for key, n in collections.Counter(
                WebhookDelivery.objects.filter(event="project.upserted").values_list(
                    "status", "attempts", "last_error"
                )
            ).items()
        }
        for ch, ids in by_channel.items():
            got = receivers[ch].counter(ids)
            figures[f"{ch}_expected"] = len(ids)
            figures[f"{ch}_lost"] = len(ids - set(got))
            figures[f"{ch}_duplicates"] = duplicates(got)
        deliveries = WebhookDelivery.objects.filter(event="project.upserted")
        figures["webhook_rows"] = deliveries.count()
        figures["webhook_rows_delivered"] = deliveries.filter(status="delivered").count()
        figures["webhook_received"] = sum(hook.got.values())
        figures["webhook_duplicates"] = duplicates(hook.got)
        figures["webhook_projects"] = expected_hooks
    finally:
        stop_ticking.set()
        for server in webs:
            server.stop()
        for worker in workers:
            worker.stop()
        if bouncer is not None:
            bouncer.stop()
        mail.stop()
        chat.stop()
        hook.stop()
        stop_redis(redis_port)
        if config is not None:
            teardown_databases(config, verbosity=0)

    failures = verdict(figures, args)
    print("SEVERAL_HOSTS " + json.dumps(figures, ensure_ascii=False), flush=True)
    for failure in failures:
        print(f"  does not hold: {failure}", flush=True)
    print("RESULT " + ("OK" if not failures else "FAIL"), flush=True)
    return 1 if failures else 0


def verdict(figures: dict, args) -> list[str]:
    """What must hold; one sentence for each figure that does not."""
    out = []
    batches = 2 * args.erp_clients * -(-args.rows // args.batch)
    if figures.get("erp_answers") != {200: batches}:
        out.append(f"ERP answers {figures.get('erp_answers')}, expected {batches} × 200")
    if figures.get("projects_stored") != args.rows or figures.get("distinct_erp_ids") != args.rows:
        out.append(f"{figures.get('projects_stored')} projects stored for {args.rows} erp_ids")
    if figures.get("not_last_version"):
        out.append(f"{figures['not_last_version']} projects not on the last version")
    if figures.get("sync_listed") != args.rows or figures.get("sync_duplicates"):
        out.append(
            f"sync read listed {figures.get('sync_listed')} ({figures.get('sync_duplicates')} "
            "twice)"
        )
    for ch in ("email", "chat"):
        if figures.get(f"{ch}_lost") or figures.get(f"{ch}_duplicates"):
            out.append(
                f"{ch}: {figures.get(f'{ch}_lost')} lost, "
                f"{figures.get(f'{ch}_duplicates')} duplicates"
            )
        if not figures.get(f"{ch}_expected"):
            out.append(f"{ch}: no reminder was made")
    if figures.get("webhook_duplicates") or figures.get("webhook_received") != figures.get(
        "webhook_rows"
    ):
        out.append(
            f"webhooks: {figures.get('webhook_received')} received for "
            f"{figures.get('webhook_rows')} deliveries ({figures.get('webhook_duplicates')} twice)"
        )
    if figures.get("webhook_rows_delivered") != figures.get("webhook_rows"):
        out.append("webhook rows not all delivered")
    if "timeout" in figures:
        out.append(figures["timeout"])
    return out


if __name__ == "__main__":
    sys.exit(main())
