"""HTML pages: the same services behind forms; outsiders get 404."""

import pytest
from django.test import Client

from coordination.reviews.models import ActionItem, ReviewCadence
from coordination.rotations.models import JobRotation
from tests.factories import ProjectFactory, business_user, pmo_user
from tests.formpage import login
from tests.reviews.factories import CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_pages_render_for_a_pm():
    review = ReviewFactory(cadence=CadenceFactory(project=ProjectFactory()))
    pm = review.project.business_pm
    client = login(pm)
    for url in [
        "/reviews/",
        "/reviews/?mine=1",
        f"/reviews/{review.pk}/",
        "/reviews/my-action-items/",
        "/reviews/my-action-items/?show=overdue",
        "/reviews/my-reminders/",
        "/reviews/job-rotations/",
        f"/reviews/project/{review.project.code}/",
        f"/reviews/project/{review.project.code}/panel/",
    ]:
        assert client.get(url).status_code == 200, url


def test_outsider_gets_404_and_anonymous_is_redirected():
    review = ReviewFactory()
    outsider = login(business_user())
    assert outsider.get(f"/reviews/{review.pk}/").status_code == 404
    assert outsider.get(f"/reviews/project/{review.project.code}/panel/").status_code == 404
    assert Client().get("/reviews/").status_code == 302


def test_minutes_attendance_and_action_item_through_the_form():
    review = ReviewFactory(cadence=CadenceFactory(project=ProjectFactory()))
    pm = review.project.business_pm
    client = login(pm)
    response = client.post(
        f"/reviews/{review.pk}/",
        {
            "status": "held",
            "minutes": "材料按期到货",
            "decisions": "",
            f"attended_{pm.pk}": "on",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.minutes == "材料按期到货"
    assert {a.user_id: a.attended for a in review.attendance.all()}[pm.pk] is True
    response = client.post(
        f"/reviews/{review.pk}/action-items/",
        {"title": "补充图纸", "owner": review.project.engineering_pm.pk, "due_date": "2026-12-01"},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    client.post(f"/reviews/action-items/{item.pk}/status/", {"status": "done"})
    item.refresh_from_db()
    assert item.status == "done" and item.done_at


def test_cadence_created_from_the_project_tab():
    project = ProjectFactory()
    client = login(project.engineering_pm)
    response = client.post(
        f"/reviews/project/{project.code}/cadences/",
        {
            "kind": "monthly_retrospective",
            "time_of_day": "15:00",
            "duration_minutes": 60,
            "day_of_month": 31,
            "timezone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 302
    cadence = ReviewCadence.objects.get(project=project)
    assert cadence.day_of_month == 31 and cadence.reviews.exists()


def test_job_rotation_form():
    user = business_user()
    client = login(user)
    response = client.post(
        "/reviews/job-rotations/",
        {"to_site": "苏州工地", "start_date": "2026-10-01", "reflection": "理解了施工节奏"},
    )
    assert response.status_code == 302
    rotation = JobRotation.objects.get()
    assert rotation.user == user and rotation.from_department == "business"


def test_job_rotation_project_is_typed_when_the_list_is_long(monkeypatch):
    import coordination.core.forms

    monkeypatch.setattr(coordination.core.forms, "CHOICE_LIMIT", 1)
    pmo = pmo_user()
    mine, _other = ProjectFactory(), ProjectFactory()
    client = login(pmo)
    html = client.get("/reviews/job-rotations/").content.decode()
    assert 'name="to_project"' in html and f'value="{mine.pk}"' not in html
    data = {"to_site": "现场", "start_date": "2026-10-01", "to_project": mine.code}
    assert client.post("/reviews/job-rotations/", data).status_code == 302
    assert JobRotation.objects.get().to_project == mine
    response = client.post("/reviews/job-rotations/", {**data, "to_project": "PRJ-NONE"})
    assert response.status_code == 200 and JobRotation.objects.count() == 1
