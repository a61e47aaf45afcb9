# ruff: noqa: S608  (SQL from this module's constants and integers only)
"""Reminder fan-out: N review occurrences starting soon → outbox rows (one per participant
and channel) → sent through a no-op channel, by the app (coordination.reviews.reminders) vs. the
floor: the same work without the product: one raw INSERT … SELECT, then per batch of the
same size the pending ids read, the same no-op channel called once per message (as the app
calls its channel) and one set-based UPDATE. No Celery task on either side: the app's sender
runs in one task per batch, not per message.

    python bench/reminders.py [--smoke] [--occurrences 50000] [--rounds 3]

The occurrences are added for today to existing perf cadences and removed afterwards.
App and raw run side by side, `--rounds` pairs in alternating order, each after a
VACUUM ANALYZE of the outbox. Prints per round, then
RATIO reminder_fanout_vs_raw=<median of app time ÷ raw time> target=<=2.00 ok=…
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 2.0
MARK = "BENCH-FANOUT"


def _noop_channel(reminder) -> None:
    return None


def _setup(occurrences: int) -> int:
    """Add today's occurrence, starting in 10 minutes, to up to `occurrences` cadences."""
    from django.db import connection
    from django.utils import timezone

    from coordination.devtools.perfdata import CODE_PREFIX, insert_select, q, table
    from coordination.reviews.models import Review

    today = timezone.localdate()
    return (
        insert_select(
            Review,
            {
                "cadence_id": "c.id",
                "project_id": "c.project_id",
                "kind": "c.kind",
                "date": q(today),
                "starts_at": "now() + interval '10 minutes'",
                "status": q("scheduled"),
                "minutes": q(MARK),
                "created_at": "now()",
                "updated_at": "now()",
            },
            f"FROM (SELECT c.* FROM {table('coordination.ReviewCadence')} c "
            f"JOIN {table('projects.Project')} p ON p.id = c.project_id "
            f"WHERE p.code LIKE '{CODE_PREFIX}%' AND c.is_active ORDER BY c.id "
            f"LIMIT {int(occurrences)}) c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table('coordination.Review')} r "
            f"WHERE r.cadence_id = c.id AND r.date = {q(today)})",
        )
        if connection.vendor == "postgresql"
        else 0
    )


def _bench_reviews() -> str:
    from coordination.devtools.perfdata import table

    return f"SELECT id FROM {table('coordination.Review')} WHERE minutes = '{MARK}'"


def _clear_reminders() -> None:
    from django.db import connection

    from coordination.devtools.perfdata import table

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table('coordination.Reminder')} WHERE review_id IN ({_bench_reviews()})"
        )


def _teardown() -> None:
    from django.db import connection

    from coordination.devtools.perfdata import table

    _clear_reminders()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table('coordination.Review')} WHERE minutes = '{MARK}'")


def _app() -> tuple[float, float, int]:
    from django.utils import timezone

    from coordination.reviews.reminders import channels, create, send

    now = timezone.now()
    t_create, created = common.timed(lambda: create.create_review_reminders(now))
    noop_senders = dict.fromkeys(channels.SENDERS, _noop_channel)
    started = time.perf_counter()
    with mock.patch.dict(channels.SENDERS, noop_senders):
        while send.send_due_reminders(now=timezone.now())["claimed"]:
            pass
    return t_create, time.perf_counter() - started, created


RAW_INSERT = """
INSERT INTO coordination_reminder (target_key, review_id, recipient_id, channel, kind, subject,
    body, url, status, due_at, attempts, last_error, failure_reason, created_at, updated_at)
SELECT 'review:' || r.id, r.id, u.id, ch.channel, 'review_upcoming',
       '例会即将开始', '日期：' || r.date, '/reviews/' || r.id || '/', 'pending',
       r.starts_at - interval '30 minutes', 0, '', '', now(), now()
FROM coordination_review r
JOIN coordination_reviewcadence c ON c.id = r.cadence_id AND c.is_active
JOIN coordination_reviewcadence_participants cp ON cp.reviewcadence_id = c.id
JOIN auth_user u ON u.id = cp.user_id AND u.is_active
LEFT JOIN coordination_profile pr ON pr.user_id = u.id
CROSS JOIN (VALUES ('email'), ('inapp')) AS ch(channel)
WHERE r.minutes = %s AND r.status = 'scheduled'
  AND r.starts_at > now() AND r.starts_at <= now() + interval '30 minutes'
  AND (ch.channel = 'email' AND u.email <> '' AND coalesce(pr.notify_email, TRUE)
       OR ch.channel = 'inapp' AND (coalesce(pr.notify_inapp, TRUE) OR u.email = ''))
ON CONFLICT DO NOTHING
"""


