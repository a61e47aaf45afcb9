"""Builders for the dashboard tests: projects in a given state of health, and a portfolio of
any size (used to check the query count does not grow with it)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from projects.core.models import Milestone, Project, Stage
from tests import factories
from tests.handover import factories as handover_factories
from tests.kpi.factories import ComplaintFactory
from tests.reviews.factories import ActionItemFactory


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def healthy_project(**kw):
    """In execution, one milestone on plan in the future: green."""
    kw.setdefault("stage", Stage.EXECUTION)
    project = factories.ProjectFactory(**kw)
    factories.MilestoneFactory(project=project, baseline_date=days(30), forecast_date=days(30))
    return project


def troubled_project(**kw):
    """A bit of everything that makes a project red or amber."""
    kw.setdefault("stage", Stage.EXECUTION)
    project = factories.ProjectFactory(**kw)
    factories.MilestoneFactory(
        project=project, name="设备安装", baseline_date=days(-20), forecast_date=days(-5)
    )
    factories.MilestoneFactory(
        project=project, name="联调", baseline_date=days(10), forecast_date=days(40)
    )
    factories.MilestoneFactory(
        project=project,
        name="已完成的",
        baseline_date=days(-60),
        forecast_date=days(-50),
        actual_date=days(-50),
        status=Milestone.Status.DONE,
    )
    ActionItemFactory(
        project=project, review__cadence__project=project, due_date=days(-3), title="补交图纸"
    )
    ComplaintFactory(project=project, opened_on=days(-10))
    return project


def overdue_handover(project=None):
    project = project or handover_factories.project_with_team()
    handover = handover_factories.handover_for(project)
    handover.due_date = days(-2)
    handover.save(update_fields=["due_date"])
    return handover


def portfolio(n: int, **kw) -> list:
    """`n` troubled projects (every kind of row the pages render), all with the same PMs."""
    return [troubled_project(**kw) for _ in range(n)]


def one_stage(n: int, stage=Stage.EXECUTION, **kw) -> list:
    """`n` projects in `stage` in one INSERT (same customer and PMs): a board column of any
    height."""
    kw.setdefault("customer", factories.CustomerFactory())
    kw.setdefault("business_pm", factories.business_user())
    kw.setdefault("engineering_pm", factories.engineering_user())
    rows = [factories.ProjectFactory.build(stage=stage, **kw) for _ in range(n)]
    return Project.objects.bulk_create(rows)
