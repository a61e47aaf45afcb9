"""Sending the reminder outbox: claim due rows, send each over its channel
(coordination.reviews.reminders.channels), record the outcome. Several senders may run at
once; no row is claimed by two of them. On databases other than PostgreSQL the claim is
coordination.reviews.reminders.portable's and in-app rows are sent row by row.

What a crash or a hung channel can cost (docs/reliability.md):

- In-app: nothing. The inbox message and the row's `sent` commit together.
- E-mail / chat: the one message in flight when the process died, sent again once its
  claim has expired. Each is recorded `sent` in its own statement the moment its channel
  answers, and carries a stable id (channels.message_id, channels.chat_marker) so the
  receiver can drop the repeat.
- A claim is a lease of REMINDER_SENDING_TIMEOUT_SECONDS. A batch takes rows only during
  the first half of it (rules.sending_window) and a channel timeout is at most a quarter of
  it (rules.check_channel_timeouts), so a live sender is never reclaimed. Every claim,
  reclaims included, counts as an attempt; a row found stuck with REMINDER_MAX_ATTEMPTS
  attempts used ends `failed` (failure_reason "lease") instead of being sent again.

Settings: see coordination.reviews.reminders.rules.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from coordination.reviews.models import ActionItem, Reminder, Review
from coordination.reviews.reminders import channels, portable
from coordination.reviews.reminders.rules import (
    LEASE_ERROR,
    backoff,
    batch_size,
    max_attempts,
    sending_timeout,
    sending_window,
)
from coordination.reviews.reminders.sql import table

log = logging.getLogger(__name__)


def claim_batch(*, limit: int | None = None, now: datetime.datetime | None = None) -> list:
    """Claim due rows for this sender.

    1. One statement selects, with FOR UPDATE SKIP LOCKED, pending rows whose due time and
       retry time have come and rows stuck in `sending` for longer than
       REMINDER_SENDING_TIMEOUT_SECONDS (their sender crashed or hung), oldest due first,
       and marks them `sending` with claimed_at = now and attempts + 1: a reclaim is an
       attempt like any other. It commits at once: the lock is held only for this update,
       never while a message is sent.
    2. A stuck row that has used REMINDER_MAX_ATTEMPTS attempts is not claimed again: the
       same statement marks it `failed` with failure_reason "lease" (rules.LEASE_ERROR).
    3. Another sender running at the same moment skips the locked rows and, after our commit,
       no longer sees them as pending, so no row is claimed twice.
    4. The two kinds of due rows are two index range scans over partial indexes (pending
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
    spent = "r.status = %(sending)s AND r.attempts >= %(max)s"
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
            SET status = CASE WHEN {spent} THEN %(failed)s ELSE %(sending)s END,
                failure_reason = CASE WHEN {spent} THEN %(lease)s ELSE r.failure_reason END,
                last_error = CASE WHEN {spent} THEN %(lease_error)s ELSE r.last_error END,
                attempts = CASE WHEN {spent} THEN r.attempts ELSE r.attempts + 1 END,
                claimed_at = %(now)s, updated_at = %(now)s
            FROM picked WHERE r.id = picked.id
            RETURNING r.id, r.status
            """,  # noqa: S608  # nosec B608 (the model's table name)
            {
                "pending": Reminder.Status.PENDING,
                "sending": Reminder.Status.SENDING,
                "failed": Reminder.Status.FAILED,
                "lease": Reminder.Failure.LEASE,
                "lease_error": LEASE_ERROR,
                "max": max_attempts(),
                "now": now,
                "cutoff": now - sending_timeout(),
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    ids = [pk for pk, status in rows if status == Reminder.Status.SENDING]
    if len(ids) < len(rows):
        log.warning(
            "%d reminders failed: claim expired with every attempt used", len(rows) - len(ids)
        )
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
    2. E-mail / chat: send outside any transaction, then mark sent at once, in one
       statement, only if the row is still ours (same claimed_at); if a slow send was
       reclaimed meanwhile, the other sender owns it now and this one records nothing.
    3. On ChannelError: back to `pending` with next_attempt_at = claimed_at + backoff, or
       `failed` (failure_reason "channel") after REMINDER_MAX_ATTEMPTS attempts; last_error
       keeps the reason.
    4. A row whose target no longer needs it (review cancelled, action item done or
       cancelled) is not sent: it ends `failed` (failure_reason "obsolete") with last_error
       "obsolete: …".
    Returns True when the message was delivered.
    """
    reason = _obsolete(reminder)
    if reason:
        _mark_obsolete(reminder, reason)
        return False
    if reminder.channel == Reminder.Channel.INAPP:
        return _send_inapp_one(reminder)
    return _send_and_record(reminder) == SENT


def _send_inapp_one(reminder: Reminder) -> bool:
    try:
        with transaction.atomic():
            if not _still_ours(reminder).select_for_update().exists():
                return False
            channels.deliver(reminder)
            _mark_sent(reminder)
        return True
    except channels.ChannelError as exc:
        _mark_failed(reminder, str(exc))
    except Exception as exc:  # an unexpected bug in a channel must not stop the batch
        log.exception("reminder %s failed", reminder.pk)
        _mark_failed(reminder, f"{exc.__class__.__name__}: {exc}")
    return False


SENT, FAILED, TIMED_OUT = "sent", "failed", "timed out"


def _send_and_record(reminder: Reminder) -> str:
    """Deliver an e-mail/chat row, then record the outcome in its own statement (autocommit:
    its own transaction), so a crash right after can repeat this one message only.
    Returns SENT, FAILED or TIMED_OUT (failed too: the destination did not answer)."""
    try:
        channels.deliver(reminder)
    except channels.ChannelError as exc:
        _mark_failed(reminder, str(exc))
        return TIMED_OUT if isinstance(exc, channels.ChannelTimeout) else FAILED
    except Exception as exc:  # an unexpected bug in a channel must not stop the batch
        log.exception("reminder %s failed", reminder.pk)
        _mark_failed(reminder, f"{exc.__class__.__name__}: {exc}")
        return FAILED
    if not _record_sent(reminder):
        log.warning("reminder %s was reclaimed while sending", reminder.pk)
    return SENT


def _record_sent(reminder: Reminder) -> int:
    """_mark_sent for a message already delivered (e-mail, chat): one UPDATE of the row, only
    if it is still ours (status `sending`, same claimed_at), in its own transaction
    (autocommit). Inside _async_commits its commit does not wait for the disk."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return _mark_sent(reminder)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Reminder)} SET status = %s, sent_at = %s, last_error = '', "  # noqa: S608  # nosec B608 (the model's table name)
            "updated_at = %s WHERE id = %s AND status = %s AND claimed_at = %s",
            [
                Reminder.Status.SENT,
                now,
                now,
                reminder.pk,
                Reminder.Status.SENDING,
                reminder.claimed_at,
            ],
        )
        return cursor.rowcount


@contextlib.contextmanager
def _async_commits():
    """While e-mail and chat rows are recorded (send_batch step 3), this connection's commits
    do not wait for the WAL flush (PostgreSQL's synchronous_commit off, for this session and
    only until the lanes are done). A mark is still committed, and seen by every other sender,
    before the next message goes out, so a killed worker repeats nothing it recorded. Only a
    crash of the database server itself can lose the marks of its last moments
    (wal_writer_delay, 0.2 s by default, at most three times that); those messages are sent
    again with their stable ids (channels.message_id), which receivers drop. Waiting for the
    flush cost a disk sync per message (docs/performance.md)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


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


def _mark_obsolete(reminder: Reminder, reason: str) -> int:
    return _still_ours(reminder).update(
        status=Reminder.Status.FAILED,
        failure_reason=Reminder.Failure.OBSOLETE,
        next_attempt_at=None,
        last_error=f"obsolete: {reason}",
        updated_at=timezone.now(),
    )


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
        failure_reason=Reminder.Failure.CHANNEL if give_up else "",
        # Counted from the claim, so one sender round never retries what it just failed.
        next_attempt_at=None if give_up else reminder.claimed_at + backoff(reminder.attempts),
        last_error=error[:2000],
        updated_at=now,
    )


