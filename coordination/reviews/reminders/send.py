"""Sending the reminder outbox: claim due rows, send each over its channel
(coordination.reviews.reminders.channels), record the outcome. Several senders may run at
once; no row is claimed by two of them. On databases other than PostgreSQL the claim is
coordination.reviews.reminders.portable's and a batch is sent row by row.

Settings: see coordination.reviews.reminders.rules.
"""

from __future__ import annotations

import datetime
import logging

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from coordination.reviews.models import ActionItem, Reminder, Review
from coordination.reviews.reminders import channels, portable
from coordination.reviews.reminders.rules import backoff, batch_size, max_attempts, sending_timeout
from coordination.reviews.reminders.sql import table

log = logging.getLogger(__name__)


def claim_batch(*, limit: int | None = None, now: datetime.datetime | None = None) -> list:
    """Claim due rows for this sender.

    1. One statement selects, with FOR UPDATE SKIP LOCKED, pending rows whose due time and
       retry time have come and rows stuck in `sending` for longer than
       REMINDER_SENDING_TIMEOUT_SECONDS (their sender crashed between claim and send),
       oldest due first, and marks them `sending` with claimed_at = now and attempts + 1.
       It commits at once: the lock is held only for this update, never while a message
       is sent.
    2. Another sender running at the same moment skips the locked rows and, after our commit,
       no longer sees them as pending, so no row is claimed twice.
    3. The two kinds of due rows are two index range scans over partial indexes (pending
       rows in reminder_pending_due, already in send order; `sending` rows in
       reminder_sending_claimed), merged and cut to the batch: LIMIT rows read per claim
       however large the backlog. One OR-ed condition made PostgreSQL fetch and sort every
       pending row per claim (docs/performance.md).
    """
    if portable.in_use():
        return portable.claim_batch(limit=limit, now=now)
    now = now or timezone.now()
    limit = limit or batch_size()
    reminders = Reminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS (
                SELECT id, due_at FROM {reminders}
                WHERE status = %(pending)s AND due_at <= %(now)s
                  AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                ORDER BY due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), stuck AS (
                SELECT id, due_at FROM {reminders}
                WHERE status = %(sending)s AND claimed_at < %(cutoff)s
                ORDER BY due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), picked AS (
                SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM stuck) AS rows
                ORDER BY due_at, id LIMIT %(limit)s
            )
            UPDATE {reminders} AS r
            SET status = %(sending)s, claimed_at = %(now)s, attempts = r.attempts + 1,
                updated_at = %(now)s
            FROM picked WHERE r.id = picked.id
            RETURNING r.id
            """,  # noqa: S608  # nosec B608 (the model's table name)
            {
                "pending": Reminder.Status.PENDING,
                "sending": Reminder.Status.SENDING,
                "now": now,
                "cutoff": now - sending_timeout(),
                "limit": limit,
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    return list(
        Reminder.objects.filter(pk__in=ids)
        .select_related("recipient__profile")
        # for send_batch's obsolete check, read with the rows (no look-up per batch)
        .annotate(
            target_review_status=F("review__status"), target_item_status=F("action_item__status")
        )
    )


def _still_ours(reminder: Reminder):
    return Reminder.objects.filter(
        pk=reminder.pk, status=Reminder.Status.SENDING, claimed_at=reminder.claimed_at
    )


def send_one(reminder: Reminder) -> bool:
    """Send one claimed row and record the outcome.

    1. In-app: create the Notification and mark the row sent in one transaction that first
       locks the row and checks it is still ours, so the inbox gets exactly one message.
    2. E-mail / chat: send outside any transaction, then mark sent only if the row is
       still ours (same claimed_at); if a slow send was reclaimed meanwhile, the other
       sender owns it now and this one records nothing.
    3. On ChannelError: back to `pending` with next_attempt_at = claimed_at + backoff, or `failed`
       after REMINDER_MAX_ATTEMPTS attempts; last_error keeps the reason.
    4. A row whose target no longer needs it (review cancelled, action item done or
       cancelled) is not sent: it ends `failed` with last_error "obsolete: …".
    Returns True when the message was delivered.
    """
    reason = _obsolete(reminder)
    if reason:
        _still_ours(reminder).update(
            status=Reminder.Status.FAILED,
            next_attempt_at=None,
            last_error=f"obsolete: {reason}",
            updated_at=timezone.now(),
        )
        return False
    try:
        if reminder.channel == Reminder.Channel.INAPP:
            with transaction.atomic():
                if not _still_ours(reminder).select_for_update().exists():
                    return False
                channels.deliver(reminder)
                _mark_sent(reminder)
            return True
        channels.deliver(reminder)
    except channels.ChannelError as exc:
        _mark_failed(reminder, str(exc))
        return False
    except Exception as exc:  # an unexpected bug in a channel must not stop the batch
        log.exception("reminder %s failed", reminder.pk)
        _mark_failed(reminder, f"{exc.__class__.__name__}: {exc}")
        return False
    if not _mark_sent(reminder):
        log.warning("reminder %s was reclaimed while sending", reminder.pk)
    return True


def _obsolete(reminder: Reminder) -> str:
    """_obsolete_reason with the targets' statuses looked up now (send_one)."""
    review_status = item_status = None
    if reminder.review_id and reminder.kind == Reminder.Kind.REVIEW_UPCOMING:
        review_status = (
            Review.objects.filter(pk=reminder.review_id).values_list("status", flat=True).first()
        )
    if reminder.action_item_id:
        item_status = (
            ActionItem.objects.filter(pk=reminder.action_item_id)
            .values_list("status", flat=True)
            .first()
        )
    return _obsolete_reason(reminder, review_status, item_status)


