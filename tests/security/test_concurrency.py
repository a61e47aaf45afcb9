"""Many threads, each with its own PostgreSQL connection, hit one state change at once:
exactly one outcome each. (Change-request decisions: tests/changes/test_concurrency.py;
ERP project upserts and Idempotency-Key: tests/erp/test_concurrency.py.)"""

from __future__ import annotations

import pytest

from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent
from coordination.kickoff import services as kickoff
from coordination.kickoff.models import Signature
from projects.core import services
from projects.core.models import Customer, Project, StageTransition
from tests import factories
from tests.concurrency import together
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db(transaction=True)
N = 8


def test_n_threads_moving_one_project_make_exactly_one_transition():
    project = factories.ProjectFactory(stage="execution")
    pmo = factories.pmo_user()
    results = together(
        [
            lambda: services.transition_project(project.pk, to="on_hold", by=pmo, reason="停工")
            for _ in range(N)
        ]
    )
    moved = [r for r in results if isinstance(r, Project)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(moved) == 1 and len(refused) == N - 1, results
    assert StageTransition.objects.filter(project=project).count() == 1
    assert (
        AuditEvent.objects.filter(action="project.stage_changed", project_code=project.code).count()
        == 1
    )
    project.refresh_from_db()
    assert project.stage == "on_hold" and project.stage_before_hold == "execution"


def test_two_different_moves_at_once_leave_one_consistent_stage():
    project = factories.ProjectFactory(stage="execution")
    pmo = factories.pmo_user()
    results = together(
        [
            lambda: services.transition_project(project.pk, to="on_hold", by=pmo, reason="停工"),
            lambda: services.transition_project(project.pk, to="cancelled", by=pmo, reason="撤单"),
        ]
    )
    assert sum(isinstance(r, Project) for r in results) >= 1, results
    assert not [r for r in results if not isinstance(r, Project | Conflict)], results
    rows = list(StageTransition.objects.filter(project=project).order_by("id"))
    project.refresh_from_db()
    # every row chains from the previous one and the last one is the stage we see
    assert rows[0].from_stage == "execution"
    for a, b in zip(rows, rows[1:], strict=False):
        assert b.from_stage == a.to_stage
    assert rows[-1].to_stage == project.stage


def test_one_signatory_signing_n_times_at_once_gives_one_signature():
    team = Team()
    commitment = team.hold()
    results = together(
        [lambda: kickoff.sign_commitment(commitment.pk, by=team.business_pm) for _ in range(N)]
    )
    assert all(isinstance(r, Signature) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Signature.objects.filter(commitment=commitment, signer=team.business_pm).count() == 1


def test_every_signatory_at_once_signs_the_commitment_exactly_once():
    team = Team()
    commitment = team.hold()
    calls = [
        (lambda u=user: kickoff.sign_commitment(commitment.pk, by=u))
        for user in team.signatories
        for _ in range(2)
    ]
    results = together(calls)
    assert all(isinstance(r, Signature) for r in results), results
    commitment.refresh_from_db()
    assert commitment.status == "signed"
    assert Signature.objects.filter(commitment=commitment).count() == len(team.signatories)
    assert AuditEvent.objects.filter(action="commitment.signed").count() == 1


def test_n_identical_customer_upserts_give_one_row():
    pmo = factories.pmo_user()
    data = {"name": "南京地铁集团有限公司", "contact_name": "张伟"}
    results = together(
        [
            lambda: services.upsert_customer_by_erp_id("C-RACE-1", by=pmo, data=dict(data))
            for _ in range(N)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(outcome for _c, outcome in results).count("created") == 1
    assert Customer.objects.filter(erp_id="C-RACE-1").count() == 1
    assert AuditEvent.objects.filter(action__startswith="customer.").count() == 1
