"""Search (coordination/search/selectors.py) of documents by name and of comments: pg_trgm
GIN indexes on `UPPER(col)`, as 0011 made for the other kinds. PostgreSQL only: on SQLite
the migration does nothing and search runs a plain `icontains`.
"""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("search_document_title_trgm", "projects_document", "title"),
    ("search_comment_body_trgm", "coordination_comment", "body"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0013_chat_work_notices"),
        ("projects", "0011_documents"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
