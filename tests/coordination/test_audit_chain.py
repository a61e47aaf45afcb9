"""The audit trail's hash chain against a DBA: every way of editing, deleting or slipping in a
row is found, and `manage.py verify_audit` and the admin's 校验审计链 page name the first broken
link (its id and what broke)."""

from __future__ import annotations

import importlib
import io
import threading
import types

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from coordination.core import audit_chain
from coordination.core.models import AuditEvent
from coordination.core.services import record_audit, record_audit_many
from tests import factories

TABLE = "coordination_auditevent"
VERIFY_URL = "/admin/coordination/auditevent/verify/"


def _sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


class _RolledBack(Exception):
    pass


def _trail() -> list[AuditEvent]:
    """Six chained events (the middle four by the set-based writer), and a seventh written then
    rolled back, which leaves an unused id before the last one."""
    project = factories.ProjectFactory()
    pmo = factories.pmo_user()
    record_audit(actor=pmo, action="project.updated", target=project, after={"n": 0})
    record_audit_many(
        actor=None,
        action="project.upserted",
        changes=[(project, {"name": "旧"}, {"name": f"新{i}", "v": 1.5}) for i in range(4)],
    )
    try:
        with transaction.atomic():
            record_audit(actor=None, action="project.updated", target=project)
            raise _RolledBack
    except _RolledBack:
        pass
    record_audit(actor=None, action="project.updated", target=project, reason="最后")
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 6 and events[5].pk == events[4].pk + 2
    return events


def _verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _broken() -> tuple[int, str, str]:
    """(id, what) from verify_audit's failure, and the message."""
    with pytest.raises(CommandError) as failure:
        _verify_audit()
    text = str(failure.value)
    head = text.split(":", 1)[0]  # BROKEN id=… what=…
    fields = dict(part.split("=", 1) for part in head.split()[1:])
    return int(fields["id"]), fields["what"], text


def _without_the_fork_guard() -> None:
    """What a DBA does first to slip a chained row in: drop the one-successor constraint."""
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # (no pending checks may remain for ALTER TABLE)
    _sql(f"ALTER TABLE {TABLE} DROP CONSTRAINT auditevent_one_successor")


def _insert(row: dict) -> None:
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    _sql(f"INSERT INTO {TABLE} ({columns}) VALUES ({marks})", list(row.values()))


def _forged(after_event: AuditEvent, new_id: int, prev_hash: str) -> dict:
    row = {
        "id": new_id,
        "created_at": after_event.created_at,
        "actor_label": "pmo",
        "action": "project.updated",
        "target_type": "projects.project",
        "target_id": after_event.target_id,
        "target_repr": after_event.target_repr,
        "project_code": after_event.project_code,
        "before": None,
        "after": None,
        "reason": "补记",
    }
    canonical = audit_chain.content(row)
    return {**row, "prev_hash": prev_hash, "hash": audit_chain.link(prev_hash, canonical)}


@pytest.fixture
def trail(db):
    return _trail()


# ---------------------------------------------------------------- the writers
@pytest.mark.django_db
def test_an_intact_trail_is_reported_ok_with_its_head(trail):
    out = _verify_audit()
    assert out.startswith(f"OK events={len(trail)} last_id={trail[-1].pk} head={trail[-1].hash}")
    assert trail[0].prev_hash == audit_chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(trail, trail[1:], strict=False))


@pytest.mark.django_db
def test_the_chain_covers_the_stored_values_not_the_written_ones():
    """What comes back from jsonb (floats, big numbers, keys, tuples) hashes as it went in."""
    project = factories.ProjectFactory()
    record_audit(
        actor=None,
        action="thing.changed",
        target=project,
        before={2: (1, 2), "big": 1e16, "x": 0.1, "y": 2.0, "z": 1e-7, "s": '中文\n"q"'},
        after={"nested": [{"b": 1, "a": [None, True]}]},
    )
    record_audit_many(
        actor=None,
        action="thing.changed",
        changes=[(project, {"big": 3e20, "neg": -0.0}, {"t": (1,)})],
    )
    assert audit_chain.verify_chain(AuditEvent).ok