def _obsolete_reason(reminder: Reminder, review_status, item_status) -> str:
    """Why a row's target no longer needs it ("" if it does): its review was cancelled, or
    its action item is no longer open."""
    if (
        reminder.review_id
        and reminder.kind == Reminder.Kind.REVIEW_UPCOMING
        and review_status == Review.Status.CANCELLED
    ):
        return "review cancelled"
    if reminder.action_item_id and item_status not in (None, ActionItem.Status.OPEN):
        return f"action item {item_status}"
    return ""


def _mark_sent(reminder: Reminder) -> int:
    now = timezone.now()
    return _still_ours(reminder).update(
        status=Reminder.Status.SENT, sent_at=now, last_error="", updated_at=now
    )


def _mark_failed(reminder: Reminder, error: str) -> int:
    now = timezone.now()
    give_up = reminder.attempts >= max_attempts()
    return _still_ours(reminder).update(
        status=Reminder.Status.FAILED if give_up else Reminder.Status.PENDING,
        # Counted from the claim, so one sender round never retries what it just failed.
        next_attempt_at=None if give_up else reminder.claimed_at + backoff(reminder.attempts),
        last_error=error[:2000],
        updated_at=now,
    )


def send_due_reminders(
    *, limit: int | None = None, now: datetime.datetime | None = None, rounds: int = 10
) -> dict[str, int]:
    """The sender tick: claim a batch, send each row, repeat until nothing is due
    (at most `rounds` batches). Several senders may run at once."""
    result = {"claimed": 0, "sent": 0, "failed": 0}
    for _round in range(rounds):
        batch = claim_batch(limit=limit, now=now)
        if not batch:
            break
        result["claimed"] += len(batch)
        sent = send_batch(batch)
        result["sent"] += sent
        result["failed"] += len(batch) - sent
    return result


