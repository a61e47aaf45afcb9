"""Changes made directly in the database: the trigger refuses them, and when someone bypasses
the trigger anyway, verification names what no longer matches."""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from coordination.kickoff import services as kickoff
from coordination.kickoff.models import CollaborationCommitment, Signature
from coordination.kickoff.verification import verify_commitment
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


def _bypassing_triggers(sql: str, params: list) -> None:
    """What an attacker with database access does: switch triggers off and write."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def signed():
    team = Team()
    commitment = team.sign_all(team.hold())
    return team, commitment


def test_trigger_refuses_content_update_of_a_signed_commitment(signed):
    team, commitment = signed
    with pytest.raises(DatabaseError), transaction.atomic():
        CollaborationCommitment.objects.filter(pk=commitment.pk).update(text_zh="改")
    with pytest.raises(DatabaseError), transaction.atomic():
        CollaborationCommitment.objects.filter(pk=commitment.pk).update(content_hash="0" * 64)
    # status is not content: amendments still supersede it (the only way: test_state_trigger.py)
    kickoff.amend_commitment(commitment.pk, by=team.business_pm, reason="客户调整里程碑")
    commitment.refresh_from_db()
    assert commitment.status == "superseded"


def test_trigger_refuses_signature_update_and_delete(signed):
    _team, commitment = signed
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(commitment=commitment).update(role="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(commitment=commitment)._raw_delete(using="default")
    with pytest.raises(DatabaseError), transaction.atomic():
        CollaborationCommitment.objects.filter(pk=commitment.pk)._raw_delete(using="default")
    assert Signature.objects.filter(commitment=commitment).count() == 5


def test_an_unsigned_commitment_content_may_still_change_in_the_database():
    team = Team()
    commitment = team.hold()
    CollaborationCommitment.objects.filter(pk=commitment.pk).update(text_en="x")
    kickoff.update_kickoff(team.project, by=team.business_pm, data={"risk_plan": "每周复核"})
    commitment.refresh_from_db()
    assert commitment.content["risk_plan"] == "每周复核"


def test_verification_detects_tampered_content(signed):
    _team, commitment = signed
    content = commitment.content
    content["milestones"][0]["baseline_date"] = "2027-12-31"
    forged = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    _bypassing_triggers(
        "UPDATE coordination_collaborationcommitment SET canonical_content = %s WHERE id = %s",
        [forged, commitment.pk],
    )
    commitment.refresh_from_db()
    result = verify_commitment(commitment)
    assert not result["valid"]
    assert result["recomputed_hash"] != result["content_hash"]
    assert any("内容哈希不符" in p for p in result["problems"])
    assert all(not s["hash_ok"] for s in result["signatures"])


def test_verification_detects_content_and_hash_rewritten_together(signed):
    """Rewriting the content with a matching new hash still breaks every signature."""
    from coordination.kickoff.document import content_hash

    _team, commitment = signed
    forged = commitment.canonical_content.replace("2026-05-31", "2027-12-31")
    _bypassing_triggers(
        "UPDATE coordination_collaborationcommitment SET canonical_content = %s,"
        " content_hash = %s WHERE id = %s",
        [forged, content_hash(forged), commitment.pk],
    )
    commitment.refresh_from_db()
    result = verify_commitment(commitment)
    assert not result["valid"]
    assert all(not s["hash_ok"] for s in result["signatures"])
    assert any("文本与规范化内容不一致" in p for p in result["problems"])


def test_verification_detects_a_tampered_signature(signed):
    team, commitment = signed
    sig = commitment.signatures.get(signer=team.business_lead)
    _bypassing_triggers(
        "UPDATE coordination_signature SET signed_at = signed_at - interval '1 day' WHERE id = %s",
        [sig.pk],
    )
    commitment.refresh_from_db()
    result = verify_commitment(commitment)
    assert not result["valid"]
    bad = [s for s in result["signatures"] if not s["hmac_ok"]]
    assert [s["signer"] for s in bad] == [team.business_lead.username]
    assert any(team.business_lead.username in p for p in result["problems"])


def test_verification_detects_a_swapped_signer(signed):
    team, commitment = signed
    intruder = factories.business_user()
    sig = commitment.signatures.get(signer=team.business_lead)
    _bypassing_triggers(
        "UPDATE coordination_signature SET signer_id = %s WHERE id = %s", [intruder.pk, sig.pk]
    )
    commitment.refresh_from_db()
    result = verify_commitment(commitment)
    assert not result["valid"]
    problems = " ".join(result["problems"])
    assert intruder.username in problems
    assert team.business_lead.username in problems  # missing from a "signed" commitment


def test_verification_detects_a_deleted_signature(signed):
    team, commitment = signed
    _bypassing_triggers(
        "DELETE FROM coordination_signature WHERE commitment_id = %s AND signer_id = %s",
        [commitment.pk, team.finance_rep.pk],
    )
    result = verify_commitment(commitment)
    assert not result["valid"]
    assert any(team.finance_rep.username in p for p in result["problems"])
