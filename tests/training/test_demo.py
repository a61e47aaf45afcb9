"""The training demo seeder: topics, two held sessions with attendance and feedback, one
upcoming; seeding twice creates nothing new."""

import datetime

import pytest
from django.utils import timezone

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.training import seed_training
from coordination.training import selectors
from coordination.training.models import TrainingAttendance, TrainingSession, TrainingTopic
from tests import factories

pytestmark = pytest.mark.django_db


def test_seed_training_twice_gives_the_same_data():
    users = {"pmo": factories.pmo_user(username="pmo")}
    for name in ("biz_pm", "biz_pm2", "biz_lead"):
        users[name] = factories.business_user(username=name)
    for name in ("eng_pm", "eng_pm2", "eng_director", "tech_lead"):
        users[name] = factories.engineering_user(username=name)
    users["finance"] = factories.finance_user(username="finance")
    ctx = DemoContext(today=timezone.localdate(), users=users, log=lambda msg: None)
    seed_training(ctx)
    counts = (TrainingTopic.objects.count(), TrainingSession.objects.count(),
              TrainingAttendance.objects.count())  # fmt: skip
    seed_training(ctx)
    assert counts == (
        TrainingTopic.objects.count(),
        TrainingSession.objects.count(),
        TrainingAttendance.objects.count(),
    )
    assert TrainingSession.objects.filter(status="held").count() == 2
    upcoming = TrainingSession.objects.get(status="scheduled")
    assert upcoming.starts_at > timezone.now()
    assert TrainingAttendance.objects.filter(score__isnull=False).count() == 3
    held = TrainingSession.objects.filter(status="held").order_by("starts_at").first()
    assert held.starts_at.date() <= timezone.localdate() - datetime.timedelta(days=30)
    assert held.materials.count() == 1
    assert selectors.person_record(users["biz_pm"]).sessions_attended == 2
