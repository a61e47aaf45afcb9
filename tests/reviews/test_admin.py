"""PMO works the review loop in the admin; the beat schedule is visible there."""

import pytest
from django.test import Client

from coordination.beat import sync_beat_schedule
from coordination.reviews.models import Reminder, ReviewCadence
from tests.factories import ProjectFactory, UserFactory
from tests.reviews.factories import ActionItemFactory, overdue_reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = UserFactory(department="pmo", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_changelists_and_forms_render(admin_client):
    item = ActionItemFactory()
    overdue_reminder(item, status="failed")
    sync_beat_schedule()
    for model in ["reviewcadence", "review", "actionitem", "reminder", "jobrotation"]:
        assert admin_client.get(f"/admin/coordination/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/coordination/{model}/?q=x").status_code == 200, model
    assert (
        admin_client.get(f"/admin/coordination/review/{item.review_id}/change/").status_code == 200
    )
    assert admin_client.get("/admin/coordination/reviewcadence/add/").status_code == 200
    response = admin_client.get("/admin/django_celery_beat/periodictask/")
    assert "reviews.send_due_reminders" in response.content.decode()
    assert "kpi.close_period" in response.content.decode()


def test_pmo_adds_a_cadence_with_both_pms_by_default(admin_client):
    project = ProjectFactory()
    response = admin_client.post(
        "/admin/coordination/reviewcadence/add/",
        {
            "project": project.pk,
            "kind": "daily_standup",
            "title": "",
            "time_of_day": "09:00",
            "duration_minutes": 15,
            "timezone": "Asia/Shanghai",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cadence = ReviewCadence.objects.get(project=project)
    assert set(cadence.participants.all()) == {project.business_pm, project.engineering_pm}
    assert cadence.reviews.exists()


def test_requeue_failed_reminders(admin_client):
    item = ActionItemFactory()
    row = Reminder.objects.create(
        target_key=f"action:{item.pk}",
        recipient=item.owner,
        channel="chat",
        kind="overdue_owner",
        subject="逾期",
        due_at="2026-11-25T00:30:00Z",
        status="failed",
        attempts=5,
    )
    admin_client.post(
        "/admin/coordination/reminder/",
        {"action": "requeue", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
