"""The one INSERT of outbox rows on PostgreSQL.

Every creator hands `insert_select` a source of (target, recipient) rows, alias `s` with a
`recipient_id` column. It joins the recipient (active users only) and their profile (u, pr),
expands each into one row per channel the user chose (the channel rule's SQL form,
coordination.core.channels_rule.CHANNELS_SQL), and inserts them with ON CONFLICT DO NOTHING
on the unique (target_key, recipient, channel, kind): a repeat (an earlier tick, another
process) leaves the existing row as it is. The row count is exactly the number of new rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from coordination.core.channels_rule import CHANNELS_SQL
from coordination.core.models import Profile
from coordination.reviews.models import Reminder

User = get_user_model()

# A recipient's language: their profile's, else LANGUAGE_CODE.
LANGUAGE_SQL = "coalesce(nullif(pr.language, ''), %(default_language)s)"


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def recipient_sql() -> str:
    return (
        f"JOIN {table(User)} u ON u.id = s.recipient_id AND u.is_active "
        f"LEFT JOIN {table(Profile)} pr ON pr.user_id = u.id"
    )


def insert_select(source: str, params: dict, *, joins: str = "", **exprs: str) -> int:
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
        "failure_reason": "''",
        "created_at": "%(created)s",
        "updated_at": "%(created)s",
    }
    sql = (
        f"INSERT INTO {table(Reminder)} ({', '.join(columns)}) "  # noqa: S608  # nosec B608 (model names, our SQL)
        f"SELECT {', '.join(columns.values())} FROM {source} {recipient_sql()} "
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


def insert_values(values: list[dict]) -> int:
    """Insert rows built in Python (coordination.reviews.reminders.rows.translated), one per
    channel each recipient chose. Returns how many rows were new."""
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
    return insert_select(
        f"unnest({arrays}) AS s ({', '.join(columns)})",
        {name: [row.get(name) for row in values] for name in columns},
        **{name: f"s.{name}" for name in columns if name != "recipient_id"},
    )
