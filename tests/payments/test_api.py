"""REST API of payment milestones: every kind of user against every endpoint, CRUD, ETag and
If-Match, a refused write that changes nothing, Idempotency-Key, strict amounts."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from projects.core.models import Stage
from projects.payments.models import PaymentMilestone
from tests import factories
from tests.api.helpers import assert_statuses, client_for, people_for
from tests.payments.factories import PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    return factories.ProjectFactory(stage=Stage.EXECUTION, contract_value=Decimal("1000000"))


@pytest.fixture
def milestone(project):
    return factories.MilestoneFactory(project=project, baseline_date=datetime.date(2026, 9, 30))


def _body(milestone, **extra):
    return {
        "name": "到货款",
        "milestone": milestone.pk,
        "amount": "300000.00",
        "due_condition": "acceptance",
        "days_after": 30,
        **extra,
    }


def test_who_may_list_create_read_edit_and_delete(project, milestone):
    people = people_for(project)
    base = f"/api/v1/projects/{project.code}/payments/"
    #                 anon non_member member pm  other_dept pmo executive
    assert_statuses(people, "get", base, [401, 404, 200, 200, 404, 200, 200])
    assert_statuses(people, "post", base, [401, 404, 403, 201, 404, 201, 403], _body(milestone))
    payment = PaymentFactory(project=project, milestone=milestone, amount=Decimal("1"))
    url = f"{base}{payment.pk}/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])
    assert_statuses(people, "patch", url, [401, 404, 403, 200, 404, 200, 403], {"name": "改"})

    def fresh():
        PaymentMilestone.objects.filter(pk=payment.pk).delete()
        PaymentFactory(pk=payment.pk, project=project, milestone=milestone, amount=Decimal("1"))

    assert_statuses(people, "delete", url, [401, 404, 403, 204, 404, 204, 403], before_each=fresh)


def test_crud_with_etag_and_if_match(project, milestone):
    api = client_for(project.business_pm)
    base = f"/api/v1/projects/{project.code}/payments/"
    r = api.post(base, _body(milestone), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["due_date"] == body["baseline_due_date"] == "2026-10-30"
    # derived from today: 2026-10-30 has passed unless the clock says otherwise
    expected = "overdue" if datetime.date.today() > datetime.date(2026, 10, 30) else "planned"
    assert body["status"] == expected and body["moved_days"] == 0
    assert r["ETag"] == '"v1"'
    url = f"{base}{body['id']}/"
    r = api.patch(url, {"invoiced_on": "2026-01-05"}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 200 and r["ETag"] == '"v2"' and r.json()["invoiced_on"] == "2026-01-05"
    r = api.patch(url, {"name": "迟到的写"}, format="json", HTTP_IF_MATCH='"v1"')
    assert r.status_code == 412
    assert api.get(url).json()["name"] == "到货款"
    listed = api.get(base).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert api.delete(url, HTTP_IF_MATCH='"v2"').status_code == 204
    assert not PaymentMilestone.objects.exists()


def test_a_refused_write_changes_nothing(project, milestone):
    api = client_for(project.business_pm)
    base = f"/api/v1/projects/{project.code}/payments/"
    events = AuditEvent.objects.count()
    r = api.post(base, _body(milestone, amount="1200000.00"), format="json")
    assert r.status_code == 400
    assert "1,200,000.00" in r.json()["amount"][0]
    r = api.post(base, _body(milestone, amount="0"), format="json")
    assert r.status_code == 400 and "amount" in r.json()
    r = api.post(base, _body(milestone, amount="１２３"), format="json")  # full-width digits
    assert r.status_code == 400 and "amount" in r.json()
    assert not PaymentMilestone.objects.exists()
    assert AuditEvent.objects.count() == events
    payment = PaymentFactory(project=project, milestone=milestone)
    url = f"{base}{payment.pk}/"
    r = api.patch(url, {"received_on": "2026-01-05"}, format="json")  # not invoiced yet
    assert r.status_code == 400 and "received_on" in r.json()
    payment.refresh_from_db()
    assert payment.received_on is None and payment.edit_version == 1


def test_a_payment_of_another_project_is_404_under_this_one(project, milestone):
    other = PaymentFactory()
    api = client_for(factories.pmo_user())
    assert api.get(f"/api/v1/projects/{project.code}/payments/{other.pk}/").status_code == 404


def test_idempotency_key_replays_a_create(project, milestone):
    api = APIClient(HTTP_AUTHORIZATION=f"Token {factories.api_token(project.business_pm)}")
    base = f"/api/v1/projects/{project.code}/payments/"
    first = api.post(base, _body(milestone), format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    again = api.post(base, _body(milestone), format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert PaymentMilestone.objects.count() == 1
