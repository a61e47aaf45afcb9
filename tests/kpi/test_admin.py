"""KPI admin: every model's pages open; reopening a period asks for a reason."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kpi import services
from kpi.models import ClosedPeriod, KpiSnapshot, Scorecard
from tests.kpi.factories import ComplaintFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("kpi_admin", "a@example.com", "pw-123456")
    client = Client()
    client.force_login(user)
    return client


def test_admin_pages_open(admin_client, world):
    SurveyFactory(project=world["a"])
    ComplaintFactory(project=world["a"])
    services.close_period("2026-03", today=datetime.date(2026, 11, 25))
    for name in [
        "satisfactionsurvey",
        "complaint",
        "kpidefinition",
        "scorecard",
        "closedperiod",
        "kpisnapshot",
        "projectcohort",
    ]:
        assert admin_client.get(f"/admin/kpi/{name}/").status_code == 200, name
    card = Scorecard.objects.order_by("pk").first()  # the seeded one (its id after a flush too)
    assert admin_client.get(f"/admin/kpi/scorecard/{card.pk}/change/").status_code == 200
    assert admin_client.get("/admin/kpi/satisfactionsurvey/add/").status_code == 200


def test_admin_reopen_action_requires_a_reason(admin_client, world):
    services.close_period("2026-03", today=datetime.date(2026, 11, 25))
    row = ClosedPeriod.objects.get(period="2026-03")
    form = {"action": "reopen", "_selected_action": [row.pk]}
    page = admin_client.post("/admin/kpi/closedperiod/", form)
    assert page.status_code == 200 and "reason" in page.content.decode()
    admin_client.post("/admin/kpi/closedperiod/", {**form, "apply": "1", "reason": ""})
    assert ClosedPeriod.objects.get(period="2026-03").status == "closed"
    admin_client.post("/admin/kpi/closedperiod/", {**form, "apply": "1", "reason": "数据更正"})
    row.refresh_from_db()
    assert row.status == "reopened" and row.reopen_reason == "数据更正"
    assert not KpiSnapshot.objects.filter(period="2026-03").exists()
