"""Admin: both models listed and shown read-only once submitted; history not editable."""

import pytest
from django.test import Client

from projects.presales.models import FeasibilityAssessment
from tests import factories
from tests.presales.factories import AssessmentFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = factories.pmo_user(username="admin_t", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_changelists_and_change_pages_render(admin_client):
    a = AssessmentFactory()
    q = QuoteFactory(project=a.project, assessment=a)
    for url in (
        "/admin/projects/feasibilityassessment/",
        "/admin/projects/feasibilityassessment/?status__exact=approved",
        f"/admin/projects/feasibilityassessment/{a.pk}/change/",
        "/admin/projects/quote/?q=PRJ",
        f"/admin/projects/quote/{q.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_an_approved_assessment_cannot_be_edited_in_admin(admin_client):
    a = AssessmentFactory(labour_cost=1)
    admin_client.post(
        f"/admin/projects/feasibilityassessment/{a.pk}/change/", {"labour_cost": "999"}
    )
    a.refresh_from_db()
    assert a.labour_cost == 1
    assert a.status == FeasibilityAssessment.Status.APPROVED
