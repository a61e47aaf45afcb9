"""The migration that makes job rotations a programme gives the old records the status their
dates tell (docs/loop.md, "Records from before")."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coordination", "0016_notification_preferences")]
AFTER = [("coordination", "0018_rotation_programme")]


@pytest.mark.django_db(transaction=True)
def test_old_records_become_closed_in_progress_or_approved_by_their_dates():
    from tests.factories import business_user

    person = business_user()
    today = datetime.date.today()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Old = apps.get_model("coordination", "JobRotation")

    def record(start, end):
        return Old.objects.create(
            user_id=person.pk,
            from_department="business",
            to_site="现场",
            start_date=start,
            end_date=end,
        ).pk

    ended = record(today - datetime.timedelta(days=60), today - datetime.timedelta(days=30))
    started = record(today - datetime.timedelta(days=10), today + datetime.timedelta(days=30))
    coming = record(today + datetime.timedelta(days=10), None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from coordination.rotations.models import JobRotation

    rows = {r.pk: r for r in JobRotation.objects.all()}
    assert (rows[ended].status, rows[ended].actual_start, rows[ended].actual_end) == (
        "closed",
        today - datetime.timedelta(days=60),
        today - datetime.timedelta(days=30),
    )
    assert (rows[started].status, rows[started].actual_start) == (
        "in_progress",
        today - datetime.timedelta(days=10),
    )
    assert rows[coming].status == "approved" and rows[coming].actual_start is None
    assert {r.host_department for r in rows.values()} == {""}