# ---------------------------------------------------------------- a DBA's changes
def _edit(event: AuditEvent, assignment: str, params: list | None = None) -> int:
    _sql(f"UPDATE {TABLE} SET {assignment} WHERE id = %s", [*(params or []), event.pk])
    return event.pk


def _delete(events: list[AuditEvent], index: int) -> int:
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [events[index].pk])
    return events[index + 1].pk  # the first broken link: the row after the gap


def _rewrite(events: list[AuditEvent], index: int) -> int:
    """Content changed and the row's own hash recomputed: its successor no longer links."""
    event = events[index]
    _edit(event, "reason = '改过'")
    row = AuditEvent.objects.filter(pk=event.pk).values(*audit_chain.CHAINED).get()
    _edit(event, "hash = %s", [audit_chain.link(event.prev_hash, audit_chain.content(row))])
    return events[index + 1].pk


def _insert_after(events: list[AuditEvent], index: int, *, chained: bool) -> int:
    """A row slipped into the unused id after events[index]; `chained`: linked to it by hand
    (which first takes dropping the one-successor constraint)."""
    before = events[index]
    gap = before.pk + 1
    assert not AuditEvent.objects.filter(pk=gap).exists()
    if chained:
        _without_the_fork_guard()
    _insert(_forged(before, gap, before.hash if chained else "c" * 64))
    return gap


def _rehash_from(before: AuditEvent) -> None:
    """Recompute every link after `before` as the rows are now: a whole tail rewritten."""
    prev = before.hash
    rows = AuditEvent.objects.filter(pk__gt=before.pk).order_by("id").values(*audit_chain.CHAINED)
    for row in rows:
        digest = audit_chain.link(prev, audit_chain.content(row))
        _sql(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, row["id"]],
        )
        prev = digest


TAMPERING = {
    "a row's content edited": (lambda ev: _edit(ev[2], "reason = '改过'"), "content_changed"),
    "a row's JSON edited": (
        lambda ev: _edit(ev[3], "after = jsonb_set(after, '{name}', '\"假\"')"),
        "content_changed",
    ),
    "a row's time moved": (
        lambda ev: _edit(ev[1], "created_at = created_at - interval '1 day'"),
        "content_changed",
    ),
    "a row's actor label changed": (
        lambda ev: _edit(ev[0], "actor_label = 'someone'"),
        "content_changed",
    ),
    "the last row edited": (lambda ev: _edit(ev[-1], "reason = '改过'"), "row_changed"),
    "a hash changed": (lambda ev: _edit(ev[2], "hash = %s", ["a" * 64]), "hash_changed"),
    "a predecessor hash changed": (
        lambda ev: _edit(ev[3], "prev_hash = %s", ["b" * 64]),
        "prev_hash_changed",
    ),
    "a row deleted": (lambda ev: _delete(ev, 2), "link_broken"),
    "the first row deleted": (lambda ev: _delete(ev, 0), "link_broken"),
    "a row rewritten and re-hashed": (lambda ev: _rewrite(ev, 2), "link_broken"),
    "a row inserted in the middle, chained by hand": (
        lambda ev: _insert_after(ev, 4, chained=True),
        "inserted",
    ),
    "a row inserted in the middle, unchained": (
        lambda ev: _insert_after(ev, 4, chained=False),
        "inserted",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(TAMPERING))
def test_each_tampering_is_found_at_its_first_broken_link(trail, admin_client_pmo, case):
    tamper, what = TAMPERING[case]
    _verify_audit()
    expected_id = tamper(trail)
    broken_id, broken_what, text = _broken()
    assert (broken_id, broken_what) == (expected_id, what), text
    page = admin_client_pmo.get(VERIFY_URL).content.decode()
    assert f'data-broken-id="{expected_id}" data-what="{what}"' in page
    assert 'data-chain="ok"' not in page


@pytest.mark.django_db
def test_a_rewritten_tail_or_a_deleted_last_row_is_caught_by_an_anchor(trail):
    """The chain alone cannot tell a tail rewritten from some row on, or the newest rows gone:
    a head noted outside the database can."""
    anchor = f"{trail[-1].pk}:{trail[-1].hash}"
    call_command("verify_audit", anchor=[anchor], stdout=io.StringIO())
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [trail[-1].pk])
    _verify_audit()  # the chain that is left is intact…
    with pytest.raises(CommandError, match=f"id={trail[-1].pk} what=anchor_mismatch"):
        call_command("verify_audit", anchor=[anchor], stdout=io.StringIO())
    _sql(f"UPDATE {TABLE} SET reason = '改过' WHERE id = %s", [trail[2].pk])
    _rehash_from(trail[1])
    _verify_audit()
    anchor = f"{trail[3].pk}:{trail[3].hash}"
    with pytest.raises(CommandError, match=f"id={trail[3].pk} what=anchor_mismatch"):
        call_command("verify_audit", anchor=[anchor], stdout=io.StringIO())


