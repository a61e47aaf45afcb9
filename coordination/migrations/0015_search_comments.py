"""Search (coordination/search/selectors.py) of documents by name and of comments: pg_trgm
GIN indexes on `UPPER(col)`, as 0011 made for the other kinds; and bigram indexes for
2-character texts on every searched column.

A 2-character text has no trigram, so pg_trgm cannot serve it. `hub_bigrams(text)` is every
2-character substring of `upper(text)` (distinct, as a text[]); a GIN index on
`hub_bigrams(col)` answers `hub_bigrams(col) @> ARRAY[UPPER(q)]`, which search adds beside
its `icontains` (the LIKE recheck) for a 2-character text. PostgreSQL only: on SQLite the
migration does nothing and search runs a plain `icontains`.
"""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("search_document_title_trgm", "projects_document", "title"),
    ("search_comment_body_trgm", "coordination_comment", "body"),
]

BIGRAM_INDEXES = [
    ("search_project_name_bigram", "projects_project", "name"),
    ("search_project_code_bigram", "projects_project", "code"),
    ("search_customer_name_bigram", "projects_customer", "name"),
    ("search_task_title_bigram", "projects_task", "title"),
    ("search_changerequest_title_bigram", "projects_changerequest", "title"),
    ("search_document_title_bigram", "projects_document", "title"),
    ("search_comment_body_bigram", "coordination_comment", "body"),
]

# IMMUTABLE as UPPER() is for the trigram indexes: the database's own case rules.
BIGRAMS = """
CREATE OR REPLACE FUNCTION hub_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(u.s, i, 2)), '{}'::text[])
    FROM (SELECT upper(t) AS s) AS u, generate_series(1, char_length(u.s) - 1) AS i
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )
    schema_editor.execute(BIGRAMS)
    for name, table, column in BIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (hub_bigrams({column}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES + BIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS hub_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0014_api_tokens"),
        ("projects", "0011_documents"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
