"""The reminder outbox: create due rows, claim them, send them, exactly once per
(target, recipient, channel, kind).

Settings (all optional):
    REVIEW_REMINDER_LEAD_MINUTES (30)      remind participants this long before a review
    ACTION_ITEM_ESCALATION_DAYS (3)        days overdue before both PMs are told
    REMINDER_SENDING_TIMEOUT_SECONDS (300) a row `sending` longer than this is reclaimed
    REMINDER_MAX_ATTEMPTS (5)              then the row is `failed`
    REMINDER_BATCH_SIZE (100)              rows one sender claims per round
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core.models import Profile
from coordination.core.roles import GROUP_BUSINESS_MANAGER, GROUP_ENGINEERING_MANAGER, GROUP_PMO
from coordination.core.services import recipient_languages
from coordination.reviews.models import ActionItem, Reminder, Review, ReviewCadence
from coordination.reviews.reminders import channels
from coordination.reviews.services import local_today
from projects.core.models import OPEN_STAGES, Project

log = logging.getLogger(__name__)
User = get_user_model()


def _setting(name: str, default):
    return getattr(settings, name, default)


def _portable():
    """The reminder outbox for databases other than PostgreSQL (make run's SQLite): the
    statements here are PostgreSQL's (partial indexes, FOR UPDATE SKIP LOCKED, unnest,
    format). coordination.reviews.reminders.portable makes the same rows with the ORM, row by row
    (tests/reviews/test_reminders_setbased.py checks both against each other)."""
    if connection.vendor == "postgresql":
        return None

    from coordination.reviews.reminders import portable  # portable reuses this module's parts

    return portable


def lead_time() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(_setting("REVIEW_REMINDER_LEAD_MINUTES", 30)))


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(_setting("REMINDER_SENDING_TIMEOUT_SECONDS", 300)))


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# --- the one INSERT of outbox rows ----------------------------------------------------------
#
# Every creator hands _insert a source of (target, recipient) rows, alias `s` with a
# `recipient_id` column. _insert joins the recipient (active users only) and their profile
# (u, pr), expands each into one row per channel the user chose (the channel rule, below,
# in one place), and inserts them with ON CONFLICT DO NOTHING on the unique
# (target_key, recipient, channel, kind): a repeat (an earlier tick, another process) leaves
# the existing row as it is. The row count is exactly the number of new rows.

# A recipient's language: their profile's, else LANGUAGE_CODE.
LANGUAGE_SQL = "coalesce(nullif(pr.language, ''), %(default_language)s)"


def _recipient_sql() -> str:
    return (
        f"JOIN {_table(User)} u ON u.id = s.recipient_id AND u.is_active "
        f"LEFT JOIN {_table(Profile)} pr ON pr.user_id = u.id"
    )


# The channels a user chose in their profile. Nobody is left without a reminder: with no
# usable channel chosen (or no profile), the in-app inbox is used; e-mail needs an address,
# chat a webhook URL.
CHANNELS_SQL = f"""
    CROSS JOIN LATERAL (
        SELECT u.email <> '' AND coalesce(pr.notify_email, TRUE) AS email,
               coalesce(pr.notify_chat AND pr.chat_webhook_url <> '', FALSE) AS chat
    ) AS chosen
    JOIN (VALUES ('{Reminder.Channel.EMAIL}'), ('{Reminder.Channel.CHAT}'),
                 ('{Reminder.Channel.INAPP}')) AS ch (channel)
      ON CASE ch.channel
           WHEN '{Reminder.Channel.EMAIL}' THEN chosen.email
           WHEN '{Reminder.Channel.CHAT}' THEN chosen.chat
           ELSE coalesce(pr.notify_inapp, TRUE) OR NOT (chosen.email OR chosen.chat)
         END
