"""Creating due rows of the reminder outbox: review reminders, overdue escalations, weekly
digests, each exactly once per (target, recipient, channel, kind).

Review reminders are one INSERT … SELECT (coordination.reviews.reminders.sql); overdue and
digest rows are built in Python (coordination.reviews.reminders.rows) and go through
`queue`. On databases other than PostgreSQL both go through
coordination.reviews.reminders.portable instead.

Settings: see coordination.reviews.reminders.rules.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core import workdays
from coordination.core.roles import GROUP_BUSINESS_MANAGER, GROUP_ENGINEERING_MANAGER, GROUP_PMO
from coordination.reviews.models import ActionItem, Reminder, Review, ReviewCadence
from coordination.reviews.reminders import portable
from coordination.reviews.reminders.rows import rows_for, translated
from coordination.reviews.reminders.rules import escalation_days, lead_time
from coordination.reviews.reminders.sql import (
    LANGUAGE_SQL,
    insert_select,
    insert_values,
    recipient_sql,
    table,
)
from coordination.reviews.services import local_today
from projects.core.models import OPEN_STAGES, Project

User = get_user_model()
ONE_DAY = datetime.timedelta(days=1)


def queue(rows: list[dict]) -> int:
    """Insert the rows of a creator (coordination.reviews.reminders.rows), their texts built
    in each recipient's language, one row per channel each recipient chose, for active users
    only. Returns how many rows were new."""
    values = translated(rows)
    if not values:
        return 0
    if portable.in_use():
        return portable.insert(values)
    return insert_values(values)


# Stand-ins for the per-row values in a text rendered once per language (never reach SQL).
_WHERE, _DATE, _NAME = "\x00where\x00", "\x00date\x00", "\x00name\x00"


def _sql_format(text: str, marker: str, second: str | None = None) -> str:
    """A rendered text with one stand-in (and a second one) as a format() string for
    PostgreSQL: %1$s, %2$s."""
    text = str(text).replace("%", "%%").replace(marker, "%1$s")
    return text.replace(second, "%2$s") if second else text


def _review_texts(keys) -> dict[str, list]:
    """The subject and body of each (cadence time zone, start, review kind, language) as
    format() strings: subject with the place (%1$s), body with the date (%1$s); the words
    "company-wide" per language for reviews without a project."""
    texts = {
        name: [] for name in ("tz", "starts", "kind", "lang", "subject", "body", "company", "label")
    }
    for tz_name, starts_at, kind, language in keys:
        with translation.override(language):
            local = timezone.localtime(starts_at, ReviewCadence(timezone=tz_name).tz)
            # the review's name: its cadence's title (filled in per row), else the kind's label
            subject = _("%(kind)s将于 %(time)s 开始：%(where)s") % {
                "kind": _NAME,
                "time": local.strftime("%H:%M"),
                "where": _WHERE,
            }
            body = _("日期：%(date)s") % {"date": _DATE}
            company = str(_("全公司"))
            label = str(Review(kind=kind).get_kind_display())
        for name, value in (
            ("tz", tz_name),
            ("starts", starts_at),
            ("kind", kind),
            ("lang", language),
            ("subject", _sql_format(subject, _WHERE, _NAME)),
            ("body", _sql_format(body, _DATE)),
            ("company", company),
            ("label", label),
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
    if portable.in_use():
        return portable.create_review_reminders(now)
    now = now or timezone.now()
    participants = ReviewCadence.participants.through
    source = (
        "(SELECT r.id AS review_id, r.kind, r.date, r.starts_at, r.project_id, c.timezone, "  # noqa: S608  # nosec B608 (model names, our SQL)
        "c.title, "
        f"cp.{participants._meta.get_field('user').column} AS recipient_id "
        f"FROM {table(Review)} r "
        f"JOIN {table(ReviewCadence)} c ON c.id = r.cadence_id AND c.is_active "
        f"JOIN {table(participants)} cp "
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
            f"FROM {source} {recipient_sql()}",
            params,
        )
        keys = cursor.fetchall()
    if not keys:
        return 0
    texts = _review_texts(keys)
    return insert_select(
        source,
        {**params, **{f"t_{name}": values for name, values in texts.items()}},
        joins=(
            "JOIN unnest(%(t_tz)s::text[], %(t_starts)s::timestamptz[], %(t_kind)s::text[], "
            "%(t_lang)s::text[], %(t_subject)s::text[], %(t_body)s::text[], "
            "%(t_company)s::text[], %(t_label)s::text[]) "
            "AS t (tz, starts_at, kind, lang, subject, body, company, label) "
            "ON t.tz = s.timezone AND t.starts_at = s.starts_at AND t.kind = s.kind "
            f"AND t.lang = {LANGUAGE_SQL} "
            f"LEFT JOIN {table(Review.project.field.related_model)} p ON p.id = s.project_id"
        ),
        target_key="'review:' || s.review_id",
        review_id="s.review_id",
        kind=f"'{Reminder.Kind.REVIEW_UPCOMING}'",
        subject="format(t.subject, CASE WHEN s.project_id IS NULL THEN t.company ELSE p.name END, "
        "COALESCE(NULLIF(s.title, ''), t.label))",
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
    2. Every open item overdue for ACTION_ITEM_ESCALATION_DAYS working days or more (China's
       working calendar: a weekend or 国庆 does not count against the owner): one
       overdue_escalation row for each of the project's two PMs (PMO for company-wide items).
    3. Rows are unique per (item, recipient, channel, kind), so each stage reaches each
       person once however often the tick runs.
    """
    today = today or local_today()
    now = timezone.now()
    days = escalation_days()
    workcal = workdays.calendar()  # one calendar for every item: one query
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

        rows += rows_for(
            [item.owner],
            build=build_owner,
            target_key=f"action:{item.pk}",
            action_item_id=item.pk,
            kind=Reminder.Kind.OVERDUE_OWNER,
            due_at=now,
            url=url,
        )
        if workcal.working_days_between(item.due_date + ONE_DAY, today) >= days:

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

            rows += rows_for(
                _pms_of(item),
                build=build_pm,
                target_key=f"action:{item.pk}",
                action_item_id=item.pk,
                kind=Reminder.Kind.OVERDUE_ESCALATION,
                due_at=now,
                url=url,
            )
    return queue(rows)


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

        rows += rows_for(
            [user],
            build=build,
            target_key=f"week:{week}",
            kind=Reminder.Kind.WEEKLY_DIGEST,
            due_at=now,
            url="/reviews/",
        )
    return queue(rows)
