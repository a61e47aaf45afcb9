"""PMO keeps the topic list in the admin (audited) and reads sessions there."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from coordination.core.models import AuditEvent
from coordination.training.models import TrainingSession, TrainingTopic
from tests.factories import UserFactory
from tests.training.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = UserFactory(department="pmo", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_pmo_adds_a_topic_and_the_change_is_audited(admin_client):
    r = admin_client.post(
        "/admin/coordination/trainingtopic/add/",
        {"name": "质量管理", "name_en": "Quality", "description": "", "active": "on", "order": 1},
    )
    assert r.status_code == 302
    topic = TrainingTopic.objects.get(name="质量管理")
    assert AuditEvent.objects.filter(
        action="training.topic_added", target_id=str(topic.pk)
    ).exists()
    r = admin_client.post(
        f"/admin/coordination/trainingtopic/{topic.pk}/change/",
        {"name": "质量管理", "name_en": "Quality", "description": "", "order": 1},
    )
    assert r.status_code == 302
    topic.refresh_from_db()
    assert topic.active is False
    event = AuditEvent.objects.get(action="training.topic_changed")
    assert (event.before["active"], event.after["active"]) == (True, False)


def test_sessions_are_read_there_and_marked_held_through_the_service(admin_client):
    session = SessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=1))
    for model in ["trainingtopic", "trainingsession", "trainingmaterialversion"]:
        assert admin_client.get(f"/admin/coordination/{model}/").status_code == 200, model
    url = f"/admin/coordination/trainingsession/{session.pk}/change/"
    assert admin_client.get(url).status_code == 200
    r = admin_client.post(
        "/admin/coordination/trainingsession/",
        {"action": "mark_held", "_selected_action": [session.pk]},
    )
    assert r.status_code == 302
    assert TrainingSession.objects.get(pk=session.pk).status == "held"
    assert AuditEvent.objects.filter(action="training.session_held").exists()
