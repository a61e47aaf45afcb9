import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from coordination.core import events
from coordination.core.exceptions import Conflict, GateRefused
from coordination.core.models import AuditEvent, Notification
from coordination.kickoff import document as doc
from coordination.kickoff import services as kickoff
from coordination.kickoff.models import (
    CollaborationCommitment,
    CommitmentContentLocked,
    KickoffMeeting,
    Signature,
)
from coordination.kickoff.verification import verify_commitment
from projects.core import services as project_services
from projects.core.models import Stage
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- hashing
def test_canonical_json_is_stable_whatever_the_key_order():
    a = {"b": 1, "a": {"y": [1, 2], "x": "中文"}}
    b = {"a": {"x": "中文", "y": [1, 2]}, "b": 1}
    assert doc.canonical_json(a) == doc.canonical_json(b) == '{"a":{"x":"中文","y":[1,2]},"b":1}'
    assert doc.content_hash(doc.canonical_json(a)) == doc.content_hash(doc.canonical_json(b))
    assert len(doc.content_hash("x")) == 64


def test_regenerating_the_same_record_gives_the_same_hash():
    team = Team()
    commitment = team.hold()
    content = doc.build_content(
        commitment.meeting,
        [(u, s["role"]) for u, s in zip(team.signatories, commitment.required_signatories)],
        commitment.version,
    )
    assert doc.content_hash(doc.canonical_json(content)) == commitment.content_hash


# ---------------------------------------------------------------- hold and content
def test_holding_the_meeting_opens_a_commitment_with_the_record():
    team = Team()
    commitment = team.hold()

    assert commitment.status == CollaborationCommitment.Status.OPEN
    assert commitment.version == 1
    content = commitment.content
    assert content["project"]["code"] == team.project.code
    assert content["customer_core_needs"] == "2026年6月前投产"
    assert content["milestones"][0]["name"] == "设备到场"
    assert content["milestones"][0]["baseline_date"] == "2026-05-31"
    assert content["risks"][0]["mitigation"] == "提前锁价"
    assert [r["area"] for r in content["responsibilities"]] == ["客户沟通", "施工组织"]
    assert [s["role"] for s in content["signatories"]] == [
        "business_pm",
        "engineering_pm",
        "business_lead",
        "engineering_director",
        "finance_rep",
    ]
    assert "项目协同承诺书" in commitment.text_zh and "设备到场" in commitment.text_zh
    assert "Project Collaboration Commitment" in commitment.text_en
    assert commitment.content_hash == doc.content_hash(commitment.canonical_content)
    assert KickoffMeeting.objects.get(project=team.project).status == "held"
    assert Notification.objects.filter(user=team.finance_rep, kind="commitment.open").exists()


def test_finance_rep_is_required_only_when_the_project_has_one():
    team = Team(finance=False)
    roles = [s["role"] for s in team.hold().required_signatories]
    assert "finance_rep" not in roles and len(roles) == 4


def test_required_roles_come_from_settings(settings):
    settings.COMMITMENT_REQUIRED_SIGNATORY_ROLES = ["business_pm", "engineering_pm"]
    team = Team(finance=False)
    assert [s["role"] for s in team.hold().required_signatories] == [
        "business_pm",
        "engineering_pm",
    ]


def test_scheduling_prefills_needs_and_standards_from_the_project():
    team = Team()
    team.project.customer_core_needs = "稳定供电"
    team.project.expected_standards = "99.9%可用"
    team.project.save()
    meeting = kickoff.schedule_kickoff(
        team.project,
        by=team.business_pm,
        data={"scheduled_at": datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)},
    )
    assert (meeting.customer_core_needs, meeting.expected_standards) == ("稳定供电", "99.9%可用")
    assert meeting.chair == team.project.primary_pm
    assert {a.role for a in meeting.attendees.all()} == {"business_pm", "engineering_pm"}


def test_the_chair_must_be_a_pm_of_the_project():
    team = Team()
    with pytest.raises(ValidationError) as refused:
        team.schedule(chair=team.business_lead)
    assert "chair" in refused.value.message_dict