"""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(source: str, params: dict, *, joins: str = "", **exprs: str) -> int:
    """INSERT … SELECT one outbox row per (source row, chosen channel); `exprs` are the SQL
    of target_key, kind, subject, body, url, due_at (and review_id / action_item_id)."""
    columns = {
        "target_key": exprs["target_key"],
        "review_id": exprs.get("review_id", "NULL"),
        "action_item_id": exprs.get("action_item_id", "NULL"),
        "recipient_id": "u.id",
        "channel": "ch.channel",
        "kind": exprs["kind"],
        "subject": f"left({exprs['subject']}, 255)",
        "body": exprs["body"],
        "url": exprs["url"],
        "status": "%(pending)s",
        "due_at": exprs["due_at"],
        "attempts": "0",
        "last_error": "''",
        "created_at": "%(created)s",
        "updated_at": "%(created)s",
    }
    sql = (
        f"INSERT INTO {_table(Reminder)} ({', '.join(columns)}) "  # noqa: S608  # nosec B608 (model names, our SQL)
        f"SELECT {', '.join(columns.values())} FROM {source} {_recipient_sql()} "
        f"{CHANNELS_SQL} {joins} "
        "ON CONFLICT (target_key, recipient_id, channel, kind) DO NOTHING"
    )
    params = {
        **params,
        "pending": Reminder.Status.PENDING,
        "created": timezone.now(),
        "default_language": settings.LANGUAGE_CODE,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _queue(rows: list[dict]) -> int:
    """Insert reminders built in Python: one dict per (target, recipient) with target_key,
    kind, url, due_at, optionally action_item_id, the `user` and a `build(user)` giving
    (subject, body). The texts are built in each recipient's language (LANGUAGE_SQL), for
    active users only; the channels come from _insert. Returns how many rows were new."""
    ids = list({row["user"].pk for row in rows})
    if not ids:
        return 0
    languages = recipient_languages(ids)
    values = []
    for row in rows:
        user = row["user"]
        if user.pk not in languages:
            continue
        with translation.override(languages[user.pk]):
            subject, body = row["build"](user)
        values.append({**row, "recipient_id": user.pk, "subject": str(subject), "body": str(body)})
    if not values:
        return 0
    if (portable := _portable()) is not None:
        return portable.insert(values)
    columns = {
        "target_key": "text",
        "action_item_id": "bigint",
        "recipient_id": "bigint",
        "kind": "text",
        "subject": "text",
        "body": "text",
        "url": "text",
        "due_at": "timestamptz",
    }
    arrays = ", ".join(f"%({name})s::{kind}[]" for name, kind in columns.items())
    return _insert(
        f"unnest({arrays}) AS s ({', '.join(columns)})",
        {name: [row.get(name) for row in values] for name in columns},
        **{name: f"s.{name}" for name in columns if name != "recipient_id"},
    )


def _rows_for(users: Iterable, *, build, **fields) -> list[dict]:
    """One row per distinct user (texts built later, in _queue, in the user's language)."""
    rows = []
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append({"user": user, "build": build, **fields})
    return rows


# --- creating due rows ----------------------------------------------------------------------

# Stand-ins for the per-row values in a text rendered once per language (never reach SQL).
_WHERE, _DATE = "\x00where\x00", "\x00date\x00"


def _sql_format(text: str, marker: str) -> str:
    """A rendered text with one stand-in as a format() string for PostgreSQL."""
    return str(text).replace("%", "%%").replace(marker, "%1$s")


def _review_texts(keys) -> dict[str, list]:
    """The subject and body of each (cadence time zone, start, review kind, language) as
    format() strings: subject with the place (%1$s), body with the date (%1$s); the words
    "company-wide" per language for reviews without a project."""
    texts = {name: [] for name in ("tz", "starts", "kind", "lang", "subject", "body", "company")}
    for tz_name, starts_at, kind, language in keys:
        with translation.override(language):
            local = timezone.localtime(starts_at, ReviewCadence(timezone=tz_name).tz)
            subject = _("%(kind)s将于 %(time)s 开始：%(where)s") % {
                "kind": Review(kind=kind).get_kind_display(),
                "time": local.strftime("%H:%M"),
                "where": _WHERE,
            }
            body = _("日期：%(date)s") % {"date": _DATE}
            company = str(_("全公司"))
        for name, value in (
            ("tz", tz_name),
            ("starts", starts_at),
            ("kind", kind),
            ("lang", language),
            ("subject", _sql_format(subject, _WHERE)),
            ("body", _sql_format(body, _DATE)),
            ("company", company),
        ):
            texts[name].append(value)
    return texts


def create_review_reminders(now: datetime.datetime | None = None) -> int:
    """Queue a reminder for each participant of each review starting within the lead time.

    1. Select scheduled reviews of active cadences whose start lies in (now, now + lead].
    2. For each active participant and each channel they chose, one Reminder row with
       target_key "review:<id>", kind review_upcoming, due lead time before the start.
    3. Set-based: one query finds the distinct (cadence time zone, start, kind, language)
       of those rows; their texts are rendered once each in Python (the translation and the
       start in the cadence's local time); one INSERT … SELECT over reviews × participants ×
       profiles × channels fills in the project and date per row.
    4. ON CONFLICT DO NOTHING: a row that already exists stays as it is, so a participant is
       reminded once per review and channel. A review or profile changed between the two
       statements (its texts not yet rendered) is picked up by the next tick.
    """
    if (portable := _portable()) is not None:
        return portable.create_review_reminders(now)
    now = now or timezone.now()
    participants = ReviewCadence.participants.through
    source = (
        "(SELECT r.id AS review_id, r.kind, r.date, r.starts_at, r.project_id, c.timezone, "  # noqa: S608  # nosec B608 (model names, our SQL)
        f"cp.{participants._meta.get_field('user').column} AS recipient_id "
        f"FROM {_table(Review)} r "
        f"JOIN {_table(ReviewCadence)} c ON c.id = r.cadence_id AND c.is_active "
        f"JOIN {_table(participants)} cp "
        f"ON cp.{participants._meta.get_field('reviewcadence').column} = c.id "
        "WHERE r.status = %(scheduled)s AND r.starts_at > %(now)s AND r.starts_at <= %(until)s"
        ") AS s"
    )
    params = {
        "scheduled": Review.Status.SCHEDULED,
        "now": now,
        "until": now + lead_time(),
        "lead": lead_time(),
        "default_language": settings.LANGUAGE_CODE,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT s.timezone, s.starts_at, s.kind, {LANGUAGE_SQL} "  # noqa: S608  # nosec B608 (model names, our SQL)
            f"FROM {source} {_recipient_sql()}",
            params,
        )
        keys = cursor.fetchall()
    if not keys:
        return 0
    texts = _review_texts(keys)
    return _insert(
        source,
        {**params, **{f"t_{name}": values for name, values in texts.items()}},
        joins=(
            "JOIN unnest(%(t_tz)s::text[], %(t_starts)s::timestamptz[], %(t_kind)s::text[], "
            "%(t_lang)s::text[], %(t_subject)s::text[], %(t_body)s::text[], "
            "%(t_company)s::text[]) AS t (tz, starts_at, kind, lang, subject, body, company) "
            "ON t.tz = s.timezone AND t.starts_at = s.starts_at AND t.kind = s.kind "
            f"AND t.lang = {LANGUAGE_SQL} "
            f"LEFT JOIN {_table(Review.project.field.related_model)} p ON p.id = s.project_id"
        ),
        target_key="'review:' || s.review_id",
        review_id="s.review_id",
        kind=f"'{Reminder.Kind.REVIEW_UPCOMING}'",
        subject="format(t.subject, CASE WHEN s.project_id IS NULL THEN t.company ELSE p.name END)",
        body="format(t.body, to_char(s.date, 'YYYY-MM-DD'))",
        url="'/reviews/' || s.review_id || '/'",
        due_at="s.starts_at - %(lead)s",
    )


def _pms_of(item: ActionItem) -> list:
    if item.project_id:
        return [item.project.business_pm, item.project.engineering_pm]
    return list(User.objects.filter(groups__name=GROUP_PMO, is_active=True))


def create_overdue_reminders(today: datetime.date | None = None) -> int:
    """Escalation of overdue action items, in two stages.

    1. Every open item whose due date has passed: one overdue_owner row for its owner.
    2. Every open item overdue for ACTION_ITEM_ESCALATION_DAYS or more: one
       overdue_escalation row for each of the project's two PMs (PMO for company-wide items).
    3. Rows are unique per (item, recipient, channel, kind), so each stage reaches each
       person once however often the tick runs.
    """
    today = today or local_today()
    now = timezone.now()
    days = int(_setting("ACTION_ITEM_ESCALATION_DAYS", 3))
    items = (
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_date__lt=today)
        .select_related("owner__profile", "project__business_pm__profile")
        .select_related("project__engineering_pm__profile")
    )
    rows: list[dict] = []
    for item in items:
        overdue = (today - item.due_date).days
        url = f"/reviews/{item.review_id}/" if item.review_id else "/reviews/my-action-items/"

        def build_owner(user, item=item, overdue=overdue):
            return (
                _("待办事项已逾期 %(days)s 天：%(title)s") % {"days": overdue, "title": item.title},
                _("截止日期：%(due)s") % {"due": item.due_date.isoformat()},
            )

        rows += _rows_for(
            [item.owner],
            build=build_owner,
            target_key=f"action:{item.pk}",
            action_item_id=item.pk,
            kind=Reminder.Kind.OVERDUE_OWNER,
            due_at=now,
            url=url,
        )
        if overdue >= days:

            def build_pm(user, item=item, overdue=overdue):
                return (
                    _("待办逾期升级：%(title)s（%(owner)s，逾期 %(days)s 天）")
                    % {"title": item.title, "owner": item.owner.get_username(), "days": overdue},
                    _("项目：%(project)s；截止日期：%(due)s")
                    % {
                        "project": item.project.code if item.project_id else _("全公司"),
                        "due": item.due_date.isoformat(),
                    },
                )

            rows += _rows_for(
                _pms_of(item),
                build=build_pm,
                target_key=f"action:{item.pk}",
                action_item_id=item.pk,
                kind=Reminder.Kind.OVERDUE_ESCALATION,
                due_at=now,
                url=url,
            )
    return _queue(rows)


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients() -> list:
    """Managers: the business and engineering manager groups, and every PM of an open project."""
    open_projects = Project.objects.filter(stage__in=OPEN_STAGES)
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[GROUP_BUSINESS_MANAGER, GROUP_ENGINEERING_MANAGER])
            | Q(business_projects__in=open_projects)
            | Q(engineering_projects__in=open_projects)
        )
        .distinct()
        .select_related("profile")
    )


