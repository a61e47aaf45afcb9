"""The reminder outbox on databases other than PostgreSQL (make run's SQLite): the same rows,
claims and sends as coordination.reminders, which dispatches here, written with the ORM row by
row. On PostgreSQL coordination.reminders runs set-based statements instead;
tests/reviews/test_reminders_setbased.py runs both on the same data and compares every column.

Create due rows, claim them, send them, exactly once per (target, recipient, channel, kind).

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

from .models import ActionItem, Reminder, Review
from .reminders import (
    _pms_of,
    _setting,
    digest_recipients,
    iso_week,
    lead_time,
    send_one,
    sending_timeout,
)
from .reviews import local_today

log = logging.getLogger(__name__)
User = get_user_model()


def channels_for(user) -> list[str]:
    """The channels a user chose in their profile. Nobody is left without a reminder:
    with no usable channel chosen, the in-app inbox is used."""
    profile = getattr(user, "profile", None)
    chosen = []
    if profile is None or (profile.notify_email and user.email):
        if user.email:
            chosen.append(Reminder.Channel.EMAIL)
    if profile is not None and profile.notify_chat and profile.chat_webhook_url:
        chosen.append(Reminder.Channel.CHAT)
    if profile is None or profile.notify_inapp or not chosen:
        chosen.append(Reminder.Channel.INAPP)
    return chosen


def _language(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.language if profile else "") or settings.LANGUAGE_CODE


def _queue(rows: list[Reminder]) -> int:
    """Insert rows; the unique (target_key, recipient, channel, kind) makes a repeat a no-op.
    Returns how many rows were new."""
    if not rows:
        return 0
    # One multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per 1,000 rows, with the values
    # read straight from the instances: bulk_create's per-value preparation was most of the
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


def _rows_for(users: Iterable, *, build, **fields) -> list[Reminder]:
    rows = []
    seen = set()
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        with translation.override(_language(user)):
            subject, body = build(user)
        for channel in channels_for(user):
            rows.append(
                Reminder(
                    recipient=user,
                    channel=channel,
                    subject=str(subject)[:255],
                    body=str(body),
                    **fields,
                )
            )
    return rows


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
    rows: list[Reminder] = []
    for review in reviews:

        def build(user, review=review, texts={}):  # noqa: B006 (one cache per review)
            # the same text for every participant with the same language
            language = translation.get_language()
            if language not in texts:
                local = timezone.localtime(review.starts_at, review.cadence.tz)
                subject = _("%(kind)s将于 %(time)s 开始：%(where)s") % {
                    "kind": review.get_kind_display(),
                    "time": local.strftime("%H:%M"),
                    "where": review.project.name if review.project_id else _("全公司"),
                }
                texts[language] = subject, _("日期：%(date)s") % {"date": review.date.isoformat()}
            return texts[language]

        rows += _rows_for(
            review.cadence.participants.all(),
            build=build,
            target_key=f"review:{review.pk}",
            review=review,
            kind=Reminder.Kind.REVIEW_UPCOMING,
            due_at=review.starts_at - lead_time(),
            url=f"/reviews/{review.pk}/",
        )
    return _queue(rows)


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
    rows: list[Reminder] = []
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
            action_item=item,
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
                action_item=item,
                kind=Reminder.Kind.OVERDUE_ESCALATION,
                due_at=now,
                url=url,
            )
    return _queue(rows)


def create_weekly_digests(today: datetime.date | None = None) -> int:
    """One weekly_digest per manager per ISO week.

    1. target_key is "week:<ISO year>-W<week>" and the recipient is the manager, so the
       unique key (target_key, recipient, channel, kind) admits one digest per user per week.
    2. The body lists the manager's open and overdue action items and next week's reviews.
    """
    from projects.models import Project

    today = today or local_today()
    week = iso_week(today)
    now = timezone.now()
    rows: list[Reminder] = []
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

    1. In one short transaction, select due rows with FOR UPDATE SKIP LOCKED: pending rows
       whose due time and retry time have come, and rows stuck in `sending` for longer than
       REMINDER_SENDING_TIMEOUT_SECONDS (their sender crashed between claim and send).
    2. Mark them `sending` with claimed_at = now and attempts + 1, then commit: the lock is
       held only for this update, never while a message is sent.
    3. Another sender running at the same moment skips the locked rows and, after our commit,
       no longer sees them as pending, so no row is claimed twice.
    """
    now = now or timezone.now()
    limit = limit or int(_setting("REMINDER_BATCH_SIZE", 100))
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
            Reminder.objects.filter(pk__in=ids).update(
                status=Reminder.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
    return list(Reminder.objects.filter(pk__in=ids).select_related("recipient__profile"))


def send_batch(batch: list[Reminder]) -> int:
    """Send claimed rows one by one (send_one: its guarantees, its obsolete checks)."""
    return sum(1 for reminder in batch if send_one(reminder))