def _raw(batch: int) -> tuple[float, float, int]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(RAW_INSERT, [MARK])
        created = cursor.rowcount
    t_create = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM coordination_reminder WHERE status = 'pending' AND review_id IN "
            f"({_bench_reviews()}) ORDER BY due_at, id"
        )
        ids = [row[0] for row in cursor.fetchall()]
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            for reminder_id in chunk:
                _noop_channel(reminder_id)
            cursor.execute(
                "UPDATE coordination_reminder SET status = 'sent', sent_at = now(), "
                "attempts = attempts + 1, updated_at = now() WHERE id = ANY(%s)",
                [chunk],
            )
    return t_create, time.perf_counter() - started, created


def _sent_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM coordination_reminder WHERE status = 'sent' AND review_id IN "
            f"({_bench_reviews()})"
        )
        return cursor.fetchone()[0]


def _vacuum() -> None:
    """VACUUM ANALYZE the outbox before each variant, so neither pays for the other's
    deleted rows (and both start from statistics that show no pending row, as after a
    quiet period in production). Not possible inside a transaction (the smoke test)."""
    from django.db import connection

    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE coordination_reminder")


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    from django.conf import settings

    occurrences = 5 if args.smoke else args.occurrences
    rounds = 1 if args.smoke else args.rounds
    batch = int(getattr(settings, "REMINDER_BATCH_SIZE", 100))
    variants = {"app": _app, "raw": lambda: _raw(batch)}
    results: dict[str, list[tuple[float, float, int, int]]] = {"app": [], "raw": []}
    _teardown()
    try:
        n = _setup(occurrences)
        for i in range(rounds):
            # side by side, the order alternating per round
            for name in ("app", "raw") if i % 2 == 0 else ("raw", "app"):
                _vacuum()
                create, send, rows = variants[name]()
                results[name].append((create, send, rows, _sent_count()))
                _clear_reminders()
    finally:
        _teardown()
    a_rows, r_rows = results["app"][0][2], results["raw"][0][2]
    a_sent = min(sent for *_times, sent in results["app"])
    print(f"reminder fan-out: {n:,} occurrences → {a_rows:,} outbox rows (raw: {r_rows:,})")
    ratios = []
    for (a_create, a_send, *_a), (r_create, r_send, *_r) in zip(
        results["app"], results["raw"], strict=True
    ):
        app, raw = a_create + a_send, r_create + r_send
        ratios.append(app / raw if raw else 0.0)
        common.detail(
            f"app  create {a_create:8.3f}s  send {a_send:8.3f}s  total {app:8.3f}s   "
            f"raw  create {r_create:8.3f}s  send {r_send:8.3f}s  total {raw:8.3f}s   "
            f"ratio {ratios[-1]:.2f} (create {a_create / r_create if r_create else 0:.2f}x, "
            f"send {a_send / r_send if r_send else 0:.2f}x)"
        )
    ratio = statistics.median(ratios)
    if rounds > 1:
        common.detail(f"ratio median of {rounds} rounds; range {min(ratios):.2f}–{max(ratios):.2f}")
    ok = (
        ratio <= TARGET
        and all(rows == a_rows for _c, _s, rows, _sent in results["app"] + results["raw"])
        and a_rows == r_rows
        and a_sent == a_rows
    )
    line = common.ratio_line(
        "reminder_fanout_vs_raw",
        ratio,
        f"<={TARGET:.2f}",
        ok,
        spread=(min(ratios), max(ratios)),
        rounds=rounds,
    )
    return {"ratio": ratio, "ok": ok, "line": line, "rows": (a_rows, r_rows), "sent": a_sent}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--occurrences", type=int, default=50000)
    p.add_argument("--rounds", type=int, default=3, help="app/raw pairs, alternating order")
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
