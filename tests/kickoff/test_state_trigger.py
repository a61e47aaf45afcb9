"""What a DBA's raw SQL cannot do to a commitment's state (migration 0006's triggers): a signed
commitment keeps its status, signing time and signatures; the only moves are the services'."""

import pytest
from django.db import DatabaseError, connection, transaction

from coordination.kickoff import services as kickoff
from coordination.kickoff.models import CollaborationCommitment, Signature
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db

TABLE = "coordination_collaborationcommitment"


def _sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refused(sql: str, params: list, *, at_commit: bool = False) -> None:
    """The statement (or, for a deferred check, the commit it would reach) fails."""
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(sql, params)
        if at_commit:  # what COMMIT runs: the deferred constraint triggers
            _sql("SET CONSTRAINTS ALL IMMEDIATE", [])


@pytest.fixture
def signed():
    team = Team()
    return team, team.sign_all(team.hold())


def _state(commitment_id: int) -> tuple:
    return CollaborationCommitment.objects.filter(pk=commitment_id).values_list(
        "status", "signed_at", "superseded_at"
    )[0]


# ---------------------------------------------------------------- a signed commitment
@pytest.mark.parametrize(
    "assignment",
    [
        "status = 'open', signed_at = NULL",  # the erasure issue #18 measured
        "status = 'open'",
        "status = 'draft', signed_at = NULL",
        "signed_at = NULL",
        "signed_at = signed_at - interval '1 day'",
        "status = 'superseded'",  # without a time (and without a newer version)
    ],
)
def test_a_signed_commitment_keeps_its_status_and_signing_time(signed, assignment):
    _team, commitment = signed
    before = _state(commitment.pk)
    _refused(f"UPDATE {TABLE} SET {assignment} WHERE id = %s", [commitment.pk])
    assert _state(commitment.pk) == before


def test_superseding_without_a_newer_version_is_refused_at_commit(signed):
    _team, commitment = signed
    _refused(
        f"UPDATE {TABLE} SET status = 'superseded', superseded_at = now() WHERE id = %s",
        [commitment.pk],
        at_commit=True,
    )
    assert _state(commitment.pk)[0] == "signed"


def test_no_signature_is_added_removed_or_changed_on_a_signed_commitment(signed):
    team, commitment = signed
    sig = commitment.signatures.get(signer=team.business_lead)
    row = [
        sig.commitment_id,
        team.tech_lead.pk,
        "",
        "tech_lead",
        sig.signed_at,
        sig.content_hash,
        sig.hmac,
        sig.key_id,
    ]
    insert = (
        "INSERT INTO coordination_signature (commitment_id, signer_id, department, role, "
        "signed_at, content_hash, hmac, key_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    _refused(insert, row)
    _refused("DELETE FROM coordination_signature WHERE commitment_id = %s", [commitment.pk])
    _refused("UPDATE coordination_signature SET signer_id = %s WHERE id = %s", [1, sig.pk])
    _refused(
        "UPDATE coordination_signature SET content_hash = %s WHERE id = %s", ["0" * 64, sig.pk]
    )
    _refused(
        "UPDATE coordination_signature SET signed_at = signed_at + interval '1 hour' WHERE id = %s",
        [sig.pk],
    )
    assert Signature.objects.filter(commitment=commitment).count() == len(team.signatories)


# ---------------------------------------------------------------- the other states
def test_a_superseded_commitment_is_final(signed):
    team, commitment = signed
    kickoff.amend_commitment(commitment.pk, by=team.business_pm, reason="客户调整里程碑")
    for assignment in (
        "status = 'signed'",
        "status = 'open', signed_at = NULL",
        "superseded_at = now() - interval '1 day'",
        "signed_at = NULL",
    ):
        _refused(f"UPDATE {TABLE} SET {assignment} WHERE id = %s", [commitment.pk])
    with connection.cursor() as cursor:  # what COMMIT checks: the newer version exists
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _state(commitment.pk)[0] == "superseded"


def test_an_open_commitment_is_signed_only_by_every_signature_at_the_last_ones_time():
    team = Team()
    commitment = team.hold()
    kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    last = Signature.objects.get(commitment=commitment)
    _refused(
        f"UPDATE {TABLE} SET status = 'signed', signed_at = %s WHERE id = %s",
        [last.signed_at, commitment.pk],
    )  # four signatories have not signed
    _refused(
        f"UPDATE {TABLE} SET status = 'open', signed_at = now() WHERE id = %s", [commitment.pk]
    )
    _refused(f"UPDATE {TABLE} SET status = 'draft' WHERE id = %s", [commitment.pk])
    for user in team.signatories[1:]:
        kickoff.sign_commitment(commitment.pk, by=user)
    commitment.refresh_from_db()
    assert commitment.status == "signed"
    last = Signature.objects.filter(commitment=commitment).order_by("-id").first()
    assert commitment.signed_at == last.signed_at


def test_open_to_signed_by_hand_needs_every_signature_and_the_last_ones_time(signed):
    _team, commitment = signed
    last = Signature.objects.filter(commitment=commitment).order_by("-id").first()
    with connection.cursor() as cursor:  # reopened behind the triggers' back
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {TABLE} SET status = 'open', signed_at = NULL WHERE id = %s", [commitment.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    _refused(
        f"UPDATE {TABLE} SET status = 'signed', signed_at = now() WHERE id = %s", [commitment.pk]
    )
    _refused(f"UPDATE {TABLE} SET status = 'signed' WHERE id = %s", [commitment.pk])
    _sql(
        f"UPDATE {TABLE} SET status = 'signed', signed_at = %s WHERE id = %s",
        [last.signed_at, commitment.pk],
    )
    assert _state(commitment.pk)[:2] == ("signed", last.signed_at)


def test_signatures_are_added_only_to_an_open_commitment_by_its_signatories():
    team = Team()
    commitment = team.hold()
    first = kickoff.sign_commitment(commitment.pk, by=team.business_pm)
    insert = (
        "INSERT INTO coordination_signature (commitment_id, signer_id, department, role, "
        "signed_at, content_hash, hmac, key_id) VALUES (%s, %s, '', %s, now(), %s, %s, %s)"
    )
    outsider = factories.business_user()
    for signer, role, digest in (
        (outsider.pk, "business_lead", commitment.content_hash),  # not a signatory
        (team.business_lead.pk, "tech_lead", commitment.content_hash),  # not in that role
        (team.business_lead.pk, "business_lead", "0" * 64),  # not of the content's hash
    ):
        _refused(insert, [commitment.pk, signer, role, digest, first.hmac, first.key_id])
    draft = Team()
    v1 = draft.hold()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"UPDATE {TABLE} SET status = 'draft' WHERE id = %s", [v1.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    _refused(insert, [v1.pk, draft.business_pm.pk, "business_pm", v1.content_hash, "x" * 64, "k"])
    assert Signature.objects.filter(commitment__in=[commitment, v1]).count() == 1


def test_the_services_moves_all_pass_the_triggers_and_the_commit_check(signed):
    """draft → open (hold), open → signed (sign), signed → superseded (amend), open →
    superseded (amend again, unsigned), with the deferred check run as COMMIT would."""
    team, v1 = signed
    v2 = kickoff.amend_commitment(v1.pk, by=team.business_pm, reason="客户调整里程碑")
    v3 = kickoff.amend_commitment(v2.pk, by=team.business_pm, reason="再次调整")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert [
        c.status
        for c in CollaborationCommitment.objects.filter(pk__in=[v1.pk, v2.pk, v3.pk]).order_by(
            "version"
        )
    ] == ["superseded", "superseded", "open"]
