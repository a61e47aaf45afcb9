"""Set-based ERP bulk upsert of projects (`POST /api/v1/erp/projects/bulk/`).

The same rules as `services.upsert_project_by_erp_id` for every row, with a constant number
of statements per batch (docs/performance.md), and no model instance per row:

1. One statement locks the batch's existing projects (FOR UPDATE, ordered by id) and reads
   the values the batch needs (the fields it sets, identity, dates, PMs).
2. Each row is checked on its own: edit permission (roles for the whole batch from at most
   one query), the planned-dates rule (`services._check_dates`), the PMs' fit for their
   roles (`team.role_refusal`, on users the view read with their flags), the model's own field
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
5. Changed rows are written with one UPDATE … FROM json_populate_recordset, each becoming
   its next edit version (as Versioned.save does, so a form read before goes stale); the audit
   events (`project.upserted`, the per-row path's before/after shape) with one INSERT
   (`record_audit_many`: record_audit's rule); `project.upserted` is emitted for the written
   rows with one batch emit (one after-commit callback; the webhook listener loads the
   endpoints once for the batch).

6. The new projects get their first members (department defaults, the creator) with
   `team.start_team`: one read, one INSERT, one audit INSERT, one notification per person.

All valid rows of the batch are written in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
from collections import Counter
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coordination.core import events
from coordination.core.concurrency import VERSION_FIELD
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import record_audit_many
from projects.core import team
from projects.core.models import MemberRole, Project, ProjectMembership
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
    """A project's values by attname, readable as attributes, for the functions written for a
    Project: services._check_dates, project_event_payload, and record_audit's rule (which
    reads `_meta`, `pk`, `code` and str())."""

    _meta = Project._meta
    __str__ = Project.__str__

    @property
    def pk(self):
        return self["id"]

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
    with the locked values) and the `shared` ones (updated_at) by id, in one statement; each
    row's edit version goes one up."""
    column, quote = _columns_of(Project), connection.ops.quote_name
    version = quote(column[VERSION_FIELD])
    sets = ", ".join(
        [
            *(f"{quote(column[c])} = r.{quote(column[c])}" for c in rows[0] if c != "id"),
            *(f"{quote(column[c])} = k.{quote(column[c])}" for c in shared),
            f"{version} = p.{version} + 1",
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
    if by is not None and not can_write(by):
        return set()
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


_NEW = [
    f
    for f in Project._meta.concrete_fields
    if not f.primary_key
    and not getattr(f, "auto_now", False)
    and not getattr(f, "auto_now_add", False)
]
# fields whose default is computed per instance (a callable): never shared between rows
PER_ROW_DEFAULT = [f for f in _NEW if f.has_default() and callable(f.default)]
# the columns every new row sets itself (the others: what the batch's rows set, or defaults)
NEW_ROW_COLUMNS = ["code", "erp_id", "forecast_end", *(f.attname for f in PER_ROW_DEFAULT)]


def _defaults() -> dict:
    """The values a new Project() starts with, by attname (every concrete column)."""
    return {f.attname: f.get_default() for f in _NEW}


class _Write(NamedTuple):
    """A row to write: its item's index, its values by attname, and its audit event's before
    (None: a new project) and after."""

    index: int
    row: _Row
    before: dict | None
    after: dict


@dataclasses.dataclass
class _Batch:
    """One batch while its rows are checked one by one: its locked projects, those `by` may
    edit, and the writes planned so far."""

    existing: dict[str, _Row]
    editable: set[int]
    defaults: dict
    accepted: set = dataclasses.field(default_factory=set)  # see _model_accepts
    refusals: dict = dataclasses.field(default_factory=dict)  # see _check_pms
    creates: list[_Write] = dataclasses.field(default_factory=list)
    updates: list[_Write] = dataclasses.field(default_factory=list)
    set_by_new: set[str] = dataclasses.field(default_factory=set)  # the fields new rows set
    changed: dict[str, None] = dataclasses.field(default_factory=dict)  # attnames updates set

    def plan_create(self, index: int, row: _Row, data: dict) -> None:
        self.set_by_new.update(data.keys() & SPEC)
        self.creates.append(_Write(index, row, None, _snapshot(row, data)))

    def plan_update(self, index: int, row: _Row, before: dict, after: dict) -> None:
        self.changed.update((FIELDS[name].attname, None) for name in after)
        self.updates.append(_Write(index, row, before, after))


def bulk_upsert_projects(items: list[tuple[str, dict[str, Any]]], *, by) -> list[Result]:
    """Upsert (erp_id, validated data) rows; one result per item, in order (see module)."""
    results: list[Result] = [None] * len(items)
    if connection.vendor != "postgresql":
        # the statements below are PostgreSQL's (json_populate_recordset, FOR UPDATE OF):
        # elsewhere (make run's SQLite) every row takes the per-row path (None)
        return results
    single = _once_in_batch(items)
    if not single:
        return results
    now = timezone.now()
    defaults = _defaults()
    with transaction.atomic():
        batch = _lock_batch(items, single, by, defaults)
        for i in single:
            results[i] = _check_row(batch, i, *items[i])
        created = _insert_new(batch, now)
        written = created + _update_changed(batch, now)
        record_audit_many(
            actor=by,
            action="project.upserted",
            changes=[(w.row, w.before, w.after) for w in written],
        )
        for w in written:
            results[w.index] = (w.row["code"], "created" if w.before is None else "updated")
        events.emit_many("project.upserted", [project_event_payload(w.row) for w in written])
        # the new projects' department defaults (and creator), set-based like the rows
        team.start_team([w.row for w in created], by=by)
    return results


def _once_in_batch(items) -> list[int]:
    """Indexes of the items whose erp_id appears once in the batch (the others are processed
    one by one by the per-row path, in batch order)."""
    counts = Counter(erp_id for erp_id, _data in items)
    return [i for i, (erp_id, _data) in enumerate(items) if counts[erp_id] == 1]


def _lock_batch(items, single: list[int], by, defaults: dict) -> _Batch:
    """Lock the batch's existing projects, and find those `by` may edit."""
    names = set().union(*(items[i][1].keys() for i in single)) & SPEC.keys()
    existing = _lock_existing([items[i][0] for i in single], names)
    return _Batch(existing, _editable(by, existing.values()), defaults)


def _check_row(batch: _Batch, index: int, erp_id: str, data: dict) -> Result:
    """Check one row and plan its write. Its result now (an error, or unchanged), or None:
    written by the batch's statements, else the per-row path answers it."""
    old = batch.existing.get(erp_id)
    if old is not None and old["id"] not in batch.editable:
        return PermissionDenied()
    if old is None:
        row, before, after = _new_row(batch.defaults, erp_id, data), None, {}
        # what a new row sets (the rest are the model's defaults)
        checked = [*data.keys() & SPEC, "erp_id", "forecast_end"]
    else:
        row, before, after = _changed_row(old, data)
        if not after:
            return (old["code"], "unchanged")
        checked = after
    if not _model_accepts(row, checked, batch.accepted):
        return None  # the per-row path reports full_clean's errors
    try:
        _check_dates(row)
        _check_pms(batch, data, checked)
    except ValidationError as exc:
        return exc
    if before is None:
        batch.plan_create(index, row, data)
    else:
        batch.plan_update(index, row, before, after)
    return None


PM_ROLES = {"business_pm": MemberRole.BUSINESS_PM, "engineering_pm": MemberRole.ENGINEERING_PM}


def _check_pms(batch: _Batch, data: dict, checked) -> None:
    """The PMs a row sets fit their roles (projects.core.team.role_refusal, as the per-row
    path's check_project_pms), for the batch's users read with their flags by the view's
    lookups: no query per row; each (user, role) is judged once per batch."""
    errors = {}
    for field, role in PM_ROLES.items():
        if field not in checked or field not in data:
            continue
        user = data[field]
        key = (user.pk, role)
        if key not in batch.refusals:
            batch.refusals[key] = team.role_refusal(user, role)
        if batch.refusals[key]:
            errors[field] = [batch.refusals[key]]
    if errors:
        raise ValidationError(errors)


def _new_row(defaults: dict, erp_id: str, data: dict) -> _Row:
    """A new project's values: the model's defaults with what the row sets (services._apply),
    forecast_end defaulting to planned_end."""
    row = _Row(defaults, erp_id=erp_id)
    for field in PER_ROW_DEFAULT:
        row[field.attname] = field.get_default()
    for name, value in data.items():
        if name in SPEC:
            attname, relation = SPEC[name]
            row[attname] = value.pk if relation else value
    row["forecast_end"] = row["forecast_end"] or row["planned_end"]
    return row


def _changed_row(old: _Row, data: dict) -> tuple[_Row, dict, dict]:
    """A locked project's values with what the row changes (services._apply), and the audit
    event's before and after of the changed fields (related objects before: the usernames
    of users, the pk otherwise)."""
    row = _Row(old)
    before, after = {}, {}
    for name, value in data.items():
        if name not in SPEC:
            continue
        attname, relation = SPEC[name]
        new = value.pk if relation else value
        if row[attname] != new:
            before[name] = old[USERNAME[name]] if name in USERNAME else old[attname]
            after[name] = value
            row[attname] = new
    return row, before, after


def _snapshot(row: dict, data: dict) -> dict:
    """What `snapshot(project, PROJECT_FIELDS)` reads of a new row (related objects: those of
    `data`), made JSON by record_audit_many as by record_audit."""
    return {
        name: data[name] if relation and name in data else row[attname]
        for name, (attname, relation) in SPEC.items()
    }


def _insert_new(batch: _Batch, now) -> list[_Write]:
    """Insert the new projects in a savepoint (their codes from one update of the year's
    counter, one INSERT); those written, with their ids. None of them if a concurrent request
    inserted one of their erp_ids meanwhile: the savepoint is rolled back (no code consumed)
    and the per-row path takes them."""
    creates = batch.creates
    if not creates:
        return []
    varying = list(dict.fromkeys([*NEW_ROW_COLUMNS, *(SPEC[n][0] for n in batch.set_by_new)]))
    # columns no new row sets hold the model's defaults: one shared value each
    shared = {c: v for c, v in batch.defaults.items() if c not in varying}
    shared.update(stage_changed_at=now, created_at=now, updated_at=now)
    try:
        with transaction.atomic():
            codes = new_project_codes(len(creates))
            for write, code in zip(creates, codes, strict=True):
                write.row.update(shared, code=code)
            ids = _insert_projects([{c: w.row[c] for c in varying} for w in creates], shared)
    except IntegrityError:
        return []
    for write in creates:
        write.row["id"] = ids[write.row["code"]]
    return creates


def _update_changed(batch: _Batch, now) -> list[_Write]:
    """Write the changed rows (id, the union of their changed columns, updated_at) in one
    UPDATE; those written."""
    updates = batch.updates
    if updates:
        columns = ["id", *batch.changed]
        for write in updates:
            write.row["updated_at"] = now
        _update_projects([{c: w.row[c] for c in columns} for w in updates], {"updated_at": now})
    return updates
