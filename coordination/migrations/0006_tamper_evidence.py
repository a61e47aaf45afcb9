import django.utils.timezone
from django.db import migrations, models

from coordination.core import audit_chain

# On PostgreSQL the database keeps what the application keeps (SQLite relies on the
# application and on verification):
# - a signed commitment's status, signing time and set of signatures never change; the only
#   status moves are the services' own (draft → open → signed, open/signed → superseded by an
#   amendment, whose new version must exist when the transaction commits);
# - a signature is added only to an open commitment, of its content hash, by a listed signatory
#   (migration 0002 already refuses UPDATE and DELETE of signatures);
# - audit events are appended one transaction at a time (coordination.core.audit_chain).
SQL = """
CREATE OR REPLACE FUNCTION coordination_commitment_state() RETURNS trigger AS $$
DECLARE
    unsigned integer;
    last_signed timestamptz;
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('draft', 'open'), ('open', 'signed'), ('open', 'superseded'), ('signed', 'superseded')
    ) THEN
        RAISE EXCEPTION 'collaboration commitment %: % -> % is not a move the application makes',
            OLD.id, OLD.status, NEW.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status IN ('signed', 'superseded') AND NEW.signed_at IS DISTINCT FROM OLD.signed_at THEN
        RAISE EXCEPTION 'collaboration commitment % was signed: its signing time cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status = 'superseded' AND NEW.superseded_at IS DISTINCT FROM OLD.superseded_at THEN
        RAISE EXCEPTION 'collaboration commitment % is superseded: that time cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status IN ('draft', 'open') AND NEW.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'collaboration commitment % is %: it has no signing time', OLD.id, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status = 'open' AND NEW.opened_at IS NULL THEN
        RAISE EXCEPTION 'collaboration commitment % is open without an opening time', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status = 'superseded' AND NEW.superseded_at IS NULL THEN
        RAISE EXCEPTION 'collaboration commitment % is superseded without a time', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status = 'signed' AND OLD.status = 'open' THEN
        SELECT count(*) INTO unsigned
        FROM jsonb_array_elements(NEW.canonical_content::jsonb -> 'signatories') AS s
        WHERE NOT EXISTS (
            SELECT 1 FROM coordination_signature g
            WHERE g.commitment_id = NEW.id AND g.signer_id = (s ->> 'user_id')::bigint
              AND g.role = s ->> 'role'
        );
        IF unsigned > 0 THEN
            RAISE EXCEPTION 'collaboration commitment %: % signatories have not signed', OLD.id, unsigned
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        SELECT g.signed_at INTO last_signed FROM coordination_signature g
        WHERE g.commitment_id = NEW.id ORDER BY g.id DESC LIMIT 1;
        IF NEW.signed_at IS DISTINCT FROM last_signed THEN
            RAISE EXCEPTION 'collaboration commitment %: signed when its last signature was made', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER coordination_commitment_state
    BEFORE UPDATE ON coordination_collaborationcommitment
    FOR EACH ROW EXECUTE FUNCTION coordination_commitment_state();

CREATE OR REPLACE FUNCTION coordination_commitment_superseded() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM coordination_collaborationcommitment n
        WHERE n.supersedes_id = NEW.id AND n.project_id = NEW.project_id
    ) THEN
        RAISE EXCEPTION 'collaboration commitment % is superseded by no newer version', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- at commit: amend_commitment supersedes the old version before it writes the new one
CREATE CONSTRAINT TRIGGER coordination_commitment_superseded
    AFTER UPDATE ON coordination_collaborationcommitment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'superseded' AND OLD.status IS DISTINCT FROM 'superseded')
    EXECUTE FUNCTION coordination_commitment_superseded();

CREATE OR REPLACE FUNCTION coordination_signature_added() RETURNS trigger AS $$
DECLARE
    c record;
BEGIN
    -- FOR SHARE: the commitment cannot change status while this signature is being added
    SELECT status, content_hash, canonical_content INTO c
    FROM coordination_collaborationcommitment WHERE id = NEW.commitment_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key refuses it
    END IF;
    IF c.status <> 'open' THEN
        RAISE EXCEPTION 'collaboration commitment % is %: signatures are added only while it is open',
            NEW.commitment_id, c.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.content_hash IS DISTINCT FROM c.content_hash THEN
        RAISE EXCEPTION 'a signature of commitment % must be of its content hash', NEW.commitment_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements(c.canonical_content::jsonb -> 'signatories') AS s
        WHERE (s ->> 'user_id')::bigint = NEW.signer_id AND s ->> 'role' = NEW.role
    ) THEN
        RAISE EXCEPTION 'user % is not a signatory of commitment % as %',
            NEW.signer_id, NEW.commitment_id, NEW.role USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER coordination_signature_added
    BEFORE INSERT ON coordination_signature
    FOR EACH ROW EXECUTE FUNCTION coordination_signature_added();

-- The tail of the audit chain and n new ids, under a lock held until the caller's transaction
-- ends. A VOLATILE function's statements each take a fresh snapshot (READ COMMITTED), so the
-- tail read after the lock sees the events of the writer that held it before.
-- The n ids are the block ending at last_id, drawn from the id sequence in one step: every
-- writer of audit events holds the lock while it draws.
CREATE OR REPLACE FUNCTION coordination_audit_chain_next(n integer, OUT prev_hash text, OUT last_id bigint)
AS $$
DECLARE
    seq text := pg_get_serial_sequence('coordination_auditevent', 'id');
BEGIN
    PERFORM pg_advisory_xact_lock(7022629598041172078);
    SELECT e.hash INTO prev_hash FROM coordination_auditevent e ORDER BY e.id DESC LIMIT 1;
    last_id := setval(seq, nextval(seq) + n - 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

DROP_SQL = """
DROP FUNCTION IF EXISTS coordination_audit_chain_next(integer);
DROP TRIGGER IF EXISTS coordination_signature_added ON coordination_signature;
DROP FUNCTION IF EXISTS coordination_signature_added();
DROP TRIGGER IF EXISTS coordination_commitment_superseded ON coordination_collaborationcommitment;
DROP FUNCTION IF EXISTS coordination_commitment_superseded();
DROP TRIGGER IF EXISTS coordination_commitment_state ON coordination_collaborationcommitment;
DROP FUNCTION IF EXISTS coordination_commitment_state();
"""


def create_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, params=None)


def drop_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


def chain_existing(apps, schema_editor):
    """Chain the events already written, in id order (the order they were appended)."""
    AuditEvent = apps.get_model("coordination", "AuditEvent")
    connection = schema_editor.connection
    prev, last = audit_chain.GENESIS, 0
    while True:
        rows = list(
            AuditEvent.objects.using(connection.alias)
            .filter(id__gt=last)
            .order_by("id")
            .values(*audit_chain.CHAINED)[: audit_chain.BATCH]
        )
        if not rows:
            return
        links = []
        for row in rows:
            digest = audit_chain.link(prev, audit_chain.content(row))
            links.append((row["id"], prev, digest))
            prev = digest
        _store(AuditEvent, connection, links)
        last = rows[-1]["id"]


def _store(AuditEvent, connection, links: list[tuple[int, str, str]]) -> None:
    if connection.vendor != "postgresql":
        events = [AuditEvent(id=i, prev_hash=p, hash=h) for i, p, h in links]
        AuditEvent.objects.using(connection.alias).bulk_update(events, ["prev_hash", "hash"])
        return
    # one UPDATE … FROM unnest per batch (bulk_update's CASE per row is quadratic here)
    ids, prevs, hashes = (list(column) for column in zip(*links, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE coordination_auditevent AS e SET prev_hash = v.p, hash = v.h "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, p, h) WHERE e.id = v.id",
            [ids, prevs, hashes],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0005_reminder_claim_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="时间",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="前一条的哈希"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="哈希(SHA-256)"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("prev_hash",), name="auditevent_one_successor"
            ),
        ),
        migrations.RunPython(create_sql, drop_sql),
    ]
