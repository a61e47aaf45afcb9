"""Gate opportunity → contracted: key projects need a backed promise; PMO may override."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.core.exceptions import GateRefused
from coordination.core.models import AuditEvent
from projects.core.models import Stage, StageTransition
from projects.core.services import transition_project
from projects.presales import promise_gaps as pg
from tests.presales.factories import AssessmentFactory, QuoteFactory, cast

pytestmark = pytest.mark.django_db


def contracted(project) -> bool:
    # Another app's on-enter hook may move a contracted project straight on to handover.
    return StageTransition.objects.filter(
        project=project, from_stage=Stage.OPPORTUNITY, to_stage=Stage.CONTRACTED
    ).exists()


def thin_margin(c):
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a, quoted_price=Decimal("780000"))


def test_key_project_with_a_backed_quote_is_contracted():
    c = cast(is_key_project=True)
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a)
    project = transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert contracted(project)


def test_key_project_without_approved_assessment_is_refused():
    c = cast(is_key_project=True)
    with pytest.raises(GateRefused) as refused:
        transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert refused.value.unmet == [
        "尚无已批准的工程可行性评估。",
        "尚无业务报价。",
    ]
    c.project.refresh_from_db()
    assert c.project.stage == Stage.OPPORTUNITY


def test_key_project_with_an_open_gap_is_refused_with_its_message():
    c = cast(is_key_project=True)
    thin_margin(c)
    with pytest.raises(GateRefused) as refused:
        transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert [g.message for g in pg.promise_gaps(c.project)] == refused.value.unmet
    assert "毛利率" in refused.value.unmet[0]


def test_non_key_project_shows_gaps_but_is_not_blocked():
    c = cast(is_key_project=False)
    thin_margin(c)
    assert pg.promise_gaps(c.project)
    project = transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.business_pm)
    assert contracted(project)


def test_pmo_overrides_with_a_written_reason_and_it_is_audited(pmo):
    c = cast(is_key_project=True)
    thin_margin(c)
    project = transition_project(
        c.project.pk, to=Stage.CONTRACTED, by=pmo, reason="战略客户，总经理批准", override=True
    )
    assert contracted(project)
    log = StageTransition.objects.get(project=project, to_stage=Stage.CONTRACTED)
    assert log.overridden and "毛利率" in log.overridden[0]
    event = AuditEvent.objects.get(action="project.stage_override", project_code=project.code)
    assert event.reason == "战略客户，总经理批准"
    assert event.after["overridden"] == log.overridden


def test_pmo_override_without_reason_is_refused(pmo):
    c = cast(is_key_project=True)
    thin_margin(c)
    with pytest.raises(ValidationError):
        transition_project(c.project.pk, to=Stage.CONTRACTED, by=pmo, reason="", override=True)
    c.project.refresh_from_db()
    assert c.project.stage == Stage.OPPORTUNITY


def test_pmo_without_override_flag_is_refused(pmo):
    c = cast(is_key_project=True)
    thin_margin(c)
    with pytest.raises(GateRefused):
        transition_project(c.project.pk, to=Stage.CONTRACTED, by=pmo, reason="x")


def test_non_pmo_cannot_override():
    c = cast(is_key_project=True)
    thin_margin(c)
    with pytest.raises(GateRefused):
        transition_project(
            c.project.pk, to=Stage.CONTRACTED, by=c.business_pm, reason="客户急", override=True
        )
    c.project.refresh_from_db()
    assert c.project.stage == Stage.OPPORTUNITY
    assert not AuditEvent.objects.filter(action="project.stage_override").exists()


def test_outsider_cannot_even_try():
    c = cast(is_key_project=True)
    with pytest.raises(PermissionDenied):
        transition_project(c.project.pk, to=Stage.CONTRACTED, by=c.outsider_biz)
