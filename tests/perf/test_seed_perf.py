"""seed_perf: deterministic row counts at a tiny scale, one run per database, refusals."""

import datetime
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from coordination.reviews.models import Reminder, Review, ReviewCadence
from kpi.models import ClosedPeriod, KpiDefinition, KpiSnapshot
from projects.changes.models import ChangeRequest
from projects.core.models import Customer, Milestone, Project, Risk

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def seed(scale=20):
    call_command("seed_perf", scale=scale, today=TODAY, force=True, stdout=_Sink())


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, msg):
        self.text += msg

    def flush(self):
        pass


def fingerprint() -> str:
    """A digest of what a user would see of the seeded projects and their plans."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(concat_ws('|', p.code, p.stage, p.contract_signed_on, "
            "p.planned_end, p.actual_end, c.name, b.username, e.username), ',' ORDER BY p.code) "
            "FROM projects_project p JOIN projects_customer c ON c.id = p.customer_id "
            "JOIN auth_user b ON b.id = p.business_pm_id "
            "JOIN auth_user e ON e.id = p.engineering_pm_id"
        )
        projects = cursor.fetchone()[0]
        cursor.execute(
            "SELECT string_agg(concat_ws('|', baseline_date, actual_date, status), ',' "
            "ORDER BY project_id, sequence) FROM projects_milestone"
        )
        milestones = cursor.fetchone()[0]
    return hashlib.sha256(f"{projects}\n{milestones}".encode()).hexdigest()


def test_row_counts_at_scale_20():
    seed(20)
    assert Project.objects.filter(code__startswith="PERF-").count() == 20
    assert Customer.objects.filter(erp_id__startswith="PERF-C-").count() == 2
    assert Milestone.objects.count() == 100
    assert Risk.objects.count() == 40
    # kickoff, execution, delivered, closed: g % 20 in 5..17 → 13 projects, every third twice
    assert ChangeRequest.objects.count() == 13 + len([g for g in range(5, 18) if g % 3 == 0])
    # weekly meetings for kickoff + execution (7), stand-ups for execution (6)
    assert ReviewCadence.objects.count() == 13
    assert Review.objects.count() == 7 * 4
    assert Reminder.objects.filter(status="sent").count() == 7 * 4 * 2 * 2
    scopes = 1 + 3 + 19 + 4  # company, departments, non-cancelled projects, PMs
    kpis = KpiDefinition.objects.filter(is_active=True).count()
    assert KpiSnapshot.objects.count() == scopes * kpis * 3
    assert set(ClosedPeriod.objects.values_list("period", flat=True)) == {
        "2026-08",
        "2026-09",
        "2026-10",
    }
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {"opportunity", "execution", "closed", "cancelled", "on_hold"} <= stages
    # search's documents and comments: one library document (version 1) and two comments each
    from coordination.conversations.models import Comment
    from projects.documents.models import Document, DocumentVersion

    assert Document.objects.filter(attached_kind="", current_version=1).count() == 20
    assert DocumentVersion.objects.filter(version=1).count() == 20
    assert Document.objects.filter(title="图纸 3", category="drawings").exists()
    assert Comment.objects.filter(target_kind="project").count() == 40


def test_same_rows_every_time():
    digests = []
    for _ in range(2):
        with pytest.raises(_Rollback), transaction.atomic():
            seed(30)
            digests.append(fingerprint())
            raise _Rollback
    assert digests[0] == digests[1]


class _Rollback(Exception):
    pass


def test_second_run_is_refused_and_changes_nothing():
    seed(10)
    before = Project.objects.count()
    with pytest.raises(CommandError, match="already present"):
        seed(10)
    assert Project.objects.count() == before


def test_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_perf", scale=5, stdout=_Sink())
    assert not Project.objects.exists()


def test_tasks_at_scale_20_on_the_working_calendar():
    from coordination.core.workdays import calendar
    from projects.tasks.models import Task, TaskDependency

    seed(20)
    assert Task.objects.count() == 200  # ten per project
    assert TaskDependency.objects.count() == 180  # a chain of nine links per project
    cal = calendar()
    for t in Task.objects.all()[:50]:
        assert cal.is_working_day(t.planned_start)
        assert t.planned_finish == cal.finish_of(t.planned_start, t.duration_days)
    assert set(Task.objects.values_list("department", flat=True)) == {"business", "engineering"}