def send_batch(batch: list[Reminder]) -> int:
    """Send the rows claim_batch returned with a constant number of statements per batch
    (send_one's guarantees, docs/performance.md):

    1. Obsolete rows (review cancelled, action item no longer open, as read with the
       batch): failed with "obsolete: …" like send_one.
    2. E-mail / chat rows: delivered one by one outside any transaction; failures are
       recorded per row (backoff) at once.
    3. Then one transaction marks sent, with one UPDATE, the rows still ours (same
       claimed_at) among the delivered e-mail/chat rows and the in-app rows (the UPDATE
       locks them), and delivers the in-app rows (the Notification inserts): inbox message
       and mark commit together (exactly once). If an in-app delivery raises, that
       transaction is rolled back; the e-mail/chat rows are then marked on their own and
       the in-app rows go through send_one one by one.
    A crash between an e-mail/chat delivery and that commit re-sends at most this batch's
    delivered e-mail/chat messages after the sending timeout (at-least-once, with a window
    of one batch, not one row).
    Returns how many messages were delivered.
    """
    if portable.in_use():
        # row by row: _mark_batch_sent's UPDATE is PostgreSQL's, and portable's claim does
        # not read the targets' statuses with the rows
        return sum(1 for reminder in batch if send_one(reminder))
    if not batch:
        return 0
    live = []
    for reminder in batch:
        reason = _obsolete_reason(
            reminder, reminder.target_review_status, reminder.target_item_status
        )
        if reason:
            _still_ours(reminder).update(
                status=Reminder.Status.FAILED,
                next_attempt_at=None,
                last_error=f"obsolete: {reason}",
                updated_at=timezone.now(),
            )
        else:
            live.append(reminder)
    inapp = [r for r in live if r.channel == Reminder.Channel.INAPP]
    delivered = _deliver_others([r for r in live if r.channel != Reminder.Channel.INAPP])
    sent_inapp = 0
    if not inapp:
        ours = _mark_batch_sent(delivered)
    else:
        try:
            with transaction.atomic():
                ours = _mark_batch_sent(delivered + inapp)
                for reminder in inapp:
                    if reminder.pk in ours:
                        channels.deliver(reminder)
                        sent_inapp += 1
        except Exception:
            # nothing of that transaction was kept: the e-mail/chat rows on their own, the
            # in-app rows one by one, so each failure is recorded on its own row
            ours = _mark_batch_sent(delivered)
            sent_inapp = sum(1 for reminder in inapp if send_one(reminder))
    if any(r.pk not in ours for r in delivered):
        log.warning("some reminders were reclaimed while sending")
    return len(delivered) + sent_inapp


def _mark_batch_sent(reminders: list[Reminder]) -> set[int]:
    """Mark sent, in one statement, the rows of `reminders` still claimed by this sender
    (status `sending` and the same claimed_at); returns their ids. The conditions are on
    the updated rows themselves, so a row reclaimed meanwhile is re-checked and left alone."""
    if not reminders:
        return set()
    claims = {}
    for reminder in reminders:
        claims.setdefault(reminder.claimed_at, []).append(reminder.pk)
    now = timezone.now()
    params = [Reminder.Status.SENT, now, now, Reminder.Status.SENDING]
    for claimed_at, ids in claims.items():
        params += [claimed_at, ids]
    ours = " OR ".join(["(claimed_at = %s AND id = ANY(%s))"] * len(claims))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Reminder)} SET status = %s, sent_at = %s, last_error = '', "  # noqa: S608  # nosec B608 (model names, our SQL)
            f"updated_at = %s WHERE status = %s AND ({ours}) RETURNING id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _deliver_others(reminders: list[Reminder]) -> list[Reminder]:
    """Deliver e-mail/chat rows; failures are recorded at once. Returns the delivered rows."""
    delivered = []
    for reminder in reminders:
        try:
            channels.deliver(reminder)
        except channels.ChannelError as exc:
            _mark_failed(reminder, str(exc))
            continue
        except Exception as exc:  # an unexpected bug in a channel must not stop the batch
            log.exception("reminder %s failed", reminder.pk)
            _mark_failed(reminder, f"{exc.__class__.__name__}: {exc}")
            continue
        delivered.append(reminder)
    return delivered
