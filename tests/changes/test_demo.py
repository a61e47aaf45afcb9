"""The demo seeder: change requests in every status on projects in execution, idempotent."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.changes import seed_changes
from projects.changes.models import ChangeRequest
from projects.changes.selectors import awaiting

pytestmark = pytest.mark.django_db


def test_demo_change_requests(settings):
    from coordination.devtools.demo.base import seed_base

    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    ctx = DemoContext(today=datetime.date(2026, 11, 25), log=lambda msg: None)
    seed_base(ctx)
    seed_changes(ctx)

    statuses = set(ChangeRequest.objects.values_list("status", flat=True))
    assert statuses == set(ChangeRequest.Status.values)
    assert not ChangeRequest.objects.exclude(project__stage="execution").exists()
    u = ctx.users
    assert awaiting(u["biz_pm"]).filter(title="逆变器品牌变更").exists()
    assert awaiting(u["eng_pm"]).filter(title="照明控制改为智能调光").exists()
    assert list(awaiting(u["finance"]).values_list("title", flat=True)) == ["追加储能系统"]
    decided = ChangeRequest.objects.filter(decided_at__isnull=False)
    assert all(cr.decided_at > cr.submitted_at for cr in decided)

    count = ChangeRequest.objects.count()
    seed_changes(ctx)
    assert ChangeRequest.objects.count() == count
