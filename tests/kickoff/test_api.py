import pytest

from coordination.kickoff import services as kickoff
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting
from tests import factories
from tests.conftest import client_for
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


def _statuses(users, method, url, data=None):
    out = []
    for user in users:
        client = client_for(user)
        response = getattr(client, method)(url, data, format="json")
        out.append(response.status_code)
    return out


def test_get_kickoff_statuses_by_kind_of_user(pmo):
    team = Team()
    team.schedule()
    url = f"/api/v1/projects/{team.project.code}/kickoff/"
    outsider = factories.engineering_user()
    assert _statuses([None, outsider, team.tech_lead, team.business_pm, pmo], "get", url) == [
        401,
        404,
        200,
        200,
        200,
    ]


def test_schedule_update_hold_sign_verify_through_the_api():
    team = Team()
    code = team.project.code
    pm = client_for(team.business_pm)
    body = {
        "scheduled_at": "2026-03-02T09:30:00+08:00",
        "location": "https://meet.example.com/kickoff",
        "milestones": [team.milestone.pk],
        "risks": [team.risk.pk],
        "attendees": [
            {"user": u.username, "role": r, "attended": True}
            for u, r in [
                (team.business_pm, "business_pm"),
                (team.engineering_pm, "engineering_pm"),
                (team.business_lead, "business_lead"),
                (team.engineering_director, "engineering_director"),
                (team.finance_rep, "finance_rep"),
            ]
        ],
        "responsibilities": [
            {"area": "客户沟通", "department": "business", "person": team.business_pm.username}
        ],
    }
    created = pm.post(f"/api/v1/projects/{code}/kickoff/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "scheduled"
    assert created.json()["chair"] == team.project.primary_pm.username
    assert pm.post(f"/api/v1/projects/{code}/kickoff/", body, format="json").status_code == 409

    patched = pm.patch(
        f"/api/v1/projects/{code}/kickoff/", {"feasibility_summary": "可行"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["feasibility_summary"] == "可行"
    assert len(patched.json()["attendees"]) == 5  # untouched when not sent

    held = pm.post(f"/api/v1/projects/{code}/kickoff/hold/")
    assert held.status_code == 200, held.json()
    commitment = held.json()
    assert commitment["status"] == "open" and commitment["version"] == 1
    assert len(commitment["pending_signatories"]) == 5
    assert pm.post(f"/api/v1/projects/{code}/kickoff/hold/").status_code == 409

    current = pm.get(f"/api/v1/projects/{code}/commitment/")
    assert current.status_code == 200 and current.json()["id"] == commitment["id"]

    cid = commitment["id"]
    assert client_for(team.tech_lead).post(f"/api/v1/commitments/{cid}/sign/").status_code == 403
    for user in team.signatories:
        response = client_for(user).post(f"/api/v1/commitments/{cid}/sign/")
        assert response.status_code == 200
    assert response.json()["status"] == "signed"
    again = client_for(team.business_pm).post(f"/api/v1/commitments/{cid}/sign/")
    assert again.status_code == 200 and len(again.json()["signatures"]) == 5

    verify = client_for(team.tech_lead).get(f"/api/v1/commitments/{cid}/verify/")
    assert verify.status_code == 200
    assert verify.json()["valid"] is True
    assert verify.json()["content_hash"] == commitment["content_hash"]
    assert {s["signer"] for s in verify.json()["signatures"]} == {
        u.username for u in team.signatories
    }
    assert all(s["hash_ok"] and s["hmac_ok"] for s in verify.json()["signatures"])


def test_signed_content_cannot_change_through_the_api():
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    response = client_for(team.business_pm).patch(
        f"/api/v1/projects/{team.project.code}/kickoff/",
        {"customer_core_needs": "改过的需求"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["unmet"]
    commitment.refresh_from_db()
    assert "改过的需求" not in commitment.canonical_content
    assert KickoffMeeting.objects.get(project=team.project).customer_core_needs != "改过的需求"


def test_amend_through_the_api():
    team = Team()
    v1 = team.sign_all(team.hold())
    url = f"/api/v1/commitments/{v1.pk}/amend/"
    assert client_for(team.tech_lead).post(url, {"reason": "x"}, format="json").status_code == 403
    assert client_for(team.business_pm).post(url, {}, format="json").status_code == 400
    response = client_for(team.business_pm).post(
        url, {"reason": "工期调整", "feasibility_summary": "延后两周"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 2 and body["supersedes"] == v1.pk and body["status"] == "open"
    assert body["content"]["feasibility_summary"] == "延后两周"
    assert CollaborationCommitment.objects.get(pk=v1.pk).status == "superseded"
    assert (
        client_for(team.business_pm).post(url, {"reason": "再改"}, format="json").status_code == 409
    )


def test_commitment_endpoints_hide_invisible_projects(pmo):
    team = Team()
    commitment = team.hold()
    outsider = factories.business_user()
    for path in ("", "verify/"):
        url = f"/api/v1/commitments/{commitment.pk}/{path}"
        assert _statuses([None, outsider, team.tech_lead, pmo], "get", url) == [401, 404, 200, 200]
    sign = f"/api/v1/commitments/{commitment.pk}/sign/"
    assert _statuses([outsider, team.tech_lead, pmo], "post", sign) == [404, 403, 403]
    assert (
        client_for(outsider).get(f"/api/v1/projects/{team.project.code}/commitment/").status_code
        == 404
    )


def test_hold_refusals_are_409_and_bad_input_400():
    team = Team()
    rows = team.attendees()
    rows[0]["attended"] = False
    team.schedule(attendees=rows)
    pm = client_for(team.business_pm)
    response = pm.post(f"/api/v1/projects/{team.project.code}/kickoff/hold/")
    assert response.status_code == 409
    assert response.json()["unmet"] == ["业务项目经理未出席"]
    bad = pm.patch(
        f"/api/v1/projects/{team.project.code}/kickoff/",
        {"attendees": [{"user": "nobody", "role": "boss"}], "milestones": [999999]},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"attendees", "milestones"}
    chair = pm.patch(
        f"/api/v1/projects/{team.project.code}/kickoff/",
        {"chair": team.business_lead.username},
        format="json",
    )
    assert chair.status_code == 400 and "chair" in chair.json()
    other = factories.MilestoneFactory()  # another project's milestone is not found here
    foreign = pm.patch(
        f"/api/v1/projects/{team.project.code}/kickoff/",
        {"milestones": [other.pk]},
        format="json",
    )
    assert foreign.status_code == 400


def test_no_kickoff_yet_is_404_and_only_managers_schedule():
    team = Team()
    code = team.project.code
    assert client_for(team.business_pm).get(f"/api/v1/projects/{code}/kickoff/").status_code == 404
    assert (
        client_for(team.business_pm).get(f"/api/v1/projects/{code}/commitment/").status_code == 404
    )
    body = {"scheduled_at": "2026-03-02T09:30:00+08:00"}
    response = client_for(team.tech_lead).post(
        f"/api/v1/projects/{code}/kickoff/", body, format="json"
    )
    assert response.status_code == 403
    assert not KickoffMeeting.objects.exists()


def test_hold_and_patch_permissions_by_kind_of_user(pmo):
    team = Team()
    team.schedule()
    code = team.project.code
    outsider = factories.finance_user()
    patch = f"/api/v1/projects/{code}/kickoff/"
    body = {"location": "线上"}
    assert _statuses(
        [None, outsider, team.tech_lead, team.finance_rep, team.business_lead], "patch", patch, body
    ) == [401, 404, 403, 403, 200]
    hold = f"/api/v1/projects/{code}/kickoff/hold/"
    assert _statuses([None, outsider, team.tech_lead, team.business_lead], "post", hold) == [
        401,
        404,
        403,
        403,
    ]
    assert KickoffMeeting.objects.get(project=team.project).status == "scheduled"
    assert _statuses([pmo], "post", hold) == [200]
