import pytest

from coordination.kickoff import services as kickoff
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    return client


def test_admin_shows_a_signed_commitment_read_only(admin_client):
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    url = f"/admin/coordination/collaborationcommitment/{commitment.pk}/change/"

    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "校验通过" in html
    assert 'name="canonical_content"' not in html and 'name="text_zh"' not in html

    before = commitment.content_hash
    admin_client.post(url, {"text_zh": "改过", "canonical_content": "{}", "status": "signed"})
    commitment.refresh_from_db()
    assert commitment.content_hash == before and commitment.text_zh != "改过"
    assert commitment.status == CollaborationCommitment.Status.OPEN
    assert (
        admin_client.get(
            f"/admin/coordination/collaborationcommitment/{commitment.pk}/delete/"
        ).status_code
        == 403
    )
    assert admin_client.get("/admin/coordination/collaborationcommitment/add/").status_code == 403


def test_admin_lists_and_signatures_are_view_only(admin_client):
    team = Team()
    commitment = team.sign_all(team.hold())
    assert admin_client.get("/admin/coordination/collaborationcommitment/").status_code == 200
    assert admin_client.get("/admin/coordination/signature/").status_code == 200
    sig = commitment.signatures.first()
    page = admin_client.get(f"/admin/coordination/signature/{sig.pk}/change/")
    assert page.status_code == 200 and 'name="hmac"' not in page.content.decode()
    assert admin_client.get("/admin/coordination/kickoffmeeting/").status_code == 200
    meeting = KickoffMeeting.objects.get(project=team.project)
    page = admin_client.get(f"/admin/coordination/kickoffmeeting/{meeting.pk}/change/")
    assert page.status_code == 200 and 'name="customer_core_needs"' not in page.content.decode()


QUERIES = 4  # visible commitment, its signatures with signers, the project, its audit events


@pytest.mark.parametrize("signers", [1, 5])
def test_verify_endpoint_queries_do_not_grow_with_signatures(signers, django_assert_num_queries):
    from tests.conftest import client_for

    team = Team()
    commitment = team.hold()
    for user in team.signatories[:signers]:
        kickoff.sign_commitment(commitment.pk, by=user)
    client = client_for(team.tech_lead)
    url = f"/api/v1/commitments/{commitment.pk}/verify/"
    client.get(url)  # warm caches (user groups etc.)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