def test_hold_needs_both_pms_attending():
    team = Team()
    rows = team.attendees()
    rows[1]["attended"] = False
    team.schedule(attendees=rows)
    with pytest.raises(Conflict) as refused:
        kickoff.hold_kickoff(team.project, by=team.business_pm)
    assert refused.value.unmet == ["工程项目经理未出席"]
    assert not CollaborationCommitment.objects.exists()


def test_hold_refuses_without_attendance_and_twice():
    team = Team()
    team.schedule(attendees=[{"user": team.business_pm, "role": "business_pm"}])
    with pytest.raises(Conflict) as refused:
        kickoff.hold_kickoff(team.project, by=team.business_pm)
    assert "尚未记录出席情况" in refused.value.unmet
    kickoff.update_kickoff(team.project, by=team.business_pm, data={"attendees": team.attendees()})
    kickoff.hold_kickoff(team.project, by=team.business_pm)
    with pytest.raises(Conflict):
        kickoff.hold_kickoff(team.project, by=team.business_pm)


def test_only_pms_or_pmo_hold_the_meeting():
    team = Team()
    team.schedule()
    with pytest.raises(PermissionDenied):
        kickoff.hold_kickoff(team.project, by=team.business_lead)


# ---------------------------------------------------------------- signing
def test_only_a_signatory_signs_and_only_for_themself():
    team = Team()
    commitment = team.hold()
    with pytest.raises(PermissionDenied):
        kickoff.sign_commitment(commitment.pk, by=team.tech_lead)
    with pytest.raises(PermissionDenied):
        kickoff.sign_commitment(commitment.pk, by=factories.pmo_user())
    signature = kickoff.sign_commitment(commitment.pk, by=team.business_lead)
    assert signature.signer == team.business_lead  # the caller, never someone else
    assert signature.role == "business_lead"
    assert signature.department == "business"
    assert signature.content_hash == commitment.content_hash
    assert signature.key_id == doc.key_fingerprint(doc.settings.COMMITMENT_SIGNING_KEY)


def test_signing_twice_returns_the_same_signature():
    team = Team()
    commitment = team.hold()
    first = kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    again = kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    assert first.pk == again.pk and first.hmac == again.hmac
    assert Signature.objects.filter(commitment=commitment).count() == 1


def test_fully_signed_commits_the_milestones_and_announces_it(django_capture_on_commit_callbacks):
    team = Team()
    commitment = team.hold()
    heard = []
    events.listen("commitment.signed", lambda event, payload: heard.append(payload))

    with django_capture_on_commit_callbacks(execute=True):
        commitment = team.sign_all(commitment)

    assert commitment.status == CollaborationCommitment.Status.SIGNED
    assert commitment.signed_at is not None
    team.milestone.refresh_from_db()
    assert team.milestone.is_committed
    assert heard[-1]["project"] == team.project.code and len(heard[-1]["signatures"]) == 5
    for pm in (team.business_pm, team.engineering_pm):
        assert Notification.objects.filter(user=pm, kind="commitment.signed").exists()
    assert AuditEvent.objects.filter(action="commitment.signed", project_code=team.project.code)


def test_a_superseded_commitment_cannot_be_signed():
    team = Team()
    v1 = team.hold()
    kickoff.sign_commitment(v1.pk, by=team.business_pm)
    v2 = kickoff.amend_commitment(v1.pk, by=team.business_pm, reason="客户调整")
    with pytest.raises(Conflict):
        kickoff.sign_commitment(v1.pk, by=team.engineering_pm)
    assert kickoff.sign_commitment(v2.pk, by=team.engineering_pm).commitment_id == v2.pk


def test_a_draft_cannot_be_signed():
    team = Team()
    commitment = team.hold()
    with connection.cursor() as cursor:  # the trigger refuses open → draft: switch it off
        cursor.execute("SET LOCAL session_replication_role = replica")
        CollaborationCommitment.objects.filter(pk=commitment.pk).update(status="draft")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(Conflict):
        kickoff.sign_commitment(commitment.pk, by=team.business_pm)


# ---------------------------------------------------------------- immutability
def test_the_service_refuses_to_change_content_once_someone_signed():
    team = Team()
    commitment = team.hold()
    kickoff.update_kickoff(team.project, by=team.business_pm, data={"location": "线上会议"})
    commitment.refresh_from_db()
    assert commitment.content["meeting"]["location"] == "线上会议"  # nobody signed: regenerated

    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    before = commitment.content_hash
    with pytest.raises(Conflict):
        kickoff.update_kickoff(team.project, by=team.business_pm, data={"location": "别处"})
    commitment.refresh_from_db()
    assert commitment.content_hash == before
    assert KickoffMeeting.objects.get(project=team.project).location == "线上会议"


