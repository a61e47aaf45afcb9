"""The demo seeder: handovers consistent with each demo project's stage, idempotent."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.handover import seed_handover
from handover.models import Handover

pytestmark = pytest.mark.django_db


def test_demo_handovers_match_the_stages():
    from coordination.devtools.demo.base import seed_base

    ctx = DemoContext(today=datetime.date(2026, 11, 25), log=lambda msg: None)
    seed_base(ctx)
    seed_handover(ctx)

    by_erp = {h.project.erp_id: h for h in Handover.objects.select_related("project")}
    for project in ctx.projects:
        stage = project.stage_before_hold if project.stage == "on_hold" else project.stage
        if stage in {"kickoff", "execution", "delivered", "closed"}:
            handover = by_erp[project.erp_id]
            assert handover.status == "accepted", project.erp_id
            assert handover.accepted_at.date() >= project.contract_signed_on
        elif stage in {"opportunity", "contracted", "cancelled"}:
            assert project.erp_id not in by_erp
    in_handover = [by_erp[p.erp_id] for p in ctx.projects if p.stage == "handover"]
    assert sorted(h.status for h in in_handover) == ["draft", "returned"]
    returned = next(h for h in in_handover if h.status == "returned")
    assert returned.items.filter(status="rejected").count() == 1
    assert any(h.items.filter(rejection_count__gt=0).exists() for h in by_erp.values())

    count = Handover.objects.count()
    seed_handover(ctx)
    assert Handover.objects.count() == count
