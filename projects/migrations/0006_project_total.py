"""An exact running total of projects, kept by PostgreSQL triggers (docs/performance.md).

`SELECT COUNT(*)` over every project is what a full-visibility project list pays on each
request. The total is kept transactionally by statement-level
triggers: each insert or delete adds its row count to one of 16 slots (by backend, so that
concurrent writers rarely wait on the same row), a TRUNCATE empties it. Its sum is therefore
exactly COUNT(*) in every snapshot. PostgreSQL only; other databases count."""

from django.db import migrations

CREATE = """
CREATE TABLE projects_project_total (slot smallint PRIMARY KEY, n bigint NOT NULL);

CREATE FUNCTION projects_project_total_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO projects_project_total AS t (slot, n)
        SELECT pg_backend_pid() % 16, count(*) FROM new_rows HAVING count(*) > 0
        ON CONFLICT (slot) DO UPDATE SET n = t.n + EXCLUDED.n;
    ELSE
        INSERT INTO projects_project_total AS t (slot, n)
        SELECT pg_backend_pid() % 16, -count(*) FROM old_rows HAVING count(*) > 0
        ON CONFLICT (slot) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION projects_project_total_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM projects_project_total;
    RETURN NULL;
END $$;

CREATE TRIGGER projects_project_total_ins AFTER INSERT ON projects_project
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION projects_project_total_add();
CREATE TRIGGER projects_project_total_del AFTER DELETE ON projects_project
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION projects_project_total_add();
CREATE TRIGGER projects_project_total_trunc AFTER TRUNCATE ON projects_project
    FOR EACH STATEMENT EXECUTE FUNCTION projects_project_total_reset();

LOCK TABLE projects_project IN SHARE MODE;
INSERT INTO projects_project_total (slot, n) SELECT 0, count(*) FROM projects_project;
"""

DROP = """
DROP TRIGGER IF EXISTS projects_project_total_ins ON projects_project;
DROP TRIGGER IF EXISTS projects_project_total_del ON projects_project;
DROP TRIGGER IF EXISTS projects_project_total_trunc ON projects_project;
DROP FUNCTION IF EXISTS projects_project_total_add();
DROP FUNCTION IF EXISTS projects_project_total_reset();
DROP TABLE IF EXISTS projects_project_total;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_milestone_baseline_date_index")]

    operations = [migrations.RunPython(create, drop)]