def test_the_model_refuses_content_changes_after_a_signature():
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    commitment.refresh_from_db()
    commitment.text_zh = "改过的文本"
    with pytest.raises(CommitmentContentLocked):
        commitment.save()
    signature = commitment.signatures.get()
    signature.role = "other"
    with pytest.raises(CommitmentContentLocked):
        signature.save()
    with pytest.raises(CommitmentContentLocked):
        signature.delete()


# ---------------------------------------------------------------- amendment
def test_amendment_is_a_new_version_signed_again():
    team = Team()
    v1 = team.sign_all(team.hold())
    v2 = kickoff.amend_commitment(
        v1.pk,
        by=team.engineering_pm,
        reason="里程碑推迟",
        data={"feasibility_summary": "需延长两周"},
    )
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.version) == ("superseded", "open", 2)
    assert v2.supersedes == v1 and v2.amendment_reason == "里程碑推迟"
    assert v2.content["feasibility_summary"] == "需延长两周"
    assert v1.content["feasibility_summary"] == "工期可行，需提前订货"  # old text kept
    assert v2.signatures.count() == 0
    assert verify_commitment(v1)["valid"]
    with pytest.raises(Conflict):  # only the current version can be amended
        kickoff.amend_commitment(v1.pk, by=team.engineering_pm, reason="again")
    with pytest.raises(ValidationError):
        kickoff.amend_commitment(v2.pk, by=team.engineering_pm, reason="  ")


# ---------------------------------------------------------------- verification and keys
def test_verification_passes_for_an_untouched_commitment():
    team = Team()
    commitment = team.sign_all(team.hold())
    result = verify_commitment(commitment)
    assert result["valid"] and result["problems"] == []
    assert len(result["signatures"]) == 5
    assert all(s["hash_ok"] and s["hmac_ok"] for s in result["signatures"])


def test_key_rotation_keeps_old_signatures_valid(settings):
    settings.COMMITMENT_SIGNING_KEY = "old-key-0123456789"
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)

    settings.COMMITMENT_SIGNING_KEY = "new-key-9876543210"
    settings.COMMITMENT_SIGNING_KEY_FALLBACKS = ["old-key-0123456789"]
    kickoff.sign_commitment(commitment.pk, by=team.engineering_pm)
    result = verify_commitment(commitment)
    assert result["valid"]
    assert {s["key_id"] for s in result["signatures"]} == {
        doc.key_fingerprint("old-key-0123456789"),
        doc.key_fingerprint("new-key-9876543210"),
    }

    settings.COMMITMENT_SIGNING_KEY_FALLBACKS = []  # the old key forgotten: its signature fails
    result = verify_commitment(commitment)
    assert not result["valid"]
    failed = [s["signer"] for s in result["signatures"] if not s["hmac_ok"]]
    assert failed == [team.business_pm.username]


# ---------------------------------------------------------------- the gate
def test_gate_kickoff_to_execution_lists_who_has_not_signed(pmo):
    team = Team()
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(team.project.pk, to=Stage.EXECUTION, by=pmo)
    assert "尚未安排联合启动会" in refused.value.unmet

    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(team.project.pk, to=Stage.EXECUTION, by=pmo)
    unmet = " ".join(refused.value.unmet)
    assert team.business_lead.username in unmet and team.finance_rep.username in unmet
    assert team.business_pm.username not in unmet
    assert len(refused.value.unmet) == 4

    team.sign_all(commitment)
    project = project_services.transition_project(team.project.pk, to=Stage.EXECUTION, by=pmo)
    assert project.stage == Stage.EXECUTION


def test_gate_refuses_again_after_an_amendment_until_resigned(pmo):
    team = Team()
    v1 = team.sign_all(team.hold())
    kickoff.amend_commitment(v1.pk, by=team.business_pm, reason="客户调整")
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(team.project.pk, to=Stage.EXECUTION, by=pmo)
    assert len(refused.value.unmet) == 5
    assert "v2" in refused.value.unmet[0]
