"""Handover creation, item and checklist lifecycle, gates, notifications and audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from coordination.core import events
from coordination.core.exceptions import Conflict, GateRefused
from coordination.core.models import AuditEvent, Notification
from handover import services
from handover.models import Handover, HandoverItem, HandoverTemplate
from projects.core import services as project_services
from projects.core.models import Stage, StageTransition
from tests import factories
from tests.handover.factories import handover_for, items, project_with_team, small_template

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def pdf(name="contract.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def provide_required(handover):
    contract, clauses, _link = items(handover)
    business = handover.project.business_pm
    services.provide_item(contract.pk, by=business, file=pdf())
    services.provide_item(clauses.pk, by=business, text="罚则上限 5%")


# ---------------------------------------------------------------- SLA
@pytest.mark.parametrize(
    "start, days, due",
    [
        (datetime.date(2026, 11, 2), 5, datetime.date(2026, 11, 9)),  # Mon + 5 → next Mon
        (datetime.date(2026, 11, 6), 1, datetime.date(2026, 11, 9)),  # Fri + 1 → Mon
        (datetime.date(2026, 11, 5), 3, datetime.date(2026, 11, 10)),  # Thu + 3 → Tue
        (datetime.date(2026, 11, 7), 1, datetime.date(2026, 11, 10)),  # Sat: Mon is day 0
        (datetime.date(2026, 11, 8), 0, datetime.date(2026, 11, 9)),  # Sun + 0 → Mon
        (datetime.date(2026, 11, 6), 10, datetime.date(2026, 11, 20)),  # two weekends
    ],
)
def test_sla_counts_working_days_only(start, days, due):
    assert services.add_working_days(start, days) == due


def test_due_date_is_configured_working_days_after_signing(settings):
    settings.HANDOVER_SLA_WORKING_DAYS = 3
    project = project_with_team(contract_signed_on=datetime.date(2026, 11, 5))  # Thursday
    assert handover_for(project).due_date == datetime.date(2026, 11, 10)


# ---------------------------------------------------------------- creation and snapshot
def test_default_template_is_seeded_in_both_languages():
    template = HandoverTemplate.objects.get(is_default=True)
    assert template.items.count() >= 10
    assert not template.items.filter(title_en="").exists()
    categories = set(template.items.values_list("category", flat=True))
    assert categories == {
        "contract",
        "technical_specification",
        "customer_requirements",
        "commercial_terms",
        "contacts",
        "site_information",
        "risks",
    }


def test_handover_is_a_snapshot_of_the_template():
    template = small_template()
    handover = handover_for(template=template)
    first = template.items.order_by("order").first()
    first.title_zh = "改过的标题"
    first.required = False
    first.save()
    template.items.create(title_zh="新增项", category="risks", order=9)
    template.items.filter(order=3).delete()

    titles = list(handover.items.order_by("order").values_list("title_zh", "required"))
    assert titles == [("已签署合同", True), ("特殊条款清单", True), ("现场照片链接", False)]
    template.delete()
    assert handover.items.count() == 3


def test_item_title_follows_the_active_language():
    from django.utils import translation

    contract = items(handover_for())[0]
    with translation.override("en"):
        assert contract.title == "Signed contract"
    with translation.override("zh-hans"):
        assert contract.title == "已签署合同"


def test_entering_contracted_creates_the_handover_and_moves_to_handover(pmo):
    project = factories.ProjectFactory(stage=Stage.OPPORTUNITY, is_key_project=False)
    project = project_services.transition_project(
        project.pk, to=Stage.CONTRACTED, by=pmo, reason="签约"
    )

    assert project.stage == Stage.HANDOVER
    handover = Handover.objects.get(project=project)
    default = HandoverTemplate.objects.get(is_default=True)
    assert handover.status == Handover.Status.DRAFT
    assert handover.items.count() == default.items.count()
    assert handover.due_date == services.add_working_days(project.contract_signed_on, 5)
    moves = list(
        StageTransition.objects.filter(project=project).values_list("from_stage", "to_stage")
    )
    assert moves == [("opportunity", "contracted"), ("contracted", "handover")]
    assert AuditEvent.objects.filter(action="handover.created", project_code=project.code).exists()


def test_contracted_to_handover_needs_a_handover(pmo):
    project = factories.ProjectFactory(stage=Stage.CONTRACTED)
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(project.pk, to=Stage.HANDOVER, by=pmo)
    assert "尚未创建合同移交清单" in refused.value.unmet


def test_creating_twice_keeps_the_first_handover():
    handover = handover_for()
    again, created = services.create_handover(handover.project, by=None)
    assert (again.pk, created) == (handover.pk, False)


# ---------------------------------------------------------------- gate handover → kickoff
def test_kickoff_gate_names_every_required_item_not_accepted(pmo):
    handover = handover_for()
    with pytest.raises(GateRefused) as refused:
        project_services.transition_project(handover.project.pk, to=Stage.KICKOFF, by=pmo)
    assert "移交清单项未接收：已签署合同" in refused.value.unmet
    assert "移交清单项未接收：特殊条款清单" in refused.value.unmet
    assert not any("现场照片" in u for u in refused.value.unmet)  # optional item


def test_kickoff_gate_passes_once_accepted():
    from handover.gates import handover_accepted

    handover = handover_for()
    provide_required(handover)
    services.submit_handover(handover.pk, by=handover.project.business_pm)
    for item in handover.items.filter(required=True):
        services.accept_item(item.pk, by=handover.project.engineering_pm)
    assert handover_accepted(handover.project) == []


# ---------------------------------------------------------------- item lifecycle
def test_full_lifecycle_with_one_rejection(django_capture_on_commit_callbacks):
    received = []
    events.listen("handover.accepted", lambda event, payload: received.append(payload))
    handover = handover_for()
    project = handover.project
    business, engineering = project.business_pm, project.engineering_pm
    contract, clauses, _link = items(handover)

    with pytest.raises(Conflict) as refused:
        services.submit_handover(handover.pk, by=business)
    assert refused.value.unmet == ["未提供：已签署合同", "未提供：特殊条款清单"]

    provide_required(handover)
    handover = services.submit_handover(handover.pk, by=business)
    assert handover.status == "submitted" and handover.submitted_at is not None

    services.accept_item(contract.pk, by=engineering)
    rejected = services.reject_item(clauses.pk, by=engineering, reason="缺少罚则上限")
    assert (rejected.status, rejected.rejection_count) == ("rejected", 1)
    handover.refresh_from_db()
    assert handover.status == "returned"

    services.provide_item(clauses.pk, by=business, text="罚则上限为合同额 5%")
    services.submit_handover(handover.pk, by=business)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_item(clauses.pk, by=engineering)

    handover.refresh_from_db()
    assert handover.status == "accepted" and handover.accepted_at is not None
    assert [p["project"] for p in received] == [project.code]
    actions = set(
        AuditEvent.objects.filter(project_code=project.code).values_list("action", flat=True)
    )
    assert {
        "handover.created",
        "handover_item.provided",
        "handover.submitted",
        "handover_item.accepted",
        "handover_item.rejected",
        "handover.returned",
        "handover.accepted",
    } <= actions


def test_each_step_notifies_the_other_side():
    handover = handover_for()
    project = handover.project
    contract, clauses, _ = items(handover)
    provide_required(handover)
    assert Notification.objects.filter(
        user=project.engineering_pm, kind="handover_item.provided"
    ).exists()
    services.submit_handover(handover.pk, by=project.business_pm)
    assert Notification.objects.filter(
        user=project.engineering_pm, kind="handover.submitted"
    ).exists()
    services.reject_item(clauses.pk, by=project.engineering_pm, reason="不完整")
    note = Notification.objects.get(user=project.business_pm, kind="handover_item.rejected")
    assert note.body == "不完整"
    assert not Notification.objects.filter(
        user=project.engineering_pm, kind="handover_item.rejected"
    ).exists()


def test_review_needs_a_submitted_handover_and_a_provided_item():
    handover = handover_for()
    contract, clauses, link = items(handover)
    engineering = handover.project.engineering_pm
    provide_required(handover)
    with pytest.raises(Conflict):
        services.accept_item(contract.pk, by=engineering)  # still a draft
    services.submit_handover(handover.pk, by=handover.project.business_pm)
    with pytest.raises(Conflict):
        services.accept_item(link.pk, by=engineering)  # pending
    services.reject_item(contract.pk, by=engineering, reason="扫描不清")
    with pytest.raises(Conflict):
        services.accept_item(contract.pk, by=engineering)  # rejected, not re-provided
    with pytest.raises(Conflict):
        services.reject_item(contract.pk, by=engineering, reason="再次")


def test_reject_requires_a_reason():
    handover = handover_for()
    provide_required(handover)
    services.submit_handover(handover.pk, by=handover.project.business_pm)
    with pytest.raises(ValidationError) as refused:
        services.reject_item(items(handover)[0].pk, by=handover.project.engineering_pm, reason=" ")
    assert "reason" in refused.value.message_dict
    assert HandoverItem.objects.get(pk=items(handover)[0].pk).status == "provided"


def test_provide_checks_the_expected_evidence():
    handover = handover_for()
    contract, clauses, link = items(handover)
    business = handover.project.business_pm
    with pytest.raises(ValidationError) as refused:
        services.provide_item(contract.pk, by=business, text="稍后上传")
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.provide_item(clauses.pk, by=business, text="   ")
    with pytest.raises(ValidationError) as refused:
        services.provide_item(link.pk, by=business, link="javascript:alert(1)")
    assert "link" in refused.value.message_dict
    services.provide_item(link.pk, by=business, link="https://example.com/photos")
    assert HandoverItem.objects.get(pk=link.pk).status == "provided"


def test_no_changes_while_submitted_or_after_acceptance():
    handover = handover_for()
    contract, clauses, _ = items(handover)
    project = handover.project
    provide_required(handover)
    services.submit_handover(handover.pk, by=project.business_pm)
    with pytest.raises(Conflict):
        services.provide_item(clauses.pk, by=project.business_pm, text="改")
    with pytest.raises(Conflict):
        services.submit_handover(handover.pk, by=project.business_pm)
    services.accept_item(contract.pk, by=project.engineering_pm)
    services.accept_item(clauses.pk, by=project.engineering_pm)
    with pytest.raises(Conflict):
        services.provide_item(clauses.pk, by=project.business_pm, text="改")


def test_accepted_item_cannot_be_replaced_in_a_returned_handover():
    handover = handover_for()
    contract, clauses, _ = items(handover)
    project = handover.project
    provide_required(handover)
    services.submit_handover(handover.pk, by=project.business_pm)
    services.accept_item(contract.pk, by=project.engineering_pm)
    services.reject_item(clauses.pk, by=project.engineering_pm, reason="缺")
    with pytest.raises(Conflict):
        services.provide_item(contract.pk, by=project.business_pm, file=pdf())


# ---------------------------------------------------------------- permissions per side
def test_business_side_provides_engineering_side_reviews():
    handover = handover_for()
    project = handover.project
    contract, clauses, _ = items(handover)
    director = project.memberships.get(role="engineering_director").user
    lead = project.memberships.get(role="business_lead").user
    tech = project.memberships.get(role="tech_lead").user
    pmo = factories.pmo_user()
    outsider = factories.business_user()

    for user in (project.engineering_pm, director, tech, pmo, outsider):
        with pytest.raises(PermissionDenied):
            services.provide_item(clauses.pk, by=user, text="x")
    services.provide_item(clauses.pk, by=lead, text="业务负责人提供")
    services.provide_item(contract.pk, by=project.business_pm, file=pdf())
    for user in (project.engineering_pm, pmo):
        with pytest.raises(PermissionDenied):
            services.submit_handover(handover.pk, by=user)
    services.submit_handover(handover.pk, by=lead)

    for user in (project.business_pm, lead, pmo, outsider):
        with pytest.raises(PermissionDenied):
            services.accept_item(contract.pk, by=user)
        with pytest.raises(PermissionDenied):
            services.reject_item(contract.pk, by=user, reason="x")
    services.accept_item(contract.pk, by=director)
    services.accept_item(clauses.pk, by=tech)
    handover.refresh_from_db()
    assert handover.status == "accepted"


def test_business_department_member_may_provide_engineering_member_may_not_review():
    handover = handover_for()
    project = handover.project
    clauses = items(handover)[1]
    sales = factories.business_user()
    factories.MembershipFactory(project=project, user=sales, role="member")
    engineer = factories.engineering_user()
    factories.MembershipFactory(project=project, user=engineer, role="member")

    services.provide_item(clauses.pk, by=sales, text="销售补充")
    with pytest.raises(PermissionDenied):
        services.provide_item(clauses.pk, by=engineer, text="x")


# ---------------------------------------------------------------- overdue reminders
def test_overdue_reminder_once_per_day():
    handover = handover_for()
    Handover.objects.filter(pk=handover.pk).update(due_date=datetime.date(2026, 1, 5))
    today = datetime.date(2026, 1, 8)
    assert services.remind_overdue(today) == 1
    assert services.remind_overdue(today) == 0
    assert services.remind_overdue(today + datetime.timedelta(days=1)) == 1
    # the second day's reminder folds into the still-unread first one (notify's folding)
    rows = Notification.objects.filter(kind="handover.overdue", user=handover.project.business_pm)
    assert [n.occurrences for n in rows] == [2]
