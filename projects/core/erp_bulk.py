"""Set-based ERP bulk upsert of projects (`POST /api/v1/erp/projects/bulk/`).

The same rules as `services.upsert_project_by_erp_id` for every row, with a constant number
of statements per batch (docs/performance.md), and no model instance per row:

1. One statement locks the batch's existing projects (FOR UPDATE, ordered by id) and reads
   the values the batch needs (the fields it sets, identity, dates, PMs).
2. Each row is checked on its own: edit permission (roles for the whole batch from at most
   one query), the planned-dates rule (`services._check_dates`), and the model's own field
   validation (`Field.clean`, as `full_clean` runs it) of every value the row writes. A row
   failing the dates rule or permission is reported and skipped; a row whose values the
   model refuses is handed back to the per-row path (None), which reports full_clean's
   errors. The others are written.
3. Unchanged rows write nothing (same `updated_at`, no audit event, no domain event).
4. New rows get their codes from ONE update of the year's counter (`new_project_codes`)
   and are inserted with one INSERT … SELECT FROM json_populate_recordset inside a
   savepoint; if a concurrent request inserted one of their `erp_id`s meanwhile
   (IntegrityError), the savepoint is rolled back (no code consumed) and those rows are
   handed back to the per-row path (None), like duplicate `erp_id`s in the batch, which are
   processed one by one in batch order.
5. Changed rows are written with one UPDATE … FROM json_populate_recordset; the audit
   events (`project.upserted`, the per-row path's before/after shape) with one INSERT;
   `project.upserted` is emitted for the written rows with one batch emit (one
   after-commit callback; the webhook listener loads the endpoints once for the batch).

All valid rows of the batch are written in one transaction.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coordination.core import events
from coordination.core.models import AuditEvent
from coordination.core.roles import is_pmo
from coordination.core.services import _jsonable, actor_label
from projects.core.models import Project, ProjectMembership
from projects.core.permissions import LEAD_ROLES
from projects.core.services import (
    PROJECT_FIELDS,
    _check_dates,
    new_project_codes,
    project_event_payload,
)

# (code, "created" | "updated" | "unchanged") | an exception to report for the row
# | None: the caller uses the per-row path
Result = tuple[str, str] | ValidationError | PermissionDenied | None

FIELDS = {name: Project._meta.get_field(name) for name in PROJECT_FIELDS}
# full_clean(exclude=...) of the per-row path: the code is generated, the related objects
# were resolved by the batch's lookups (no FK existence queries)
NOT_VALIDATED = {"code", "customer", "business_pm", "engineering_pm"}
USERNAME = {"business_pm": "business_pm__username", "engineering_pm": "engineering_pm__username"}
# what every locked row is read with (besides the fields the batch sets): identity, the
# event payload and str(), the planned-dates rule, the edit permission
READ = ["id", "code", "stage", "erp_id", "name", "planned_start", "planned_end"]
READ += ["business_pm_id", "engineering_pm_id"]
# name → (attname, is a relation) for the fields a row may set, in PROJECT_FIELDS order
SPEC = {name: (field.attname, field.is_relation) for name, field in FIELDS.items()}


class _Row(dict):
    """A project's values by attname, readable as attributes (for the functions written
    for a Project: services._check_dates, project_event_payload, Project.__str__)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _json(value):
    kind = value.__class__
    if kind is Decimal:
        return str(value)
    if kind is datetime.date or kind is datetime.datetime:
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(kind)


def _recordset(rows: list[dict]) -> str:
    return json.dumps(rows, default=_json, ensure_ascii=False, separators=(",", ":"))


_PLAIN = (str, int, bool, type(None))


def _audit_value(value):
    """`_jsonable(value)` (JSON scalars are kept as they are, without the call)."""
    return value if value.__class__ in _PLAIN else _jsonable(value)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _columns_of(model) -> dict[str, str]:
    return {f.attname: f.column for f in model._meta.concrete_fields}


