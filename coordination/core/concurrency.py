"""Optimistic concurrency for the records two people may edit, so that no edit is lost.

The records carry `edit_version` (coordination.core.models.Versioned): review minutes, the
kickoff record, project, milestone, change request, feasibility assessment. A quote's
revisions are its versions (each saved change is a new revision).

1. Whoever reads a record gets its version with it: the HTML form in a hidden field, the API
   as the ETag `"v<version>"`.
2. Whoever writes passes back the version it read (`expected`). None, when it named none (an
   older client, a script), is accepted as before: API.md says writes "accept" If-Match.
3. The service locks the row (select_for_update) and calls check_version(record, expected)
   before it changes anything. Another version raises StaleWrite and the transaction writes
   nothing: the page shows both texts with the user's input kept, the API answers 412.
4. The write saves the row with edit_version = edit_version + 1 (Versioned.save); an UPDATE
   of many rows adds **bump().

Two writers who read the same version n: the row lock orders them; the first saves n + 1,
the second's check then reads n + 1 and refuses it.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import F
from django.utils.translation import gettext as _

from coordination.core.exceptions import StaleWrite

VERSION_FIELD = "edit_version"

# One version the writer read, any of several (an If-Match list), or None: no check.
Expected = int | Collection[int] | None


def next_version():
    """The expression a save writes: the stored version plus one, whatever was read."""
    return F(VERSION_FIELD) + 1


def bump() -> dict:
    """For `QuerySet.update(**bump(), ...)`: each updated row becomes its next version."""
    return {VERSION_FIELD: next_version()}


def check_version(record, expected: Expected) -> None:
    """Refuse with StaleWrite unless `record` (locked by the caller) is at the `expected`
    version. `record` None: it does not exist yet (version 0)."""
    if expected is None:
        return
    current = record.edit_version if record is not None else 0
    allowed = {expected} if isinstance(expected, int) else set(expected)
    if current in allowed:
        return
    raise StaleWrite(
        _("这条记录在你读取之后已被别人修改，本次保存未生效。"),
        record=record,
        expected=expected if isinstance(expected, int) else None,
        current=current,
    )
