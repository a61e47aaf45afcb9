"""Every transition of a change request and every refusal, through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.core.exceptions import Conflict
from coordination.core.models import AuditEvent, Notification
from projects.changes import services as changes
from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange
from projects.core.models import Milestone, Project
from tests import factories
from tests.changes import factories as f

pytestmark = pytest.mark.django_db
S = ChangeRequest.Status


@pytest.fixture
def c():
    return f.cast()


def test_numbers_are_per_project(c):
    first, second = f.draft(c), f.draft(c)
    other = f.cast()
    assert (first.number, second.number) == ("CR-001", "CR-002")
    assert f.draft(other).number == "CR-001"
    assert first.status == S.DRAFT and first.requested_by == c.biz_pm
    assert list(first.affected_milestones.all()) == [c.milestone]


def test_non_member_cannot_create_and_closed_project_refuses(c):
    with pytest.raises(PermissionDenied):
        f.draft(c, by=factories.business_user())
    closed = f.cast(stage="closed")
    with pytest.raises(Conflict):
        f.draft(closed)


def test_milestones_of_another_project_are_refused(c):
    foreign = factories.MilestoneFactory()
    with pytest.raises(ValidationError) as exc:
        f.draft(c, affected_milestones=[foreign.pk])
    assert "affected_milestones" in exc.value.error_dict


def test_edit_only_in_draft(c):
    cr = f.draft(c)
    cr = changes.update_change_request(cr.pk, by=c.biz_pm, data={"title": "新标题"})
    assert cr.title == "新标题"
    with pytest.raises(PermissionDenied):
        changes.update_change_request(cr.pk, by=c.tech_lead, data={"title": "x"})
    changes.submit_change_request(cr.pk, by=c.biz_pm)
    with pytest.raises(Conflict):
        changes.update_change_request(cr.pk, by=c.biz_pm, data={"title": "再改"})
    assert ChangeRequest.objects.get(pk=cr.pk).title == "新标题"


def test_submit_notifies_engineering_and_records_time(c):
    cr = f.submitted(c)
    assert cr.status == S.SUBMITTED and cr.submitted_at is not None
    notified = set(
        Notification.objects.filter(kind="change_request.submitted").values_list("user", flat=True)
    )
    assert {c.eng_pm.pk, c.eng_director.pk, c.tech_lead.pk} <= notified
    with pytest.raises(Conflict):
        changes.submit_change_request(cr.pk, by=c.biz_pm)


def test_decision_needs_the_assessment_first(c):
    cr = f.submitted(c)
    with pytest.raises(Conflict) as exc:
        changes.approve_change_request(cr.pk, by=c.biz_lead)
    assert exc.value.unmet
    assert not ChangeDecision.objects.exists()


def test_only_engineering_assesses_and_input_is_checked(c):
    cr = f.submitted(c)
    with pytest.raises(PermissionDenied):
        changes.assess_change_request(
            cr.pk, by=c.biz_pm, data={"effort_days": "3", "assessment_risks": "x"}
        )
    with pytest.raises(ValidationError) as exc:
        changes.assess_change_request(cr.pk, by=c.eng_pm, data={"effort_days": ""})
    assert {"effort_days", "assessment_risks"} <= set(exc.value.error_dict)
    cr = changes.assess_change_request(
        cr.pk,
        by=c.tech_lead,
        data={"effort_days": "5", "assessment_risks": "停线风险", "schedule_impact_days": 21},
    )
    assert (cr.status, cr.effort_days, cr.schedule_impact_days) == (S.ASSESSED, Decimal("5"), 21)
    assert cr.assessed_by == c.tech_lead
    notified = set(
        Notification.objects.filter(kind="change_request.awaiting_decision").values_list(
            "user", flat=True
        )
    )
    # the business PM asked for it: the business lead decides for business
    assert notified == {c.biz_lead.pk, c.eng_pm.pk, c.eng_director.pk}


def test_dual_approval_moves_forecasts_keeps_baselines_and_records_history(c):
    cr = f.assessed(c)
    cr = changes.approve_change_request(cr.pk, by=c.biz_lead, comment="同意")
    assert cr.status == S.ASSESSED  # engineering still to decide
    project = Project.objects.get(pk=c.project.pk)
    assert project.forecast_end == datetime.date(2026, 12, 31)
    cr = changes.approve_change_request(cr.pk, by=c.eng_director)
    assert cr.status == S.APPROVED and cr.decided_at is not None
    project = Project.objects.get(pk=c.project.pk)
    # 14 working days after 2026-12-31 (2027: Monday to Friday, no statutory data yet)
    assert project.forecast_end == datetime.date(2027, 1, 20)
    assert project.planned_end == datetime.date(2026, 12, 31)
    assert project.forecast_budget == Decimal("850000.00")
    assert project.baseline_budget == Decimal("800000.00")
    ms = Milestone.objects.get(pk=c.milestone.pk)
    assert ms.forecast_date == datetime.date(2026, 7, 30)  # 14 working days after 07-10
    assert ms.baseline_date == datetime.date(2026, 6, 30)
    untouched = Milestone.objects.get(pk=c.other_milestone.pk)
    assert untouched.forecast_date == untouched.baseline_date
    history = MilestoneChange.objects.get()
    assert (history.milestone_id, history.change_request_id) == (c.milestone.pk, cr.pk)
    assert (history.old_forecast, history.new_forecast) == (
        datetime.date(2026, 7, 10),
        datetime.date(2026, 7, 30),
    )
    assert {d.department for d in cr.decisions.all()} == {"business", "engineering"}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"change_request.approve", "change_request.decided", "project.forecast_changed"} <= (
        actions
    )
    requester_note = Notification.objects.get(kind="change_request.decided")
    assert requester_note.user == c.biz_pm


def test_negative_impacts_move_forecasts_earlier(c):
    cr = f.approved(c, cost_impact=Decimal("-20000"), schedule_impact_days=-10)
    project = Project.objects.get(pk=c.project.pk)
    assert project.forecast_end == datetime.date(2026, 12, 17)  # 10 working days earlier
    assert project.forecast_budget == Decimal("780000.00")
    assert cr.status == S.APPROVED


def test_finance_must_approve_above_the_threshold(c, settings):
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    cr = f.assessed(c, cost_impact=Decimal("-150000"))  # |−150 000| > threshold
    assert changes.required_departments(cr) == ["business", "engineering", "finance"]
    changes.approve_change_request(cr.pk, by=c.biz_lead)
    cr = changes.approve_change_request(cr.pk, by=c.eng_pm)
    assert cr.status == S.ASSESSED
    cr = changes.approve_change_request(cr.pk, by=c.finance)
    assert cr.status == S.APPROVED


def test_at_the_threshold_finance_is_not_asked(c, settings):
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    cr = f.assessed(c, cost_impact=Decimal("100000"))
    with pytest.raises(PermissionDenied):
        changes.approve_change_request(cr.pk, by=c.finance)
    changes.approve_change_request(cr.pk, by=c.biz_lead)
    assert changes.approve_change_request(cr.pk, by=c.eng_pm).status == S.APPROVED


@pytest.mark.parametrize("rejecter", ["biz_lead", "eng_director", "finance"])
def test_any_rejection_rejects_and_leaves_forecasts(c, settings, rejecter):
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "1000"
    cr = f.assessed(c)
    changes.approve_change_request(cr.pk, by=c.eng_pm)
    if rejecter == "eng_director":
        changes.approve_change_request(cr.pk, by=c.biz_lead)
        with pytest.raises(Conflict):  # engineering already decided
            changes.reject_change_request(cr.pk, by=c.eng_director, comment="不可行")
        cr = changes.reject_change_request(cr.pk, by=c.finance, comment="超预算")
    else:
        cr = changes.reject_change_request(cr.pk, by=getattr(c, rejecter), comment="不同意")
    assert cr.status == S.REJECTED and cr.decided_at is not None
    project = Project.objects.get(pk=c.project.pk)
    assert (project.forecast_end, project.forecast_budget) == (
        datetime.date(2026, 12, 31),
        Decimal("800000.00"),
    )
    assert not MilestoneChange.objects.exists()
    with pytest.raises(Conflict):
        changes.approve_change_request(cr.pk, by=c.biz_lead)


def test_reject_needs_a_comment(c):
    cr = f.assessed(c)
    with pytest.raises(ValidationError):
        changes.reject_change_request(cr.pk, by=c.biz_lead, comment=" ")
    assert not ChangeDecision.objects.exists()


def test_pmo_and_others_never_decide_for_a_department(c):
    cr = f.assessed(c)
    for user in (c.pmo, c.tech_lead, c.member, factories.business_user()):
        with pytest.raises(PermissionDenied):
            changes.approve_change_request(cr.pk, by=user)
    # a PMO user who is also a PM on the project still may not decide
    pmo_pm = f.cast(business_pm=factories.pmo_user())
    cr2 = f.assessed(pmo_pm)
    with pytest.raises(PermissionDenied):
        changes.approve_change_request(cr2.pk, by=pmo_pm.biz_pm)
    assert not ChangeDecision.objects.exists()


def test_a_department_decides_once(c):
    second_lead = factories.business_user()
    factories.MembershipFactory(project=c.project, user=second_lead, role="business_lead")
    cr = f.assessed(c)
    changes.approve_change_request(cr.pk, by=c.biz_lead)
    with pytest.raises(Conflict):
        changes.approve_change_request(cr.pk, by=second_lead)
    assert ChangeDecision.objects.count() == 1


def test_two_department_user_must_name_the_department(c):
    both = factories.business_user()
    factories.MembershipFactory(project=c.project, user=both, role="business_lead")
    factories.MembershipFactory(project=c.project, user=both, role="engineering_director")
    cr = f.assessed(c)
    with pytest.raises(ValidationError) as exc:
        changes.approve_change_request(cr.pk, by=both)
    assert "department" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        changes.approve_change_request(cr.pk, by=both, department="finance")
    changes.approve_change_request(cr.pk, by=both, department="engineering")
    cr = changes.approve_change_request(cr.pk, by=both, department="business")
    assert cr.status == S.APPROVED


def test_withdraw_before_decision_only(c):
    cr = f.assessed(c)
    with pytest.raises(PermissionDenied):
        changes.withdraw_change_request(cr.pk, by=c.tech_lead)
    cr = changes.withdraw_change_request(cr.pk, by=c.eng_pm)  # a PM, not the requester
    assert cr.status == S.WITHDRAWN and cr.withdrawn_by == c.eng_pm
    with pytest.raises(Conflict):
        changes.approve_change_request(cr.pk, by=c.biz_lead)
    done = f.approved(c)
    with pytest.raises(Conflict):
        changes.withdraw_change_request(done.pk, by=c.biz_pm)
    draft = f.draft(c, by=c.member)
    assert changes.withdraw_change_request(draft.pk, by=c.member).status == S.WITHDRAWN


def test_implement_after_approval_by_a_pm(c):
    cr = f.assessed(c)
    with pytest.raises(Conflict):
        changes.implement_change_request(cr.pk, by=c.biz_pm)
    f_cr = f.approved(c)
    with pytest.raises(PermissionDenied):
        changes.implement_change_request(f_cr.pk, by=c.eng_director)
    done = changes.implement_change_request(f_cr.pk, by=c.eng_pm)
    assert done.status == S.IMPLEMENTED and done.implemented_by == c.eng_pm
    assert AuditEvent.objects.filter(action="change_request.implemented").count() == 1
    with pytest.raises(Conflict):
        changes.implement_change_request(f_cr.pk, by=c.eng_pm)


def test_decided_event_is_emitted_on_approve_and_reject(c, django_capture_on_commit_callbacks):
    from coordination.core import events

    seen = []
    events.listen("change_request.decided", lambda e, p: seen.append(p))
    with django_capture_on_commit_callbacks(execute=True):
        f.approved(c)
        cr = f.assessed(c)
        changes.reject_change_request(cr.pk, by=c.eng_pm, comment="不做")
    assert [p["status"] for p in seen[-2:]] == ["approved", "rejected"]
    assert seen[-2]["project"] == c.project.code
    assert {d["department"] for d in seen[-2]["decisions"]} == {"business", "engineering"}


def test_execution_to_delivered_gate_lists_open_change_requests(c):
    from projects.core.services import transition_project

    Milestone.objects.filter(project=c.project).update(
        status="done", actual_date=datetime.date(2026, 6, 1)
    )
    f.draft(c)  # a draft is not open
    waiting = f.submitted(c)
    with pytest.raises(Conflict) as exc:
        transition_project(c.project.pk, to="delivered", by=c.biz_pm)
    assert any(waiting.number in u for u in exc.value.unmet)
    assert Project.objects.get(pk=c.project.pk).stage == "execution"
    changes.withdraw_change_request(waiting.pk, by=c.biz_pm)
    done = changes.implement_change_request(f.approved(c).pk, by=c.biz_pm)
    assert done.status == S.IMPLEMENTED
    assert transition_project(c.project.pk, to="delivered", by=c.biz_pm).stage == "delivered"
