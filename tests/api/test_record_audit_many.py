"""`record_audit_many` (the set-based form the ERP bulk upsert uses) writes, for each change,
the row `record_audit` writes for the same arguments."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core.audit_chain import GENESIS, verify_chain
from coordination.core.models import AuditEvent
from coordination.core.services import record_audit, record_audit_many
from tests import factories

pytestmark = pytest.mark.django_db

# every column but the id and the time; before and after as the database holds them
COLUMNS = (
    "actor_id, actor_label, action, target_type, target_id, target_repr, project_code, "
    "before IS NULL, before::text, after IS NULL, after::text, reason"
)


def _stored(ids: list[int]) -> list[tuple]:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM {table} WHERE id = ANY(%s) ORDER BY id", [ids])
        return cursor.fetchall()


def _new_ids(since: int) -> list[int]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk").values_list("pk", flat=True))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _actors():
    client = factories.pmo_user(username="erp_client_user")
    client.api_client_name = "erp"
    return {
        "user": factories.pmo_user(username="audit_pmo"),
        "api client": client,
        "system": None,
        "anonymous": AnonymousUser(),
    }


def _changes():
    project = factories.ProjectFactory()
    project.name = "长" * 300  # target_repr is str(target) cut at 255 (not saved: not read)
    milestone = factories.MilestoneFactory(project=project)  # project_code from its project
    customer = factories.CustomerFactory()  # no project code
    values = {
        "name": "改名",
        "contract_value": Decimal("1.50"),
        "planned_end": datetime.date(2027, 3, 31),
        "stage_changed_at": datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC),
        "customer": customer,
        "business_pm": project.business_pm,
        "is_key_project": True,
        "forecast_end": None,
        "tags": ("a", Decimal("2")),
        "nested": {1: datetime.date(2026, 1, 2)},
    }
    return [
        (project, None, values),
        (project, {"name": "旧名"}, {"name": "新名"}),
        (milestone, values, None),
        (customer, {}, {"notes": ""}),
    ]


@pytest.mark.parametrize("who", ["user", "api client", "system", "anonymous"])
@pytest.mark.parametrize("vendor", ["postgresql", "other"])
def test_each_row_is_the_one_record_audit_writes(who, vendor, monkeypatch):
    actor = _actors()[who]
    changes = _changes()
    start = _last_id()
    for target, before, after in changes:
        record_audit(
            actor=actor,
            action="thing.changed",
            target=target,
            before=before,
            after=after,
            reason="原因",
        )
    one_by_one = _new_ids(start)
    if vendor != "postgresql":  # the portable form (bulk_create) where the INSERT is not
        monkeypatch.setattr(connection, "vendor", vendor)
    start = _last_id()
    with CaptureQueriesContext(connection) as queries:
        record_audit_many(actor=actor, action="thing.changed", changes=changes, reason="原因")
    monkeypatch.undo()
    assert len(queries) == 2  # the chain's tail (on PostgreSQL under its lock), the INSERT
    many = _new_ids(start)
    assert len(one_by_one) == len(many) == len(changes)
    assert _stored(many) == _stored(one_by_one)
    assert verify_chain(AuditEvent).ok  # both forms chain their rows, one after the other


def test_times_are_the_writes_own():
    project = factories.ProjectFactory()
    first = record_audit(actor=None, action="thing.changed", target=project)
    start = _last_id()
    record_audit_many(actor=None, action="thing.changed", changes=[(project, None, None)])
    (event,) = AuditEvent.objects.filter(pk__in=_new_ids(start))
    assert first.created_at <= event.created_at
    assert event.before is None and event.after is None


def test_no_changes_write_nothing():
    with CaptureQueriesContext(connection) as queries:
        record_audit_many(actor=None, action="thing.changed", changes=[])
    assert len(queries) == 0


def test_a_batch_is_chained_in_id_order_after_the_last_event():
    project = factories.ProjectFactory()
    single = record_audit(actor=None, action="thing.changed", target=project)
    start = _last_id()
    record_audit_many(
        actor=None, action="thing.changed", changes=[(project, None, {"n": n}) for n in range(3)]
    )
    batch = list(AuditEvent.objects.filter(pk__in=_new_ids(start)).order_by("pk"))
    assert [e.prev_hash for e in batch] == [single.hash, batch[0].hash, batch[1].hash]
    assert AuditEvent.objects.order_by("pk").first().prev_hash == GENESIS
    report = verify_chain(AuditEvent)
    assert report.ok and report.last_id == batch[-1].pk and report.head == batch[-1].hash
