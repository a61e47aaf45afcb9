"""The demo plan: every project in execution has 15–40 tasks across both departments, with
dependencies and a critical path; a second run adds nothing."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.base import seed_base
from coordination.devtools.demo.tasks import seed_tasks
from projects.core.models import Project
from projects.tasks.models import Task, TaskDependency
from projects.tasks.selectors import project_schedule

pytestmark = pytest.mark.django_db


def test_demo_tasks():
    ctx = DemoContext(today=datetime.date(2026, 11, 25), log=lambda msg: None)
    seed_base(ctx)
    seed_tasks(ctx)
    executing = Project.objects.filter(stage="execution")
    assert executing.exists()
    for project in executing:
        tasks = Task.objects.filter(project=project)
        assert 15 <= tasks.count() <= 40
        assert set(tasks.values_list("department", flat=True)) >= {"business", "engineering"}
        assert TaskDependency.objects.filter(successor__project=project).count() >= 20
        plan = project_schedule(project)
        assert 5 <= len(plan.critical_path) < tasks.count()
        assert tasks.filter(status="done").exists() or tasks.filter(status="in_progress").exists()
    assert not Task.objects.exclude(project__stage="execution").exists()
    count = Task.objects.count()
    seed_tasks(ctx)
    assert Task.objects.count() == count