def _source(model) -> str:
    """The rows of one statement: `r`, one per JSON object of the first parameter, and `k`,
    the values every row shares, from the second (typed by the table's own columns)."""
    table = _table(model)
    return (
        f"json_populate_recordset(NULL::{table}, %s) AS r, "
        f"json_populate_record(NULL::{table}, %s) AS k"
    )


def _params(model, rows: list[dict], shared: dict) -> list[str]:
    """The two parameters of `_source`, keyed by column (json_populate_* match columns)."""
    column = _columns_of(model)
    if any(column[k] != k for k in [*rows[0], *shared]):
        rows = [{column[k]: v for k, v in row.items()} for row in rows]
        shared = {column[k]: v for k, v in shared.items()}
    return [_recordset(rows), _recordset(shared)]


def _quoted(model, rows: list[dict], shared: dict) -> tuple[list[str], list[str]]:
    """The quoted columns of the rows' values and of the shared ones."""
    column, quote = _columns_of(model), connection.ops.quote_name
    return [quote(column[c]) for c in rows[0]], [quote(column[c]) for c in shared]


def _insert(model, rows: list[dict], shared: dict, returning: str = "") -> list[tuple]:
    """One INSERT of `rows` (the values that differ, by attname) with the `shared` ones."""
    own, common = _quoted(model, rows, shared)
    targets = ", ".join([*own, *common])
    values = ", ".join([*(f"r.{c}" for c in own), *(f"k.{c}" for c in common)])
    sql = f"INSERT INTO {_table(model)} ({targets}) SELECT {values} FROM {_source(model)}"  # noqa: S608  # nosec B608 (table and column names of the model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} RETURNING {returning}" if returning else sql, _params(model, rows, shared)
        )
        return cursor.fetchall() if returning else []


def _insert_projects(rows: list[dict], shared: dict) -> dict[str, int]:
    """Insert the new projects (one statement); {code: id}."""
    return dict(_insert(Project, rows, shared, returning="code, id"))


def _update_projects(rows: list[dict], shared: dict) -> None:
    """Write each row's values (by attname: id and the union of the changed fields, merged
    with the locked values) and the `shared` ones (updated_at) by id, in one statement."""
    column, quote = _columns_of(Project), connection.ops.quote_name
    sets = ", ".join(
        [
            *(f"{quote(column[c])} = r.{quote(column[c])}" for c in rows[0] if c != "id"),
            *(f"{quote(column[c])} = k.{quote(column[c])}" for c in shared),
        ]
    )
    table = _table(Project)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS p SET {sets} FROM {_source(Project)} WHERE p.id = r.id",  # noqa: S608  # nosec B608 (table and column names of the model)
            _params(Project, rows, shared),
        )


@functools.lru_cache(maxsize=64)
def _lock_sql(read: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    user = get_user_model()._meta
    columns = ", ".join(f"p.{quote(_columns_of(Project)[a])}" for a in read)
    joins = " ".join(
        f"JOIN {quote(user.db_table)} {alias} ON {alias}.{quote(user.pk.column)} = "
        f"p.{quote(FIELDS[name].column)}"
        for alias, name in (("b", "business_pm"), ("e", "engineering_pm"))
    )
    username = quote(user.get_field("username").column)
    return (
        f"SELECT {columns}, b.{username}, e.{username} FROM {_table(Project)} p {joins} "  # noqa: S608  # nosec B608 (table and column names of the models)
        "WHERE p.erp_id = ANY(%s) ORDER BY p.id FOR UPDATE OF p"
    )


def _lock_existing(erp_ids: list[str], names: set[str]) -> dict[str, dict]:
    """The batch's existing projects, locked (ordered by id: no deadlock between batches),
    as {erp_id: {attname: value, "<pm>__username": username}} with the READ columns and
    those of the fields `names` the batch sets (one statement)."""
    read = tuple(dict.fromkeys([*READ, *sorted(SPEC[n][0] for n in names)]))
    keys = [*read, *USERNAME.values()]
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(read), [erp_ids])
        rows = [_Row(zip(keys, row, strict=True)) for row in cursor.fetchall()]
    return {row["erp_id"]: row for row in rows}