def create_weekly_digests(today: datetime.date | None = None) -> int:
    """One weekly_digest per manager per ISO week.

    1. target_key is "week:<ISO year>-W<week>" and the recipient is the manager, so the
       unique key (target_key, recipient, channel, kind) admits one digest per user per week.
    2. The body lists the manager's open and overdue action items and next week's reviews.
    """
    today = today or local_today()
    week = iso_week(today)
    now = timezone.now()
    rows: list[dict] = []
    for user in digest_recipients():
        projects = Project.objects.filter(Q(business_pm=user) | Q(engineering_pm=user))
        mine = ActionItem.objects.filter(owner=user, status=ActionItem.Status.OPEN)
        overdue = ActionItem.objects.filter(
            Q(owner=user) | Q(project__in=projects),
            status=ActionItem.Status.OPEN,
            due_date__lt=today,
        )
        upcoming = Review.objects.filter(
            project__in=projects,
            date__gte=today,
            date__lt=today + datetime.timedelta(days=7),
            status=Review.Status.SCHEDULED,
        )
        counts = {"open": mine.count(), "overdue": overdue.count(), "reviews": upcoming.count()}

        late = list(overdue.select_related("owner", "project").order_by("due_date", "id")[:10])

        def build(user, counts=counts, late=late):
            lines = [
                _(
                    "我的未完成待办：%(open)s；逾期待办（含负责项目）：%(overdue)s；未来7天例会：%(reviews)s"
                )
                % counts
            ]
            lines += [
                f"- {item.due_date:%Y-%m-%d} {item.project.code if item.project_id else ''} "
                f"{item.title} ({item.owner.get_username()})"
                for item in late
            ]
            return _("每周汇总 %(week)s") % {"week": week}, "\n".join(lines)

        rows += _rows_for(
            [user],
            build=build,
            target_key=f"week:{week}",
            kind=Reminder.Kind.WEEKLY_DIGEST,
            due_at=now,
            url="/reviews/",
        )
    return _queue(rows)


# --- sending ----------------------------------------------------------------------------------


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
    if (portable := _portable()) is not None:
        return portable.claim_batch(limit=limit, now=now)
    now = now or timezone.now()
    limit = limit or int(_setting("REMINDER_BATCH_SIZE", 100))
    table = Reminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS (
                SELECT id, due_at FROM {table}
                WHERE status = %(pending)s AND due_at <= %(now)s
                  AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                ORDER BY due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), stuck AS (
                SELECT id, due_at FROM {table}
                WHERE status = %(sending)s AND claimed_at < %(cutoff)s
                ORDER BY due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), picked AS (
                SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM stuck) AS rows
                ORDER BY due_at, id LIMIT %(limit)s
            )
            UPDATE {table} AS r
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
    give_up = reminder.attempts >= int(_setting("REMINDER_MAX_ATTEMPTS", 5))
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
    if (portable := _portable()) is not None:
        return portable.send_batch(batch)
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
            f"UPDATE {_table(Reminder)} SET status = %s, sent_at = %s, last_error = '', "  # noqa: S608  # nosec B608 (model names, our SQL)
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
