"""Company-wide and department cadences set up by PMO in the browser, with participants."""

import pytest

from coordination.core.models import AuditEvent
from coordination.reviews.models import Review, ReviewAttendance, ReviewCadence
from coordination.reviews.services import local_today
from tests.conftest import client_for
from tests.factories import business_user, engineering_user, executive_user, finance_user, pmo_user
from tests.formpage import login

pytestmark = pytest.mark.django_db


def _form(**over):
    data = {
        "kind": "monthly_retrospective",
        "title": "业务-工程月度联合复盘",
        "time_of_day": "14:00",
        "duration_minutes": "90",
        "weekday": "",
        "day_of_month": str(local_today().day),
        "timezone": "Asia/Shanghai",
        "departments": ["business", "engineering"],
        "is_active": "on",
    }
    data.update(over)
    return data


def test_pmo_sets_up_a_cross_department_retrospective_with_participants_in_the_browser():
    pmo = pmo_user()
    sales, builder, other_sales = business_user(), engineering_user(), business_user()
    finance_user()
    client = login(pmo)
    assert client.get("/reviews/cadences/").status_code == 200
    response = client.post("/reviews/cadences/", _form(participants=[sales.pk, builder.pk]))
    assert response.status_code == 302
    cadence = ReviewCadence.objects.get(project__isnull=True)
    assert response["Location"] == f"/reviews/cadences/{cadence.pk}/"
    assert cadence.departments == ["business", "engineering"]
    assert set(cadence.participants.all()) == {sales, builder}
    # its occurrence today is generated with both participants expected
    review = Review.objects.get(cadence=cadence, date=local_today())
    assert set(review.attendance.values_list("user_id", flat=True)) == {sales.pk, builder.pk}
    page = client.get(f"/reviews/cadences/{cadence.pk}/").content.decode()
    assert "业务部、工程管理部" in page and "业务-工程月度联合复盘" in page
    # a participant sees it on the list and on the review page, an outsider does not
    assert "业务-工程月度联合复盘" in login(sales).get("/reviews/cadences/").content.decode()
    assert login(other_sales).get(f"/reviews/{review.pk}/").status_code == 404
    assert login(sales).get(f"/reviews/{review.pk}/").status_code == 200
    # PMO adds everyone of the two departments: the coming occurrence expects them too
    response = client.post(
        f"/reviews/cadences/{cadence.pk}/",
        _form(participants=[sales.pk], everyone_of_departments="on"),
    )
    assert response.status_code == 302
    expected = set(review.attendance.values_list("user_id", flat=True))
    assert {sales.pk, builder.pk, other_sales.pk} <= expected
    assert pmo.pk not in expected  # PMO's own department was not chosen
    assert AuditEvent.objects.filter(action="review_cadence.updated").count() == 1


def test_a_company_cadence_needs_participants_and_only_pmo_sets_one_up():
    sales = business_user()
    client = login(pmo_user())
    response = client.post("/reviews/cadences/", _form(departments=[]))
    assert response.status_code == 400
    assert "请至少选择一位参会人" in response.content.decode()
    assert "业务-工程月度联合复盘" in response.content.decode()  # what was typed is kept
    response = client.post(
        "/reviews/cadences/", _form(everyone_of_departments="on", departments=[])
    )
    assert response.status_code == 400
    assert (
        login(sales).post("/reviews/cadences/", _form(participants=[sales.pk])).status_code == 403
    )
    assert (
        login(executive_user())
        .post("/reviews/cadences/", _form(participants=[sales.pk]))
        .status_code
        == 403
    )
    assert not ReviewCadence.objects.exists()


def test_company_cadences_through_the_api():
    pmo, sales, builder = pmo_user(), business_user(), engineering_user()
    body = {
        "kind": "monthly_retrospective",
        "title": "Joint retro",
        "day_of_month": 25,
        "departments": ["business", "engineering"],
        "participants": [sales.username, builder.username],
    }
    assert client_for(sales).post("/api/v1/cadences/", body, format="json").status_code == 403
    bad = client_for(pmo).post(
        "/api/v1/cadences/", {**body, "departments": ["marketing"]}, format="json"
    )
    assert bad.status_code == 400 and "departments" in bad.json()
    response = client_for(pmo).post("/api/v1/cadences/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["departments"] == ["business", "engineering"] and data["project"] is None
    assert client_for(sales).get("/api/v1/cadences/").json()[0]["id"] == data["id"]
    assert client_for(business_user()).get("/api/v1/cadences/").json() == []
    patched = client_for(pmo).patch(
        f"/api/v1/cadences/{data['id']}/", {"participants": [sales.username]}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["participants"] == [sales.username]
    assert (
        client_for(pmo)
        .patch(f"/api/v1/cadences/{data['id']}/", {"participants": []}, format="json")
        .status_code
        == 400
    )


def test_a_project_cadence_takes_the_participants_chosen_in_its_form(project):
    member = engineering_user()
    project.memberships.create(user=member, role="tech_lead")
    client = login(project.business_pm)
    response = client.post(
        f"/reviews/project/{project.code}/cadences/",
        {
            "kind": "weekly_meeting",
            "time_of_day": "10:00",
            "duration_minutes": "60",
            "weekday": "2",
            "timezone": "Asia/Shanghai",
            "participants": [project.business_pm.pk, member.pk],
        },
    )
    assert response.status_code == 302
    cadence = ReviewCadence.objects.get(project=project)
    assert set(cadence.participants.all()) == {project.business_pm, member}
    coming = Review.objects.filter(cadence=cadence, date__gte=local_today())
    assert coming.exists()
    assert not ReviewAttendance.objects.filter(
        review__in=coming, user=project.engineering_pm
    ).exists()
