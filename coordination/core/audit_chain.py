"""The audit trail as a hash chain: each event carries the hash of the one before it.

1. An event's content is its columns but `actor_id` (a convenience link that SET_NULL clears
   when a user is deleted; `actor_label` is the recorded identity), as canonical JSON: sorted
   keys, no whitespace, the time in UTC with microseconds, the id included.
2. `hash = sha256(prev_hash + content)`; the first event's `prev_hash` is GENESIS.
3. Appends are serialized: on PostgreSQL `coordination_audit_chain_next(n)` (migration 0006)
   takes a transaction-level advisory lock, then reads the tail and draws n ids, so the chain
   order is the id order and two writers never chain to the same tail; the lock is held until
   the writer's transaction ends. A unique index on `prev_hash` refuses a fork even from a
   writer that skipped the lock. Elsewhere (SQLite, `make run`) the ids are the tail's + 1…: a
   concurrent writer collides on the primary key instead of forking.
4. `verify_chain` walks the table in id order and names the first broken link.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterator

from django.db import connections
from django.utils.translation import gettext as _

GENESIS = "0" * 64
# the columns an event's hash covers, in no particular order (the JSON keys are sorted)
CHAINED = (
    "id",
    "created_at",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "project_code",
    "before",
    "after",
    "reason",
)
# the text columns among them: hashed as str, as they read back
TEXT = ("actor_label", "action", "target_type", "target_id", "target_repr", "project_code")
BATCH = 5000
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def instant(moment: datetime.datetime) -> str:
    """One spelling of an event's time, whatever time zone the database hands back."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def plain_float(value: float) -> float | int:
    """A float as jsonb hands it back: -0.0 as 0.0, an integral one of 1e16 or more (which
    json writes with an exponent) as the integer; so an event hashes as it will read back."""
    if value == 0:
        return 0.0
    if abs(value) >= 1e16 and value.is_integer():
        return int(value)
    return value


def plain(value):
    """`value` (JSON-like) with every float as plain_float makes it."""
    if isinstance(value, float):
        return plain_float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def content(row: dict) -> str:
    """The canonical JSON of an event's chained columns (`row`: column → value)."""
    values = {name: row[name] for name in CHAINED}
    if not isinstance(values["created_at"], str):
        values["created_at"] = instant(values["created_at"])
    return _CANONICAL.encode(values)


