"""The reminder outbox on databases other than PostgreSQL (make run's SQLite): what the
outbox writes there as PostgreSQL statements (partial indexes, FOR UPDATE SKIP LOCKED,
unnest, format), here with the ORM, row by row: review reminders, the insert with its channel
rule (coordination.core.channels_rule.channels_for), the claim. The creators
(coordination.reviews.reminders.create) and the sender (.send) ask `in_use` and dispatch
here; everything else (overdue and digest rows, their texts and languages, sending) is
theirs. tests/reviews/test_reminders_setbased.py makes rows both ways on the same data and
compares every column.

Settings: see coordination.reviews.reminders.rules.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core.channels_rule import channels_for
from coordination.reviews.models import Reminder, Review
from coordination.reviews.reminders.rows import rows_for, translated
from coordination.reviews.reminders.rules import (
    LEASE_ERROR,
    batch_size,
    lead_time,
    max_attempts,
    sending_timeout,
)


def in_use() -> bool:
    """Whether the outbox takes this module's paths: on every database but PostgreSQL."""
    return connection.vendor != "postgresql"


def _insert(rows: list[Reminder]) -> int:
    """Insert rows; the unique (target_key, recipient, channel, kind) makes a repeat a no-op.
    Returns how many rows were new."""
    if not rows:
        return 0
    # One multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per 1,000 rows, with the values
    # read straight from the instances: bulk_create's per-value preparation is most of the
    # creation time (docs/performance.md), and RETURNING counts exactly the rows this call
    # inserted (no count before and after).
    now = timezone.now()
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    new = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            params = []
            for row in chunk:
                row.created_at = row.created_at or now
                row.updated_at = now
                params += [getattr(row, f.attname) for f in fields]
            cursor.execute(
                f"INSERT INTO {Reminder._meta.db_table} ({columns}) "  # noqa: S608  # nosec B608 (model names)
                f"VALUES {', '.join([row_sql] * len(chunk))} ON CONFLICT DO NOTHING RETURNING 1",
                params,
            )
            new += len(cursor.fetchall())
    return new


def insert(values: list[dict]) -> int:
    """Rows as coordination.reviews.reminders.rows.translated returns them (one per
    recipient), one per channel the recipient chose. Returns how many rows were new."""
    own = {"user", "build", "recipient_id", "subject", "body"}
    return _insert(
        [
            Reminder(
                recipient=value["user"],
                channel=channel,
                subject=value["subject"][:255],
                body=value["body"],
                **{name: v for name, v in value.items() if name not in own},
            )
            for value in values
            for channel in channels_for(value["user"])
        ]
    )


# --- creating due rows ----------------------------------------------------------------------


def create_review_reminders(now: datetime.datetime | None = None) -> int:
    """Queue a reminder for each participant of each review starting within the lead time.

    1. Select scheduled reviews whose start lies in (now, now + lead].
    2. For each participant and each channel they chose, build one Reminder row with
       target_key "review:<id>" and kind review_upcoming.
    3. Insert with ignore_conflicts: a row that already exists (an earlier tick, another
       process) stays as it is, so a participant is reminded once per review and channel.
    """
    now = now or timezone.now()
    reviews = (
        Review.objects.filter(
            status=Review.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + lead_time(),
            cadence__is_active=True,
        )
        .select_related("cadence", "project")
        .prefetch_related("cadence__participants__profile")
    )
    rows: list[dict] = []
    for review in reviews:

        def build(user, review=review, texts={}):  # noqa: B006 (one cache per review)
            # the same text for every participant with the same language
            language = translation.get_language()
            if language not in texts:
                local = timezone.localtime(review.starts_at, review.cadence.tz)
                subject = _("%(kind)s将于 %(time)s 开始：%(where)s") % {
                    "kind": review.display_title,
                    "time": local.strftime("%H:%M"),
                    "where": review.project.name if review.project_id else _("全公司"),
                }
                texts[language] = subject, _("日期：%(date)s") % {"date": review.date.isoformat()}
            return texts[language]

        rows += rows_for(
            review.cadence.participants.all(),
            build=build,
            target_key=f"review:{review.pk}",
            review=review,
            kind=Reminder.Kind.REVIEW_UPCOMING,
            due_at=review.starts_at - lead_time(),
            url=f"/reviews/{review.pk}/",
        )
    return insert(translated(rows))


# --- sending ----------------------------------------------------------------------------------


def claim_batch(*, limit: int | None = None, now: datetime.datetime | None = None) -> list:
    """Claim due rows for this sender.

    1. In one short transaction, select due rows with FOR UPDATE SKIP LOCKED: pending rows
       whose due time and retry time have come, and rows stuck in `sending` for longer than
       REMINDER_SENDING_TIMEOUT_SECONDS (their sender crashed or hung).
    2. A stuck row that has used REMINDER_MAX_ATTEMPTS attempts ends `failed` (failure_reason
       "lease"); the others are marked `sending` with claimed_at = now and attempts + 1 (a
       reclaim is an attempt), then commit: the lock is held only for this update, never
       while a message is sent.
    3. Another sender running at the same moment skips the locked rows and, after our commit,
       no longer sees them as pending, so no row is claimed twice.
    """
    now = now or timezone.now()
    limit = limit or batch_size()
    due = Q(status=Reminder.Status.PENDING, due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stuck = Q(status=Reminder.Status.SENDING, claimed_at__lt=now - sending_timeout())
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(due | stuck)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Reminder.objects.filter(
                pk__in=ids, status=Reminder.Status.SENDING, attempts__gte=max_attempts()
            ).update(
                status=Reminder.Status.FAILED,
                failure_reason=Reminder.Failure.LEASE,
                last_error=LEASE_ERROR,
                updated_at=now,
            )
            Reminder.objects.filter(pk__in=ids).exclude(status=Reminder.Status.FAILED).update(
                status=Reminder.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
    return list(
        Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENDING)
        .select_related("recipient__profile")
        # the targets' statuses for send_batch's obsolete check, as on PostgreSQL
        .annotate(
            target_review_status=F("review__status"), target_item_status=F("action_item__status")
        )
    )
