"""A complaint handled to the end: owner and deadline, answer with its cause, closure."""

import datetime

import pytest
from django.urls import reverse

from coordination.core.models import AuditEvent
from kpi.models import Complaint
from tests import factories
from tests.kpi.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross(project):
    """A cross-department complaint against engineering, opened on a Friday."""
    return ComplaintFactory(
        project=project,
        source=Complaint.Source.INTERNAL,
        severity=Complaint.Severity.MEDIUM,
        responsible_department="engineering",
        opened_on=datetime.date(2026, 3, 6),
    )


def test_cross_department_complaint_answered_and_closed_by_the_other_department(
    client, project, cross
):
    eng, biz = project.engineering_pm, project.business_pm
    client.force_login(biz)
    r = client.post(reverse("complaints:assign", args=[cross.pk]), {"owner": eng.pk})
    assert r.status_code == 302
    cross.refresh_from_db()
    assert cross.owner == eng
    # medium: 3 working days from Friday 2026-03-06 skips the weekend
    assert cross.response_due == datetime.date(2026, 3, 11)

    client.force_login(eng)
    r = client.post(
        reverse("complaints:respond", args=[cross.pk]),
        {
            "response": "已派工程师复测",
            "root_cause": "information_asymmetry",
            "corrective_actions": "交底会增加图纸核对",
        },
    )
    assert r.status_code == 302
    # the department complained against cannot confirm its own closure
    r = client.post(reverse("complaints:close", args=[cross.pk]))
    assert r.status_code == 403
    cross.refresh_from_db()
    assert cross.closed_on is None

    client.force_login(biz)
    page = client.get(reverse("complaints:detail", args=[cross.pk]))
    assert "已派工程师复测" in page.content.decode()
    r = client.post(reverse("complaints:close", args=[cross.pk]))
    assert r.status_code == 302
    cross.refresh_from_db()
    assert cross.closed_on is not None and cross.closed_by == biz
    assert cross.root_cause == "information_asymmetry"
    actions = set(
        AuditEvent.objects.filter(target_id=str(cross.pk)).values_list("action", flat=True)
    )
    assert {"kpi.complaint_assigned", "kpi.complaint_answered", "kpi.complaint_closed"} <= actions


def test_unanswered_complaint_cannot_be_closed(client, project, cross):
    client.force_login(project.business_pm)
    r = client.post(reverse("complaints:close", args=[cross.pk]))
    assert r.status_code == 409
    cross.refresh_from_db()
    assert cross.closed_on is None


def test_answer_needs_a_cause_and_only_the_owner_answers(client, project, cross):
    client.force_login(project.business_pm)
    client.post(reverse("complaints:assign", args=[cross.pk]), {"owner": project.engineering_pm.pk})
    r = client.post(
        reverse("complaints:respond", args=[cross.pk]),
        {"response": "我来答", "root_cause": "culture_gap"},
    )
    assert r.status_code == 403
    client.force_login(project.engineering_pm)
    r = client.post(
        reverse("complaints:respond", args=[cross.pk]), {"response": "x", "root_cause": "nope"}
    )
    assert r.status_code == 400
    cross.refresh_from_db()
    assert cross.responded_on is None and cross.response == ""


def test_outsider_sees_no_complaint(client, cross):
    client.force_login(factories.business_user(username="outsider"))
    assert client.get(reverse("complaints:detail", args=[cross.pk])).status_code == 404


def test_overdue_is_shown(client, project):
    c = ComplaintFactory(project=project, severity="high", opened_on=datetime.date(2026, 1, 5))
    client.force_login(factories.pmo_user(username="pmo_c"))
    client.post(reverse("complaints:assign", args=[c.pk]), {"owner": project.business_pm.pk})
    page = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "已逾期" in page


def test_overdue_complaint_escalates_once_to_owner_and_both_pms(project):
    from coordination.core.models import Notification
    from kpi.complaints import services

    c = ComplaintFactory(project=project, severity="high", opened_on=datetime.date(2026, 1, 5))
    services.assign_complaint(c.pk, owner_id=project.engineering_pm.pk, by=project.business_pm)
    assert services.escalate_overdue_complaints(datetime.date(2026, 1, 8)) == 1
    assert services.escalate_overdue_complaints(datetime.date(2026, 1, 9)) == 0
    told = set(
        Notification.objects.filter(kind="complaint.overdue").values_list("user_id", flat=True)
    )
    assert told == {project.business_pm.pk, project.engineering_pm.pk}


def test_api_handles_a_complaint_to_the_end(project, cross):
    from tests.conftest import client_for

    biz = client_for(project.business_pm)
    eng = client_for(project.engineering_pm)
    r = biz.post(
        f"/api/v1/complaints/{cross.pk}/assign/",
        {"owner": project.engineering_pm.username},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert r.json()["response_due"] == "2026-03-11"
    r = eng.post(f"/api/v1/complaints/{cross.pk}/respond/", {"response": "ok"}, format="json")
    assert r.status_code == 400
    r = eng.post(
        f"/api/v1/complaints/{cross.pk}/respond/",
        {"response": "复测完成", "root_cause": "process_break"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert eng.post(f"/api/v1/complaints/{cross.pk}/close/").status_code == 403
    r = biz.post(f"/api/v1/complaints/{cross.pk}/close/")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert biz.post(f"/api/v1/complaints/{cross.pk}/close/").status_code == 409