def _editable(by, rows) -> set[int]:
    """Ids of the locked `rows` `by` may edit (can_edit_project), from at most one query."""
    if by is None or is_pmo(by):
        return {r["id"] for r in rows}
    mine = {r["id"] for r in rows if by.pk in (r["business_pm_id"], r["engineering_pm_id"])}
    others = [r["id"] for r in rows if r["id"] not in mine]
    if others:
        mine |= set(
            ProjectMembership.objects.filter(
                user=by, project_id__in=others, role__in=LEAD_ROLES
            ).values_list("project_id", flat=True)
        )
    return mine


def _model_accepts(row: dict, names, accepted: set) -> bool:
    """Whether the model's fields accept these values (what full_clean's clean_fields runs:
    `Field.clean`); `accepted` remembers the (field, value)s of the batch that passed."""
    for name in names:
        if name in NOT_VALIDATED:
            continue
        field = FIELDS[name]
        value = row[field.attname]
        # Decimal("1.0") == Decimal("1.00"), but they differ in decimal places
        key = (name, value.__class__, str(value) if value.__class__ is Decimal else value)
        if key in accepted or (field.blank and value in field.empty_values):
            continue
        try:
            field.clean(value, None)
        except ValidationError:
            return False
        accepted.add(key)
    return True


def _snapshot(row: dict, data: dict) -> dict:
    """`snapshot(project, PROJECT_FIELDS)` of a new row (related objects: those of `data`)."""
    after = {}
    for name, (attname, relation) in SPEC.items():
        value = data[name] if relation and name in data else row[attname]
        after[name] = value if value.__class__ in _PLAIN else _jsonable(value)
    return after


def _before(name: str, row: dict):
    """The per-row path's audit value of a locked field (related objects: _jsonable's
    username for users, pk otherwise)."""
    if name in USERNAME:
        return row[USERNAME[name]]
    return _audit_value(row[FIELDS[name].attname])


_NEW = [
    f
    for f in Project._meta.concrete_fields
    if not f.primary_key
    and not getattr(f, "auto_now", False)
    and not getattr(f, "auto_now_add", False)
]
# fields whose default is computed per instance (none today): never shared between rows
PER_ROW_DEFAULT = [f for f in _NEW if f.has_default() and callable(f.default)]


def _defaults() -> dict:
    """The values a new Project() starts with, by attname (every concrete column)."""
    return {f.attname: f.get_default() for f in _NEW}


