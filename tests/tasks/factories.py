"""Tasks for tests, made through projects.tasks.services (roll-up, forecasts and audit are
the service's), and a small plan on the cast of tests/changes."""

from __future__ import annotations

import datetime

from projects.tasks import services
from projects.tasks.models import Task


def task(project, *, by=None, owner=None, **data) -> Task:
    data.setdefault("title", "任务")
    data.setdefault("planned_start", datetime.date(2026, 9, 28))
    data.setdefault("duration_days", 1)
    return services.create_task(
        project,
        by=by or project.engineering_pm,
        data={"owner": owner or project.engineering_pm, **data},
    )


def link(pred: Task, succ: Task, type: str = "FS", lag: int = 0, *, by=None):
    return services.add_dependency(
        succ.pk, by=by or succ.project.engineering_pm, predecessor=pred.pk, type=type, lag_days=lag
    )