def _release(reminders: list[Reminder]) -> int:
    """Give back rows this batch had no time for: `pending` again, due as before, their claim
    not counted (they were not tried). Only rows still ours; returns how many."""
    claims: dict = {}
    for reminder in reminders:
        claims.setdefault(reminder.claimed_at, []).append(reminder.pk)
    released = 0
    for claimed_at, ids in claims.items():
        released += Reminder.objects.filter(
            pk__in=ids, status=Reminder.Status.SENDING, claimed_at=claimed_at
        ).update(
            status=Reminder.Status.PENDING, attempts=F("attempts") - 1, updated_at=timezone.now()
        )
    return released


def send_due_reminders(
    *, limit: int | None = None, now: datetime.datetime | None = None, rounds: int = 10
) -> dict[str, int]:
    """The sender tick: claim a batch, send each row, repeat until nothing is due
    (at most `rounds` batches). Several senders may run at once. `claimed` counts the rows
    this tick took on: rows a batch gave back untried for lack of time are not among them."""
    result = {"claimed": 0, "sent": 0, "failed": 0}
    for _round in range(rounds):
        started = time.monotonic()
        batch = claim_batch(limit=limit, now=now)
        if not batch:
            break
        sent, released = _send(batch, deadline=started + sending_window())
        result["claimed"] += len(batch) - released
        result["sent"] += sent
        result["failed"] += len(batch) - released - sent
    return result