def bulk_upsert_projects(items: list[tuple[str, dict[str, Any]]], *, by) -> list[Result]:
    """Upsert (erp_id, validated data) rows; one result per item, in order (see module)."""
    results: list[Result] = [None] * len(items)
    if connection.vendor != "postgresql":
        # the statements below are PostgreSQL's (json_populate_recordset, FOR UPDATE OF):
        # elsewhere (make run's SQLite) every row takes the per-row path (None)
        return results
    counts = Counter(erp_id for erp_id, _data in items)
    single = [i for i, (erp_id, _data) in enumerate(items) if counts[erp_id] == 1]
    if not single:
        return results
    now = timezone.now()
    defaults = _defaults()
    with transaction.atomic():
        names = set().union(*(items[i][1].keys() for i in single)) & SPEC.keys()
        existing = _lock_existing([items[i][0] for i in single], names)
        editable = _editable(by, existing.values())
        # (item index, row by attname, audit before | None, audit after)
        creates: list[tuple[int, dict, None, dict]] = []
        updates: list[tuple[int, dict, dict, dict]] = []
        changed_columns: dict[str, None] = {}
        accepted: set = set()
        set_by_data: set[str] = set()  # the fields new rows set
        for i in single:
            erp_id, data = items[i]
            old = existing.get(erp_id)
            if old is not None and old["id"] not in editable:
                results[i] = PermissionDenied()
                continue
            row = _Row(old if old is not None else defaults, erp_id=erp_id)
            if old is None:
                for field in PER_ROW_DEFAULT:
                    row[field.attname] = field.get_default()
            before, after = {}, {}
            for name, value in data.items():  # services._apply, on the row's values
                spec = SPEC.get(name)
                if spec is None:
                    continue
                attname, relation = spec
                new = value.pk if relation else value
                if old is None:
                    row[attname] = new
                elif row[attname] != new:
                    before[name], after[name] = _before(name, old), _audit_value(value)
                    row[attname] = new
            if old is not None and not after:
                results[i] = (old["code"], "unchanged")
                continue
            if old is None:
                row["forecast_end"] = row["forecast_end"] or row["planned_end"]
            # a new row: what it sets (the rest are the model's defaults)
            checked = after if old is not None else [*data.keys() & SPEC, "erp_id", "forecast_end"]
            if not _model_accepts(row, checked, accepted):
                continue  # None: the per-row path reports full_clean's errors
            try:
                _check_dates(row)
            except ValidationError as exc:
                results[i] = exc
                continue
            if old is None:
                after = _snapshot(row, data)
                set_by_data.update(data.keys() & SPEC)
                creates.append((i, row, None, after))
            else:
                changed_columns.update((FIELDS[name].attname, None) for name in after)
                updates.append((i, row, before, after))

        if creates:
            # columns no new row sets hold the model's defaults: one shared value each
            varying = list(
                dict.fromkeys(
                    ["code", "erp_id", "forecast_end", *(f.attname for f in PER_ROW_DEFAULT)]
                    + [SPEC[n][0] for n in set_by_data]
                )
            )
            shared = {c: v for c, v in defaults.items() if c not in varying}
            shared.update(stage_changed_at=now, created_at=now, updated_at=now)
            try:
                with transaction.atomic():
                    codes = new_project_codes(len(creates))
                    for (_i, row, _b, _a), code in zip(creates, codes, strict=True):
                        row.update(shared, code=code)
                    ids = _insert_projects(
                        [{c: row[c] for c in varying} for _i, row, _b, _a in creates], shared
                    )
            except IntegrityError:
                # an erp_id inserted concurrently: these rows go through the per-row path
                creates = []
            else:
                for _i, row, _b, _a in creates:
                    row["id"] = ids[row["code"]]
        if updates:
            columns = ["id", *changed_columns]
            for _i, row, _b, _a in updates:
                row["updated_at"] = now
            _update_projects(
                [{c: row[c] for c in columns} for _i, row, _b, _a in updates], {"updated_at": now}
            )

        written = creates + updates
        _record_audits(by, written)
        for i, row, before, _a in written:
            results[i] = (row["code"], "created" if before is None else "updated")
        events.emit_many(
            "project.upserted",
            [project_event_payload(row) for _i, row, _b, _a in written],
        )
    return results


def _record_audits(by, written) -> None:
    """What `coordination.core.services.record_audit` writes for each row, in one INSERT."""
    if not written:
        return
    shared = {
        "created_at": timezone.now(),
        "actor_id": by.pk if (by is not None and getattr(by, "pk", None)) else None,
        "actor_label": actor_label(by),
        "action": "project.upserted",
        "target_type": Project._meta.label_lower,
        "reason": "",
    }
    rows = [
        {
            "target_id": str(row["id"]),
            "target_repr": Project.__str__(row)[:255],
            "project_code": row["code"] or "",
            "before": before,
            "after": after,
        }
        for _i, row, before, after in written
    ]
    _insert(AuditEvent, rows, shared)