def link(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def next_links(model, n: int, using: str = "default") -> tuple[str, list[int]]:
    """(the tail's hash, n new ids) for appending n events; call inside a transaction.

    On PostgreSQL the lock taken here is held until that transaction ends."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT prev_hash, last_id FROM coordination_audit_chain_next(%s)", [n])
            prev, last_id = cursor.fetchone()
            return prev or GENESIS, list(range(last_id - n + 1, last_id + 1))
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT id, hash FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608  # nosec B608 (the model's table)
        tail = cursor.fetchone()
    last_id, prev = tail if tail else (0, GENESIS)
    return prev, list(range(last_id + 1, last_id + 1 + n))


def seal(events: list, prev: str, ids: list[int]) -> None:
    """Give each unsaved event (model instances, in order) its id, prev_hash and hash."""
    for event, new_id in zip(events, ids, strict=True):
        event.id = new_id
        for name in TEXT:
            value = getattr(event, name)
            if value is not None and not isinstance(value, str):
                setattr(event, name, str(value))
        event.before, event.after = plain(event.before), plain(event.after)
        event.prev_hash = prev
        event.hash = prev = link(prev, content(event.__dict__))


def seal_rows(rows: list[dict], prev: str, ids: list[int]) -> str:
    """The JSON array of `rows` (column → JSON value, `created_at` an ISO string), each with
    its id, prev_hash and hash; every row's canonical content is serialised once."""
    out = []
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
        canonical = content(row)
        digest = link(prev, canonical)
        out.append(f'{canonical[:-1]},"prev_hash":"{prev}","hash":"{digest}"}}')
        prev = digest
    return "[" + ",".join(out) + "]"


# ---------------------------------------------------------------- verification
@dataclasses.dataclass
class ChainReport:
    checked: int = 0
    last_id: int | None = None
    head: str = GENESIS
    broken_id: int | None = None
    what: str = ""  # a key of MESSAGES (first_link_broken is reported as link_broken)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(model, using: str, batch: int) -> Iterator[dict]:
    names = [*CHAINED, "prev_hash", "hash"]
    last = 0
    while True:
        chunk = list(
            model._base_manager.using(using)
            .filter(id__gt=last)
            .order_by("id")
            .values(*names)[:batch]
        )
        yield from chunk
        if len(chunk) < batch:
            return
        last = chunk[-1]["id"]


def verify_chain(
    model, *, using: str = "default", batch: int = BATCH, anchors: dict[int, str] | None = None
) -> ChainReport:
    """Recompute every link in id order; stop at the first broken one and say what broke.

    `anchors` ({id: hash} noted outside the database earlier) catch a rewrite of the whole
    tail from some row on, which the chain alone cannot show."""
    report = ChainReport()
    anchors = dict(anchors or {})
    before_prev: dict | None = None
    prev: dict | None = None
    rows = _rows(model, using, batch)
    row = next(rows, None)
    while row is not None:
        following = next(rows, None)
        expected = prev["hash"] if prev else GENESIS
        own = link(row["prev_hash"], content(row))
        what = ""
        if row["prev_hash"] != expected:
            what = _broken_link(row, following, expected, before_prev)
        elif own != row["hash"]:
            if following is not None and following["prev_hash"] == own:
                what = "hash_changed"
            elif following is not None and following["prev_hash"] == row["hash"]:
                what = "content_changed"
            else:
                what = "row_changed"
        elif row["id"] in anchors and anchors.pop(row["id"]) != row["hash"]:
            what = "anchor_mismatch"
        if what:
            report.what, report.broken_id, report.message = _describe(
                what, row, following, prev, before_prev
            )
            return report
        report.checked += 1
        report.last_id, report.head = row["id"], row["hash"]
        before_prev, prev, row = prev, row, following
    if anchors:
        missing = min(anchors)
        report.what, report.broken_id = "anchor_mismatch", missing
        report.message = MESSAGES["anchor_mismatch"]() % {"id": missing}
    return report


def _broken_link(row: dict, following: dict | None, expected: str, before_prev) -> str:
    if link(expected, content(row)) == row["hash"]:
        return "prev_hash_changed"  # with the right predecessor the row hashes as stored
    if following is not None and following["prev_hash"] == expected:
        return "inserted"  # the next row still links to the row before this one
    if before_prev is not None and row["prev_hash"] == before_prev["hash"]:
        return "prev_inserted"  # this row skips the one before it, which was slipped in
    return "link_broken"


MESSAGES = {
    "content_changed": lambda: _("第 %(id)s 条审计事件的内容已被改动（与它的哈希不符）。"),
    "hash_changed": lambda: _(
        "第 %(id)s 条审计事件的哈希已被改动（内容未变，下一条仍链接原来的哈希）。"
    ),
    "row_changed": lambda: _("第 %(id)s 条审计事件的内容或哈希已被改动。"),
    "prev_hash_changed": lambda: _("第 %(id)s 条审计事件的“前一哈希”已被改动。"),
    "inserted": lambda: _("第 %(id)s 条审计事件是插进来的：第 %(next)s 条仍链接到第 %(prev)s 条。"),
    "link_broken": lambda: _(
        "第 %(id)s 条审计事件没有链接到它前面的第 %(prev)s 条：其间的记录被删除了，"
        "或第 %(prev)s 条被改写后重算了哈希。"
    ),
    "first_link_broken": lambda: _(
        "第 %(id)s 条审计事件是现存的第一条，却没有链接到链的起点：它之前的记录被删除了。"
    ),
    "anchor_mismatch": lambda: _(
        "第 %(id)s 条审计事件的哈希与链外记下的锚点不符（或这一条已不存在）。"
    ),
}


def _describe(what: str, row, following, prev, before_prev) -> tuple[str, int, str]:
    """(what broke, the id of the first broken link, a sentence naming it)."""
    if what == "prev_inserted":  # the row before this one was slipped in, chained by hand
        ids = {"id": prev["id"], "next": row["id"], "prev": before_prev["id"]}
        return "inserted", prev["id"], MESSAGES["inserted"]() % ids
    ids = {
        "id": row["id"],
        "next": following["id"] if following else "-",
        "prev": prev["id"] if prev else "-",
    }
    if what == "link_broken" and prev is None:
        return what, row["id"], MESSAGES["first_link_broken"]() % ids
    return what, row["id"], MESSAGES[what]() % ids
