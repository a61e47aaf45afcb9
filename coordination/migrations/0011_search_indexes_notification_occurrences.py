"""Search (coordination/search/selectors.py): pg_trgm GIN indexes on the searched columns;
and Notification.occurrences for folding.

Django's `icontains` on PostgreSQL is `UPPER(col) LIKE UPPER('%text%')`, so each index is on
`UPPER(col)` with `gin_trgm_ops`. PostgreSQL only: on SQLite (`make run` without
DATABASE_URL) the migration does nothing and search runs a plain `icontains`.
"""

from django.db import migrations, models

INDEXES = [
    ("search_project_name_trgm", "projects_project", "name"),
    ("search_project_code_trgm", "projects_project", "code"),
    ("search_customer_name_trgm", "projects_customer", "name"),
    ("search_task_title_trgm", "projects_task", "title"),
    ("search_changerequest_title_trgm", "projects_changerequest", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0010_calendar_feeds"),
        ("projects", "0010_tasks"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
        # Folding (coordination.core.services.notify): how many events one row stands for.
        migrations.AddField(
            model_name="notification",
            name="occurrences",
            field=models.PositiveIntegerField(default=1, verbose_name="次数"),
        ),
    ]