def send_batch(batch: list[Reminder], *, deadline: float | None = None) -> int:
    """Send the rows claim_batch returned (send_one's guarantees, docs/performance.md):

    1. Obsolete rows (review cancelled, action item no longer open, as read with the
       batch): failed with "obsolete: …" like send_one.
    2. In-app rows first, in one go: one transaction marks sent, with one UPDATE, those
       still ours (same claimed_at; the UPDATE locks them) and inserts their inbox messages,
       so inbox message and mark commit together (exactly once), whatever the other
       channels do. If an in-app delivery raises, that transaction is rolled back and the
       in-app rows go through send_one one by one, each failure recorded on its own row.
    3. Then e-mail and chat, one channel after the other, each row recorded sent in its own
       statement as soon as its channel answers (a crash repeats at most the message in
       flight). The batch takes rows only until `deadline` (time.monotonic(); by default
       half the lease from now, rules.sending_window), and each channel may use only its
       share of what is left: the time to the deadline divided by the channels still to
       go. A slow or hung channel uses up its own share only; the next one still gets its.
       After a timeout, no more rows for that destination (channels.destination: the mail
       server, a robot's host) are tried in this batch: a hung server costs one timeout per
       batch, not one per row.
    4. Rows left when a channel's share is over, or whose destination timed out, are given
       back untried (pending, due as before, the claim not counted as an attempt); the
       next round takes them.
    Returns how many messages were delivered.
    """
    if not batch:
        return 0
    return _send(
        batch, deadline=time.monotonic() + sending_window() if deadline is None else deadline
    )[0]


def _send(batch: list[Reminder], *, deadline: float) -> tuple[int, int]:
    """send_batch's steps; returns (delivered, given back untried)."""
    live = []
    for reminder in batch:
        reason = _obsolete_reason(
            reminder, reminder.target_review_status, reminder.target_item_status
        )
        if reason:
            _mark_obsolete(reminder, reason)
        else:
            live.append(reminder)
    sent = _send_inapp([r for r in live if r.channel == Reminder.Channel.INAPP])
    by_channel = [[r for r in live if r.channel == channel] for channel in Reminder.Channel]
    lanes = [lane for lane in by_channel if lane and lane[0].channel != Reminder.Channel.INAPP]
    with _async_commits():
        lane_sent, released = _send_lanes(lanes, deadline)
    if released:
        log.info("%d reminders given back untried: the batch's time was up", released)
    return sent + lane_sent, released


def _send_lanes(lanes: list[list[Reminder]], deadline: float) -> tuple[int, int]:
    """send_batch step 3 and 4 over the e-mail and chat lanes; returns (sent, given back)."""
    sent = released = 0
    for number, lane in enumerate(lanes):
        left = len(lanes) - number  # this channel and those after it
        share_ends = time.monotonic() + max(0.0, deadline - time.monotonic()) / left
        hung: set[str] = set()
        later: list[Reminder] = []
        for i, reminder in enumerate(lane):
            if time.monotonic() >= share_ends:
                later += lane[i:]
                break
            if channels.destination(reminder) in hung:
                later.append(reminder)
                continue
            outcome = _send_and_record(reminder)
            sent += outcome == SENT
            if outcome == TIMED_OUT:
                hung.add(channels.destination(reminder))
        released += _release(later)
    return sent, released


def _send_inapp(reminders: list[Reminder]) -> int:
    """In-app rows in one transaction (send_batch step 2); row by row on other databases
    (_mark_batch_sent's UPDATE is PostgreSQL's) or when one of them fails."""
    if not reminders:
        return 0
    if portable.in_use():
        return sum(_send_inapp_one(reminder) for reminder in reminders)
    try:
        with transaction.atomic():
            ours = _mark_batch_sent(reminders)
            for reminder in reminders:
                if reminder.pk in ours:
                    channels.deliver(reminder)
            return len(ours)
    except Exception:
        # nothing of that transaction was kept: one by one, so each failure is recorded on
        # its own row
        return sum(_send_inapp_one(reminder) for reminder in reminders)


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
