"""Payment milestones: the rules of every write, who may write, and a delivery slip moving
the payments tied to it (and telling both PMs once)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination.core.channels_rule import kind_label
from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.models import AuditEvent, Notification
from projects.changes import services as change_services
from projects.core import services as core_services
from projects.core.models import MemberRole, Milestone, Stage
from projects.payments import services
from projects.payments.models import DueCondition, PaymentMilestone, PaymentStatus
from tests import factories
from tests.changes.factories import ChangeRequestFactory
from tests.payments.factories import PaymentFactory

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def project(db):
    return factories.ProjectFactory(stage=Stage.EXECUTION, contract_value=Decimal("1000000"))


@pytest.fixture
def milestone(project):
    return factories.MilestoneFactory(
        project=project, name="设备到货验收", baseline_date=d(2026, 9, 30)
    )


def _data(milestone, **extra):
    return {
        "name": "到货款 30%",
        "milestone": milestone,
        "amount": Decimal("300000"),
        "due_condition": DueCondition.ACCEPTANCE,
        "days_after": 30,
        **extra,
    }


# ------------------------------------------------------------------ creating and its rules
def test_a_tied_payment_is_due_days_after_the_milestone_and_keeps_its_baseline(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    assert payment.due_date == payment.baseline_due_date == d(2026, 10, 30)
    assert payment.moved_days == 0
    event = AuditEvent.objects.get(action="payment.created")
    assert Decimal(event.after["amount"]) == 300000


def test_a_fixed_date_payment_is_due_on_its_date(project):
    payment = services.create_payment(
        project,
        by=project.business_pm,
        data={
            "name": "预付款",
            "amount": Decimal("100000"),
            "due_condition": DueCondition.FIXED_DATE,
            "fixed_date": d(2026, 3, 1),
        },
    )
    assert payment.due_date == payment.baseline_due_date == d(2026, 3, 1)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_the_amount_must_be_above_zero(project, milestone, amount):
    with pytest.raises(ValidationError) as exc:
        services.create_payment(
            project, by=project.business_pm, data=_data(milestone, amount=amount)
        )
    assert "amount" in exc.value.message_dict
    assert not PaymentMilestone.objects.exists()


def test_the_database_refuses_a_zero_amount_too(project, milestone):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(project=project, milestone=milestone, amount=Decimal("0"))


def test_the_sum_may_not_pass_the_contract_value_and_the_refusal_names_the_numbers(
    project, milestone
):
    services.create_payment(
        project, by=project.business_pm, data=_data(milestone, amount=Decimal("900000"))
    )
    with pytest.raises(ValidationError) as exc:
        services.create_payment(
            project, by=project.business_pm, data=_data(milestone, amount=Decimal("300000"))
        )
    text = exc.value.message_dict["amount"][0]
    assert "1,200,000.00" in text and "1,000,000.00" in text and "200,000.00" in text
    assert PaymentMilestone.objects.count() == 1


def test_editing_a_payment_counts_the_others_without_itself(project, milestone):
    payment = services.create_payment(
        project, by=project.business_pm, data=_data(milestone, amount=Decimal("900000"))
    )
    services.update_payment(payment.pk, by=project.business_pm, data={"amount": Decimal("1e6")})
    payment.refresh_from_db()
    assert payment.amount == Decimal("1000000")


def test_an_acceptance_payment_needs_a_milestone_of_the_project(project, milestone):
    with pytest.raises(ValidationError) as exc:
        services.create_payment(project, by=project.business_pm, data=_data(None))
    assert "milestone" in exc.value.message_dict
    other = factories.MilestoneFactory()
    with pytest.raises(ValidationError) as exc:
        services.create_payment(project, by=project.business_pm, data=_data(other))
    assert "milestone" in exc.value.message_dict


def test_received_needs_invoiced_first_and_not_before_it(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.mark_received(payment.pk, by=project.business_pm, on=today)
    assert "received_on" in exc.value.message_dict
    services.mark_invoiced(payment.pk, by=project.business_pm, on=today)
    with pytest.raises(ValidationError) as exc:
        services.mark_received(
            payment.pk, by=project.business_pm, on=today - datetime.timedelta(days=1)
        )
    assert "不能早于开票日期" in exc.value.message_dict["received_on"][0]
    services.mark_received(payment.pk, by=project.business_pm, on=today)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.RECEIVED
    assert payment.received_on == today


def test_received_amount_is_not_above_the_amount_and_dates_not_in_the_future(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.mark_invoiced(
            payment.pk, by=project.business_pm, on=today + datetime.timedelta(days=1)
        )
    assert "invoiced_on" in exc.value.message_dict
    services.mark_invoiced(payment.pk, by=project.business_pm, on=today)
    with pytest.raises(ValidationError) as exc:
        services.mark_received(
            payment.pk, by=project.business_pm, on=today, amount=Decimal("300000.01")
        )
    assert "received_amount" in exc.value.message_dict


def test_a_received_payment_is_not_deleted_an_open_one_is(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    services.delete_payment(payment.pk, by=project.engineering_pm)
    assert not PaymentMilestone.objects.exists()
    assert AuditEvent.objects.filter(action="payment.deleted").count() == 1
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    today = timezone.localdate()
    services.mark_invoiced(payment.pk, by=project.business_pm, on=today)
    services.mark_received(payment.pk, by=project.business_pm, on=today)
    with pytest.raises(Conflict):
        services.delete_payment(payment.pk, by=project.business_pm)
    assert PaymentMilestone.objects.count() == 1


def test_a_stale_version_changes_nothing(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    services.update_payment(payment.pk, by=project.business_pm, data={"name": "新名"})
    with pytest.raises(StaleWrite):
        services.update_payment(
            payment.pk, by=project.business_pm, data={"name": "旧名"}, expected_version=1
        )
    payment.refresh_from_db()
    assert payment.name == "新名"


def test_editing_the_terms_plans_the_baseline_again(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    services.update_payment(payment.pk, by=project.business_pm, data={"days_after": 45})
    payment.refresh_from_db()
    assert payment.baseline_due_date == payment.due_date == d(2026, 11, 14)


# ------------------------------------------------------------------ who may write
def _people(project):
    return {
        "business_pm": project.business_pm,
        "engineering_pm": project.engineering_pm,
        "business_lead": factories.MembershipFactory(
            project=project, role=MemberRole.BUSINESS_LEAD, user=factories.business_user()
        ).user,
        "finance_rep": factories.MembershipFactory(
            project=project, role=MemberRole.FINANCE_REP, user=factories.finance_user()
        ).user,
        "finance_member": factories.MembershipFactory(
            project=project, role=MemberRole.MEMBER, user=factories.finance_user()
        ).user,
        "pmo": factories.pmo_user(),
        "tech_lead": factories.MembershipFactory(project=project, role=MemberRole.TECH_LEAD).user,
        "member": factories.MembershipFactory(project=project, role=MemberRole.MEMBER).user,
        "non_member": factories.business_user(),
        "finance_elsewhere": factories.finance_user(),
        "executive": factories.executive_user(),
        "executive_pm": None,
    }


ALLOWED = {"business_pm", "engineering_pm", "business_lead", "finance_rep", "finance_member", "pmo"}


def test_the_permission_matrix(project, milestone):
    people = _people(project)
    # an executive named business PM of a project is still read-only
    exec_pm = factories.executive_user()
    other = factories.ProjectFactory(business_pm=exec_pm, contract_value=Decimal("1000000"))
    with pytest.raises(PermissionDenied):
        services.create_payment(
            other, by=exec_pm, data=_data(factories.MilestoneFactory(project=other))
        )
    people.pop("executive_pm")
    allowed = set()
    for who, user in people.items():
        try:
            payment = services.create_payment(
                project, by=user, data=_data(milestone, amount=Decimal("1"))
            )
        except PermissionDenied:
            continue
        allowed.add(who)
        services.update_payment(payment.pk, by=user, data={"name": f"{who}"})
        services.delete_payment(payment.pk, by=user)
    assert allowed == ALLOWED
    kept = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    for who in set(people) - ALLOWED:
        with pytest.raises(PermissionDenied):
            services.mark_invoiced(kept.pk, by=people[who])
        with pytest.raises(PermissionDenied):
            services.delete_payment(kept.pk, by=people[who])
    assert PaymentMilestone.objects.get().invoiced_on is None


def test_a_closed_project_takes_no_payment_changes(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    type(project).objects.filter(pk=project.pk).update(stage=Stage.CLOSED)
    with pytest.raises(Conflict):
        services.update_payment(payment.pk, by=project.business_pm, data={"name": "x"})


# ------------------------------------------------------------------ a delivery slip
def test_a_milestone_slip_moves_the_payment_and_tells_both_pms_once(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    fixed = services.create_payment(
        project,
        by=project.business_pm,
        data={
            "name": "质保金",
            "amount": Decimal("50000"),
            "due_condition": DueCondition.FIXED_DATE,
            "fixed_date": d(2027, 3, 1),
        },
    )
    core_services.update_milestone(
        milestone.pk, by=project.engineering_pm, data={"forecast_date": d(2026, 10, 21)}
    )
    payment.refresh_from_db()
    assert payment.due_date == d(2026, 11, 20)
    assert payment.baseline_due_date == d(2026, 10, 30)
    assert payment.moved_days == 21
    fixed.refresh_from_db()
    assert fixed.due_date == d(2027, 3, 1)  # not tied: does not move
    notes = Notification.objects.filter(kind="payment.moved")
    assert sorted(n.user_id for n in notes) == sorted(
        [project.business_pm_id, project.engineering_pm_id]
    )
    assert "21" in notes[0].body and "设备到货验收" in notes[0].body
    assert kind_label("payment.moved") == "收款节点因交付延误推迟"
    assert AuditEvent.objects.filter(action="payment.due_moved").count() == 1
    # the same dates saved again: nothing moves, nobody is told again
    core_services.update_milestone(
        milestone.pk, by=project.engineering_pm, data={"forecast_date": d(2026, 10, 21)}
    )
    assert Notification.objects.filter(kind="payment.moved").count() == 2


def test_a_move_earlier_and_an_acceptance_follow_without_a_notice(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    core_services.update_milestone(
        milestone.pk,
        by=project.engineering_pm,
        data={"status": Milestone.Status.DONE, "actual_date": d(2026, 9, 25)},
    )
    payment.refresh_from_db()
    assert payment.due_date == d(2026, 10, 25)
    assert payment.moved_days == -5
    assert not Notification.objects.filter(kind="payment.moved").exists()


def test_a_received_payment_stays_where_it_was(project, milestone):
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    today = timezone.localdate()
    services.mark_invoiced(payment.pk, by=project.business_pm, on=today)
    services.mark_received(payment.pk, by=project.business_pm, on=today)
    core_services.update_milestone(
        milestone.pk, by=project.engineering_pm, data={"forecast_date": d(2026, 12, 31)}
    )
    payment.refresh_from_db()
    assert payment.due_date == d(2026, 10, 30)


def test_an_approved_change_request_moves_the_payment_in_its_transaction(project, milestone):
    """The change request's impact shifts the milestone's forecast; the payment follows."""
    payment = services.create_payment(project, by=project.business_pm, data=_data(milestone))
    cr = ChangeRequestFactory(project=project, schedule_impact_days=10)
    cr.affected_milestones.add(milestone)
    change_services._apply_impact(cr, by=project.engineering_pm)
    payment.refresh_from_db()
    milestone.refresh_from_db()
    assert payment.due_date == milestone.forecast_date + datetime.timedelta(days=30)
    assert payment.moved_days > 0
    assert Notification.objects.filter(kind="payment.moved").count() == 2