# ---------------------------------------------------------------- the admin page
@pytest.fixture
def admin_client_pmo(client, db):
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_the_page_is_linked_from_the_changelist_and_shows_an_intact_chain(trail, admin_client_pmo):
    changelist = admin_client_pmo.get("/admin/coordination/auditevent/").content.decode()
    assert f'href="{VERIFY_URL}"' in changelist
    page = admin_client_pmo.get(VERIFY_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chain="ok"' in html and trail[-1].hash in html


@pytest.mark.django_db
def test_the_page_is_for_pmo_staff_only(client, trail):
    assert client.get(VERIFY_URL).status_code == 302  # to the admin login
    client.force_login(factories.business_user(is_staff=True))
    assert client.get(VERIFY_URL).status_code == 403
    client.force_login(factories.pmo_user())  # PMO, but not staff: the admin's login
    assert client.get(VERIFY_URL).status_code == 302
    client.force_login(factories.pmo_user(is_staff=True))
    assert client.get(VERIFY_URL).status_code == 200


@pytest.mark.django_db
def test_the_page_speaks_english(trail, admin_client_pmo):
    _sql(f"UPDATE {TABLE} SET reason = '改过' WHERE id = %s", [trail[2].pk])
    admin_client_pmo.cookies["django_language"] = "en"
    html = admin_client_pmo.get(VERIFY_URL).content.decode()
    assert "Audit trail broken" in html and "has been changed" in html


# ---------------------------------------------------------------- the migration
@pytest.mark.django_db
def test_the_migration_chains_existing_rows_in_id_order_as_the_writers_would(trail):
    expected = [(e.pk, e.prev_hash, e.hash) for e in trail]
    _without_the_fork_guard()
    _sql(f"UPDATE {TABLE} SET prev_hash = '', hash = ''")
    migration = importlib.import_module("coordination.migrations.0006_tamper_evidence")
    migration.chain_existing(apps, types.SimpleNamespace(connection=connection))
    stored = list(AuditEvent.objects.order_by("id").values_list("pk", "prev_hash", "hash"))
    assert stored == expected


# ---------------------------------------------------------------- concurrent writers
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    project = factories.ProjectFactory()
    before = AuditEvent.objects.count()
    threads_n, rounds = 6, 15
    barrier = threading.Barrier(threads_n)
    errors: list = []

    def write(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            for r in range(rounds):
                with transaction.atomic():
                    if i % 2:
                        record_audit(actor=None, action="t.one", target=project, after={"r": r})
                    else:
                        changes = [(project, None, {"r": r, "k": k}) for k in range(5)]
                        record_audit_many(actor=None, action="t.many", changes=changes)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    written = (threads_n // 2) * rounds * (1 + 5)
    assert AuditEvent.objects.count() == before + written
    report = audit_chain.verify_chain(AuditEvent)
    assert report.ok and report.checked == before + written, report.message
