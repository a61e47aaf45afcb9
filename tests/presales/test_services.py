"""Assessment lifecycle and quote rules, through the services the UI and API share."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent, Notification
from projects.core.models import Risk, Stage
from projects.presales import services as presales
from projects.presales.models import FeasibilityAssessment, Quote
from tests import factories
from tests.presales.factories import ASSESSMENT_DATA, QUOTE_DATA, cast

pytestmark = pytest.mark.django_db
S = FeasibilityAssessment.Status


@pytest.fixture
def c():
    return cast()


def approved(c, **data):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data={**ASSESSMENT_DATA, **data})
    presales.submit_assessment(a.pk, by=c.engineering_pm)
    return presales.approve_assessment(a.pk, by=c.director)


# ---------------------------------------------------------------- who writes assessments
@pytest.mark.parametrize(
    "who, allowed",
    [
        ("engineering_pm", True),
        ("director", True),
        ("tech_lead", True),
        ("engineering_member", True),
        ("business_pm", False),
        ("business_member", False),
        ("finance", False),
        ("outsider_eng", False),
    ],
)
def test_only_engineering_on_the_project_writes_assessments(c, who, allowed):
    user = getattr(c, who)
    if allowed:
        a = presales.create_assessment(c.project, by=user, data=ASSESSMENT_DATA)
        assert a.version == 1 and a.status == S.DRAFT and a.author == user
    else:
        with pytest.raises(PermissionDenied):
            presales.create_assessment(c.project, by=user, data=ASSESSMENT_DATA)
        assert not FeasibilityAssessment.objects.exists()


def test_pmo_does_not_write_assessments(c, pmo):
    with pytest.raises(PermissionDenied):
        presales.create_assessment(c.project, by=pmo, data=ASSESSMENT_DATA)


def test_total_is_computed_and_stored(c):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    a.refresh_from_db()
    assert a.total_cost == Decimal("750000.00")
    a = presales.update_assessment(a.pk, by=c.engineering_pm, data={"labour_cost": "250000"})
    a.refresh_from_db()
    assert a.total_cost == Decimal("800000.00")


def test_bad_input_is_a_validation_error(c):
    with pytest.raises(ValidationError) as err:
        presales.create_assessment(
            c.project, by=c.engineering_pm, data={**ASSESSMENT_DATA, "estimated_duration_days": 0}
        )
    assert "estimated_duration_days" in err.value.message_dict


def test_assessments_only_during_the_bid(c):
    c.project.stage = Stage.CONTRACTED
    c.project.save()
    with pytest.raises(Conflict):
        presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)


# ---------------------------------------------------------------- submit, approve, return
def test_submit_notifies_the_engineering_director(c):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(a.pk, by=c.engineering_pm)
    a.refresh_from_db()
    assert a.status == S.SUBMITTED and a.submitted_at
    assert list(Notification.objects.values_list("user", "kind")) == [
        (c.director.pk, "feasibility.submitted")
    ]


@pytest.mark.parametrize("who", ["engineering_pm", "tech_lead", "business_pm", "outsider_eng"])
def test_only_the_engineering_director_approves(c, who):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(a.pk, by=c.engineering_pm)
    with pytest.raises(PermissionDenied):
        presales.approve_assessment(a.pk, by=getattr(c, who))
    a.refresh_from_db()
    assert a.status == S.SUBMITTED


def test_pmo_cannot_approve_an_assessment(c, pmo):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(a.pk, by=c.engineering_pm)
    with pytest.raises(PermissionDenied):
        presales.approve_assessment(a.pk, by=pmo)


def test_approval_notifies_author_and_business_pm_and_is_audited(c):
    a = approved(c)
    assert a.status == S.APPROVED and a.decided_by == c.director
    users = set(
        Notification.objects.filter(kind="feasibility.decided").values_list("user", flat=True)
    )
    assert users == {c.engineering_pm.pk, c.business_pm.pk}
    assert list(
        AuditEvent.objects.filter(target_id=str(a.pk), target_type="projects.feasibilityassessment")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["feasibility.created", "feasibility.submitted", "feasibility.approved"]


def test_approving_a_draft_is_a_conflict(c):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    with pytest.raises(Conflict):
        presales.approve_assessment(a.pk, by=c.director)


def test_return_needs_a_reason(c):
    a = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(a.pk, by=c.engineering_pm)
    with pytest.raises(ValidationError):
        presales.return_assessment(a.pk, by=c.director, reason="  ")
    a.refresh_from_db()
    assert a.status == S.SUBMITTED


def test_resubmitting_a_returned_assessment_creates_a_new_version(c):
    v1 = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(v1.pk, by=c.engineering_pm)
    presales.return_assessment(v1.pk, by=c.director, reason="材料单价偏低")
    notified = set(
        Notification.objects.filter(kind="feasibility.decided").values_list("user", flat=True)
    )
    assert notified == {c.engineering_pm.pk, c.business_pm.pk}

    v2 = presales.update_assessment(v1.pk, by=c.tech_lead, data={"materials_cost": "400000"})
    assert (v2.version, v2.status, v2.based_on_id) == (2, S.DRAFT, v1.pk)
    v1.refresh_from_db()
    assert (v1.status, v1.materials_cost, v1.return_reason) == (
        S.RETURNED,
        Decimal("300000.00"),
        "材料单价偏低",
    )
    with pytest.raises(Conflict):  # the returned version is read-only history now
        presales.update_assessment(v1.pk, by=c.tech_lead, data={"materials_cost": "1"})
    presales.submit_assessment(v2.pk, by=c.tech_lead)
    presales.approve_assessment(v2.pk, by=c.director)
    assert list(c.project.feasibility_assessments.values_list("version", "status")) == [
        (2, S.APPROVED),
        (1, S.RETURNED),
    ]


def test_submit_on_a_returned_version_resubmits_as_next_version(c):
    v1 = presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    presales.submit_assessment(v1.pk, by=c.engineering_pm)
    presales.return_assessment(v1.pk, by=c.director, reason="补充分包报价")
    v2 = presales.submit_assessment(v1.pk, by=c.engineering_pm)
    assert (v2.version, v2.status) == (2, S.SUBMITTED)
    v1.refresh_from_db()
    assert v1.status == S.RETURNED


def test_approving_a_newer_version_supersedes_the_older(c):
    v1 = approved(c)
    v2 = approved(c, labour_cost="300000")
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (S.SUPERSEDED, S.APPROVED)
    assert c.project.feasibility_assessments.filter(status=S.APPROVED).count() == 1


def test_only_one_open_version_at_a_time(c):
    presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)
    with pytest.raises(Conflict):
        presales.create_assessment(c.project, by=c.engineering_pm, data=ASSESSMENT_DATA)


def test_key_risks_are_copied_into_the_risk_register_once(c):
    a = approved(c)
    (risk,) = presales.copy_risks_to_register(a.pk, by=c.engineering_pm)
    assert (risk.title, risk.category, risk.probability, risk.impact) == (
        "进口PLC交期",
        Risk.Category.TECHNICAL,
        3,
        4,
    )
    with pytest.raises(Conflict):
        presales.copy_risks_to_register(a.pk, by=c.engineering_pm)
    assert Risk.objects.filter(project=c.project).count() == 1


# ---------------------------------------------------------------- quote
@pytest.mark.parametrize(
    "who, allowed",
    [
        ("business_pm", True),
        ("business_member", True),
        ("engineering_pm", False),
        ("director", False),
        ("finance", False),
        ("outsider_biz", False),
    ],
)
def test_only_business_on_the_project_writes_the_quote(c, who, allowed):
    approved(c)
    user = getattr(c, who)
    if allowed:
        quote, outcome = presales.put_quote(c.project, by=user, data=QUOTE_DATA)
        assert outcome == "created" and quote.author == user
    else:
        with pytest.raises(PermissionDenied):
            presales.put_quote(c.project, by=user, data=QUOTE_DATA)
        assert not Quote.objects.exists()


def test_business_lead_writes_the_quote(c):
    lead = factories.business_user()
    factories.MembershipFactory(project=c.project, user=lead, role="business_lead")
    _quote, outcome = presales.put_quote(c.project, by=lead, data=QUOTE_DATA)
    assert outcome == "created"


def test_put_quote_replaces_and_keeps_history(c):
    a = approved(c)
    q1, _ = presales.put_quote(c.project, by=c.business_pm, data=QUOTE_DATA)
    assert q1.assessment == a  # defaults to the current approved assessment
    same, outcome = presales.put_quote(c.project, by=c.business_pm, data=QUOTE_DATA)
    assert (same.pk, outcome) == (q1.pk, "unchanged")
    q2, outcome = presales.put_quote(
        c.project,
        by=c.business_pm,
        data={**QUOTE_DATA, "promised_delivery_date": datetime.date(2026, 11, 30)},
    )
    assert outcome == "updated" and q2.revision == 2
    assert list(Quote.objects.order_by("revision").values_list("revision", "is_current")) == [
        (1, False),
        (2, True),
    ]
    assert AuditEvent.objects.filter(action="quote.saved").count() == 2


def test_quote_cannot_cite_another_projects_assessment(c):
    other = factories.ProjectFactory()
    from tests.presales.factories import AssessmentFactory

    foreign = AssessmentFactory(project=other)
    with pytest.raises(ValidationError):
        presales.put_quote(
            c.project, by=c.business_pm, data={**QUOTE_DATA, "assessment": foreign.pk}
        )
