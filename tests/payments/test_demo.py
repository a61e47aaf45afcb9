"""The demo's payment milestones: the case-study projects have a few, one moved by a slip
that both its PMs were told about."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import F

from coordination.core.models import Notification
from projects.payments.models import PaymentMilestone

pytestmark = pytest.mark.django_db


def test_the_demo_gives_projects_payments_and_one_moved_by_a_slip():
    call_command("seed_demo", today=datetime.date(2026, 3, 2), stdout=io.StringIO(), force=True)
    assert PaymentMilestone.objects.values("project").distinct().count() >= 3
    moved = PaymentMilestone.objects.filter(
        due_date__gt=F("baseline_due_date"), received_on__isnull=True
    )
    assert moved.exists()
    told = Notification.objects.filter(kind="payment.moved").select_related("user")
    assert told.count() == 2
    project = told[0].project_code
    slipped = PaymentMilestone.objects.filter(project__code=project).select_related("project")
    pms = {slipped[0].project.business_pm_id, slipped[0].project.engineering_pm_id}
    assert {n.user_id for n in told} == pms
    assert PaymentMilestone.objects.filter(received_on__isnull=False).exists()
