"""The rows a creator hands the outbox, before their channels: one dict per (target,
recipient) with target_key, kind, url, due_at, optionally review / action_item_id, the
`user` and a `build(user)` giving (subject, body). Both inserts (coordination.reviews.
reminders.sql on PostgreSQL, .portable elsewhere) take them as `translated` returns them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

from coordination.core.services import recipient_languages


def rows_for(users: Iterable, *, build, **fields) -> list[dict]:
    """One row per distinct user (texts built later, in `translated`, in the user's language)."""
    rows = []
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append({"user": user, "build": build, **fields})
    return rows


def translated(rows: list[dict]) -> list[dict]:
    """The rows of active users, each with its recipient_id, subject and body built in the
    recipient's language (their profile's, else LANGUAGE_CODE)."""
    ids = list({row["user"].pk for row in rows})
    if not ids:
        return []
    languages = recipient_languages(ids)
    values = []
    for row in rows:
        user = row["user"]
        if user.pk not in languages:
            continue
        with translation.override(languages[user.pk]):
            subject, body = row["build"](user)
        values.append({**row, "recipient_id": user.pk, "subject": str(subject), "body": str(body)})
    return values
