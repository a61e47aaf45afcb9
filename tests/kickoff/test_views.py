import pytest
from django.utils import translation

from coordination.kickoff import services as kickoff
from coordination.kickoff.models import KickoffMeeting
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


def test_printable_page_shows_signatures_times_and_hash(client):
    team = Team()
    commitment = team.sign_all(team.hold())
    client.force_login(team.tech_lead)

    page = client.get(f"/commitments/{commitment.pk}/print/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "项目协同承诺书" in html and commitment.content_hash in html
    assert "设备到场" in html and "2026-05-31" in html
    for user in team.signatories:
        assert f'data-signatory="{user.username}"' in html
    assert html.count("✔") == 5
    assert "@media print" in html
    assert "校验通过" in html

    with translation.override("en"):
        english = client.get(f"/commitments/{commitment.pk}/print/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200


def test_printable_page_in_english_by_active_language(client):
    team = Team()
    team.sign_all(team.hold())
    client.force_login(team.business_pm)
    client.cookies["django_language"] = "en"
    page = client.get(f"/projects/{team.project.code}/commitment/print/", follow=True)
    assert page.status_code == 200
    assert "Project Collaboration Commitment" in page.content.decode()


def test_commitment_page_signs_and_shows_badge(client):
    team = Team()
    commitment = team.hold()
    client.force_login(team.engineering_director)
    page = client.get(f"/commitments/{commitment.pk}/")
    assert page.status_code == 200
    assert 'data-verification="valid"' in page.content.decode()
    assert f'action="/commitments/{commitment.pk}/sign/"' in page.content.decode()
    response = client.post(f"/commitments/{commitment.pk}/sign/")
    assert response.status_code == 302
    assert commitment.signatures.filter(signer=team.engineering_director).exists()


def test_pages_hide_invisible_projects(client):
    team = Team()
    commitment = team.hold()
    client.force_login(factories.business_user())
    assert client.get(f"/commitments/{commitment.pk}/").status_code == 404
    assert client.get(f"/commitments/{commitment.pk}/print/").status_code == 404
    assert client.get(f"/projects/{team.project.code}/kickoff/panel/").status_code == 404
    assert client.post(f"/commitments/{commitment.pk}/sign/").status_code == 404


def test_schedule_and_hold_from_the_form(client):
    team = Team()
    client.force_login(team.business_pm)
    url = f"/projects/{team.project.code}/kickoff/"
    assert client.get(url).status_code == 200
    people = [
        (team.business_pm, "business_pm"),
        (team.engineering_pm, "engineering_pm"),
        (team.business_lead, "business_lead"),
        (team.engineering_director, "engineering_director"),
    ]
    data = {
        "scheduled_at": "2026-03-02T09:30",
        "location": "3号会议室",
        "chair": team.business_pm.pk,
        "customer_core_needs": "按期投产",
        "milestones": [team.milestone.pk],
        "att-TOTAL_FORMS": str(len(people)),
        "att-INITIAL_FORMS": "0",
        "resp-TOTAL_FORMS": "1",
        "resp-INITIAL_FORMS": "0",
        "resp-0-area": "施工组织",
        "resp-0-department": "engineering",
        "resp-0-person": team.engineering_pm.pk,
    }
    for n, (user, role) in enumerate(people):
        data.update({f"att-{n}-user": user.pk, f"att-{n}-role": role, f"att-{n}-attended": "on"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = KickoffMeeting.objects.get(project=team.project)
    assert meeting.attendees.count() == 4 and meeting.responsibilities.get().area == "施工组织"

    held = client.post(f"/projects/{team.project.code}/kickoff/hold/")
    assert held.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    panel = client.get(f"/projects/{team.project.code}/kickoff/panel/")
    assert panel.status_code == 200 and "v1" in panel.content.decode()


def test_form_after_a_signature_is_an_amendment(client):
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    client.force_login(team.business_pm)
    page = client.get(f"/projects/{team.project.code}/kickoff/")
    assert "保存并生成新版本" in page.content.decode()


def test_a_new_kickoff_lists_the_team_and_never_offers_the_erp_robot(client):
    """The form starts with every member in a kickoff role (one row each), and the attendee
    and responsibility pickers leave out an API client's service account."""
    from coordination.integration.models import ApiClient  # the robot's own model

    team = Team()
    robot = factories.UserFactory(username="erp_robot", first_name="机器人")
    ApiClient.objects.create(name="ERP", user=robot)
    client.force_login(team.business_pm)
    html = client.get(f"/projects/{team.project.code}/kickoff/").content.decode()
    for n, user in enumerate(
        [team.business_pm, team.engineering_pm, team.business_lead, team.engineering_director]
    ):
        assert f'name="att-{n}-user"' in html
        assert f'<option value="{user.pk}" selected' in html
    assert f'<option value="{robot.pk}"' not in html
