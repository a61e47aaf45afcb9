import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from rest_framework.test import APIClient

from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_browser_session_works_and_writes_need_csrf():
    factories.pmo_user(username="pmo_s", password="pw-12345-secret")
    browser = APIClient(enforce_csrf_checks=True)
    assert browser.login(
        request=RequestFactory().get("/"), username="pmo_s", password="pw-12345-secret"
    )
    assert browser.get("/api/v1/customers/").status_code == 200
    refused = browser.post("/api/v1/customers/", {"name": "x"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


@pytest.mark.parametrize("size", [3, 30])
def test_customer_list_query_count_does_not_grow(size, django_assert_num_queries):
    factories.CustomerFactory.create_batch(size)
    client = client_for(User.objects.get(pk=factories.engineering_user().pk))
    with django_assert_num_queries(2):  # count, page
        response = client.get("/api/v1/customers/?page_size=200")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 30])
def test_milestone_and_risk_lists_query_count_does_not_grow(size, django_assert_num_queries):
    project = factories.ProjectFactory()
    factories.MilestoneFactory.create_batch(size, project=project)
    factories.RiskFactory.create_batch(size, project=project, owner=project.engineering_pm)
    pm = User.objects.get(pk=project.business_pm.pk)
    client = client_for(pm)
    # roles (1), profile (1), project (1), count (1), page (1)
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/projects/{project.code}/milestones/?page_size=200")
    assert response.json()["count"] == size
    client = client_for(User.objects.get(pk=pm.pk))
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/projects/{project.code}/risks/?page_size=200")
    assert response.json()["count"] == size
