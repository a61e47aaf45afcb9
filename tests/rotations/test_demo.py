"""The demo's rotations: one planned, one in progress with a check-in, one closed with the
host's assessment; seeding twice creates nothing new."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.rotations import seed_rotations
from coordination.rotations.models import JobRotation, RotationApproval, RotationCheckIn
from tests.factories import ProjectFactory, business_user, engineering_user, pmo_user
from tests.rotations.factories import head

pytestmark = pytest.mark.django_db


def test_seed_rotations_twice_gives_the_same_data():
    users = {
        "biz_pm": business_user(),
        "biz_pm2": business_user(),
        "eng_pm": engineering_user(),
        "eng_pm2": engineering_user(),
        "biz_lead": head("business"),
        "eng_director": head("engineering"),
        "pmo": pmo_user(),
    }
    ctx = DemoContext(
        today=datetime.date(2026, 11, 25),
        users=users,
        projects=[ProjectFactory(stage="execution")],
        log=lambda msg: None,
    )
    seed_rotations(ctx)
    counts = (
        JobRotation.objects.count(),
        RotationApproval.objects.count(),
        RotationCheckIn.objects.count(),
    )
    seed_rotations(ctx)
    assert (
        counts
        == (3, 4, 2)
        == (
            JobRotation.objects.count(),
            RotationApproval.objects.count(),
            RotationCheckIn.objects.count(),
        )
    )
    assert sorted(JobRotation.objects.values_list("status", flat=True)) == [
        "closed",
        "in_progress",
        "planned",
    ]
    on_site = JobRotation.objects.get(status="in_progress")
    assert on_site.user == users["biz_pm"] and on_site.check_ins.exists()
    closed = JobRotation.objects.get(status="closed")
    assert closed.host_score and closed.host_assessment and closed.reflection
