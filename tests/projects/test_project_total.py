"""The exact project total kept by triggers (projects/migrations/0006_project_total.py): the
full-visibility project lists read it instead of counting every project, so it must equal
COUNT(*) after any kind of write, in every transaction, with concurrent writers."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from projects.core.models import Project
from projects.core.selectors import count_projects, is_every_project, visible_projects
from tests import factories
from tests.erp.test_concurrency import _together


def kept_total() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(n), 0)::bigint FROM projects_project_total")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_total_follows_every_kind_of_write():
    start = Project.objects.count()
    assert kept_total() == start
    factories.ProjectFactory.create_batch(3)
    customer, pm = factories.CustomerFactory(), factories.business_user()
    Project.objects.bulk_create(
        Project(code=f"BULK-{i}", name="b", customer=customer, business_pm=pm, engineering_pm=pm)
        for i in range(4)
    )
    assert kept_total() == Project.objects.count() == start + 7
    Project.objects.filter(code__startswith="BULK-").delete()
    assert kept_total() == Project.objects.count() == start + 3
    with connection.cursor() as cursor:  # raw SQL too: the triggers are the database's
        cursor.execute(
            "DELETE FROM projects_project WHERE id = (SELECT max(id) FROM projects_project)"
        )
    assert kept_total() == Project.objects.count() == start + 2
    try:
        with transaction.atomic():
            factories.ProjectFactory.create_batch(5)
            assert kept_total() == start + 7
            raise RuntimeError
    except RuntimeError:
        pass
    assert kept_total() == Project.objects.count() == start + 2  # rolled back with the rows


@pytest.mark.django_db
def test_only_every_project_uses_the_total():
    pmo, me = factories.pmo_user(), factories.business_user()
    mine = factories.ProjectFactory(business_pm=me)
    factories.ProjectFactory()
    assert is_every_project(visible_projects(pmo))
    assert not is_every_project(visible_projects(me))
    assert not is_every_project(Project.objects.filter(stage="execution"))
    assert count_projects(visible_projects(me)) == 1 == len([mine])
    with connection.cursor() as cursor:  # a wrong total would show: it is what is read
        cursor.execute("INSERT INTO projects_project_total (slot, n) VALUES (99, 1000)")
    assert count_projects(visible_projects(pmo)) == Project.objects.count() + 1000
    assert count_projects(Project.objects.filter(pk=mine.pk)) == 1


@pytest.mark.django_db
def test_full_visibility_lists_answer_the_exact_total_without_counting(client):
    pmo = factories.pmo_user()
    factories.ProjectFactory.create_batch(3)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(pmo, recently_used=True)}")
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/projects/").json()
    assert body["count"] == Project.objects.count() == 3
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert api.get("/api/v1/projects/", {"stage": "opportunity"}).json()["count"] == (
        Project.objects.filter(stage="opportunity").count()
    )
    client.force_login(pmo)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:list"))
    assert response.context["page"].paginator.count == 3
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_truncate_keep_it_exact():
    customer, pm = factories.CustomerFactory(), factories.business_user()

    def create_five():
        for i in range(5):
            with transaction.atomic():
                factories.ProjectFactory(customer=customer, business_pm=pm, engineering_pm=pm)
        return "ok"

    assert _together(4, create_five) == ["ok"] * 4
    assert kept_total() == Project.objects.count() == 20
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE projects_project CASCADE")
    assert kept_total() == 0
