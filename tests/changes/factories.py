"""Change-request factories, and a ready-made cast for tests/changes.

Factories (ChangeRequest, ChangeDecision, MilestoneChange). A change request's number comes
from a per-project counter the service owns (CR-001, CR-002…), and its status, timestamps,
department decisions and milestone history only make sense together. So the factories go
through projects.changes.services and never write those rows themselves:

- `ChangeRequestFactory(status=...)` creates a draft with `create_change_request` and walks
  it on (submit → assess → decide → implement, or withdraw) with the project's own people;
  the actors and the assessment can be overridden (`submitted_by`, `assessed_by`,
  `approvers={department: user}`, …).
- `ChangeDecisionFactory` records one department's decision with `decide_change_request`.
- `MilestoneChangeFactory` approves a change request affecting the milestone and returns
  the forecast move the approval recorded.

The cast: a project in execution with both PMs, a business lead, an engineering director,
a tech lead and a finance rep, and `draft` / `submitted` / `assessed` / `approved`, which
are the factory with the cast's people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import factory

from coordination.core.models import Department
from projects.changes import rules
from projects.changes import services as changes
from projects.changes.models import ChangeDecision, ChangeRequest, MilestoneChange
from projects.core.models import MemberRole, Milestone, Project, Stage
from projects.core.selectors import members_with_role
from tests import factories

Status = ChangeRequest.Status
Decision = ChangeDecision.Decision

DEFAULT = {
    "title": "增加一条输送线",
    "description": "客户要求增加一条成品输送线。",
    "origin": "customer",
    "cost_impact": Decimal("50000.00"),
    "schedule_impact_days": 14,
    "scope_impact": "新增输送线设计与安装。",
}

# The service steps from a new draft to each status.
PATH = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.ASSESSED: ("submit", "assess"),
    Status.APPROVED: ("submit", "assess", "approve"),
    Status.REJECTED: ("submit", "assess", "reject"),
    Status.IMPLEMENTED: ("submit", "assess", "approve", "implement"),
    Status.WITHDRAWN: ("withdraw",),
}

DECIDING_ORDER = (Department.BUSINESS, Department.ENGINEERING, Department.FINANCE)

# Declarations of ChangeRequestFactory that say how to walk, not what to store.
WALK_ARGS = (
    "affected_milestones",
    "submitted_by",
    "approvers",
    "decision_comment",
)


def default_approver(project: Project, department: str, requester=None):
    """Who decides for `department` unless told: the business or engineering PM, the
    project's (first) finance representative. The requester never decides for their own
    department (projects.changes.rules): when the PM asked, the project's business lead or
    engineering director decides, one joining the project when it has none."""
    if department in (Department.BUSINESS, Department.ENGINEERING):
        business = department == Department.BUSINESS
        pm = project.business_pm if business else project.engineering_pm
        if requester is None or pm.pk != requester.pk or not rules.requester_barred(pm, department):
            return pm
        lead_role = MemberRole.BUSINESS_LEAD if business else MemberRole.ENGINEERING_DIRECTOR
        leads = members_with_role(project, lead_role)
        if leads:
            return leads[0]
        user = factories.business_user() if business else factories.engineering_user()
        factories.MembershipFactory(project=project, user=user, role=lead_role)
        return user
    reps = members_with_role(project, MemberRole.FINANCE_REP)
    if not reps:
        raise ValueError(
            f"{project.code} has no finance representative to decide for {department!r}: "
            "add a FINANCE_REP member or pass approvers={department: user}"
        )
    return reps[0]


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A change request created and moved to `status` through the services."""

    class Meta:
        model = ChangeRequest
        skip_postgeneration_save = True

    project = factory.SubFactory(factories.ProjectFactory, stage=Stage.EXECUTION)
    requested_by = factory.LazyAttribute(lambda o: o.project.business_pm)
    title = DEFAULT["title"]
    description = DEFAULT["description"]
    origin = DEFAULT["origin"]
    cost_impact = DEFAULT["cost_impact"]
    schedule_impact_days = DEFAULT["schedule_impact_days"]
    scope_impact = DEFAULT["scope_impact"]
    affected_milestones = factory.LazyFunction(list)  # Milestones or their pks
    status = Status.DRAFT

    # The walk to `status` (each used only when the path needs it).
    submitted_by = factory.SelfAttribute("requested_by")
    assessed_by = factory.LazyAttribute(lambda o: o.project.engineering_pm)
    effort_days = Decimal("12.5")
    assessment_risks = "设备交期"
    approvers = factory.LazyFunction(dict)  # department → user, else default_approver
    decision_comment = factory.LazyAttribute(
        lambda o: "超出预算，不同意。" if o.status == Status.REJECTED else ""
    )
    implemented_by = factory.LazyAttribute(lambda o: o.project.business_pm)
    withdrawn_by = factory.SelfAttribute("requested_by")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in WALK_ARGS:
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        project,
        requested_by,
        status,
        affected_milestones,
        submitted_by,
        assessed_by,
        effort_days,
        assessment_risks,
        approvers,
        decision_comment,
        implemented_by,
        withdrawn_by,
        **data,
    ):
        if status not in PATH:
            raise ValueError(f"unknown change request status {status!r}")
        cr = changes.create_change_request(
            project, by=requested_by, data={**data, "affected_milestones": affected_milestones}
        )
        for step in PATH[status]:
            if step == "submit":
                cr = changes.submit_change_request(cr.pk, by=submitted_by)
            elif step == "assess":
                cr = changes.assess_change_request(
                    cr.pk,
                    by=assessed_by,
                    data={"effort_days": effort_days, "assessment_risks": assessment_risks},
                )
            elif step in ("approve", "reject"):
                # business, engineering, then finance while still undecided (finance is
                # asked only when the cost impact needs it); a rejection is business's
                departments = DECIDING_ORDER if step == "approve" else DECIDING_ORDER[:1]
                for department in departments:
                    if cr.status != Status.ASSESSED:
                        break
                    decision = ChangeDecisionFactory(
                        change_request=cr,
                        department=department,
                        decided_by=approvers.get(department)
                        or default_approver(cr.project, department, requested_by),
                        decision=Decision.APPROVE if step == "approve" else Decision.REJECT,
                        comment=decision_comment,
                    )
                    cr = decision.change_request
            elif step == "implement":
                cr = changes.implement_change_request(cr.pk, by=implemented_by)
            elif step == "withdraw":
                cr = changes.withdraw_change_request(cr.pk, by=withdrawn_by)
        return cr


class ChangeDecisionFactory(factory.django.DjangoModelFactory):
    """One department's decision on an assessed change request, via decide_change_request
    (so the last approval approves the request and moves the forecasts)."""

    class Meta:
        model = ChangeDecision

    change_request = factory.SubFactory(ChangeRequestFactory, status=Status.ASSESSED)
    department = Department.BUSINESS
    decided_by = factory.LazyAttribute(
        lambda o: default_approver(
            o.change_request.project, o.department, o.change_request.requested_by
        )
    )
    decision = Decision.APPROVE
    comment = factory.LazyAttribute(lambda o: "不同意。" if o.decision == Decision.REJECT else "")

    @classmethod
    def _create(
        cls, model_class, *, change_request, department, decided_by, decision, comment, **extra
    ):
        if extra:
            raise TypeError(f"ChangeDecisionFactory: {sorted(extra)} are set by the service")
        cr = changes.decide_change_request(
            change_request.pk,
            by=decided_by,
            decision=decision,
            comment=comment,
            department=department,
        )
        row = model_class.objects.get(change_request=cr, department=department)
        row.change_request = cr  # the service's copy: status and forecasts after the decision
        return row


class MilestoneChangeFactory(factory.django.DjangoModelFactory):
    """The forecast move of `milestone` recorded when a change request affecting it was
    approved (by default a new one, approved here)."""

    class Meta:
        model = MilestoneChange

    milestone = factory.SubFactory(factories.MilestoneFactory, project__stage=Stage.EXECUTION)
    change_request = factory.SubFactory(
        ChangeRequestFactory,
        project=factory.SelfAttribute("..milestone.project"),
        affected_milestones=factory.LazyAttribute(lambda o: [o.factory_parent.milestone]),
        status=Status.APPROVED,
    )

    @classmethod
    def _create(cls, model_class, *, milestone, change_request, **extra):
        if extra:
            raise TypeError(f"MilestoneChangeFactory: {sorted(extra)} are set by the approval")
        row = model_class.objects.filter(milestone=milestone, change_request=change_request).first()
        if row is None:
            raise ValueError(
                f"{change_request.number} did not move {milestone}: it must be approved with "
                "this (open) milestone among its affected milestones"
            )
        return row


# ---------------------------------------------------------------- the cast of tests/changes
@dataclass
class Cast:
    project: Project
    biz_pm: object
    eng_pm: object
    biz_lead: object
    eng_director: object
    tech_lead: object
    finance: object
    member: object
    pmo: object
    milestone: Milestone
    other_milestone: Milestone


def cast(**project_kw) -> Cast:
    project = factories.ProjectFactory(
        stage=project_kw.pop("stage", "execution"),
        baseline_budget=Decimal("800000.00"),
        forecast_budget=Decimal("800000.00"),
        **project_kw,
    )
    people = {
        "biz_lead": (factories.business_user(), MemberRole.BUSINESS_LEAD),
        "eng_director": (factories.engineering_user(), MemberRole.ENGINEERING_DIRECTOR),
        "tech_lead": (factories.engineering_user(), MemberRole.TECH_LEAD),
        "finance": (factories.finance_user(), MemberRole.FINANCE_REP),
        "member": (factories.engineering_user(), MemberRole.MEMBER),
    }
    for user, role in people.values():
        factories.MembershipFactory(project=project, user=user, role=role)
    return Cast(
        project=project,
        biz_pm=project.business_pm,
        eng_pm=project.engineering_pm,
        pmo=factories.pmo_user(),
        milestone=factories.MilestoneFactory(
            project=project,
            baseline_date=datetime.date(2026, 6, 30),
            forecast_date=datetime.date(2026, 7, 10),
        ),
        other_milestone=factories.MilestoneFactory(
            project=project, baseline_date=datetime.date(2026, 9, 30)
        ),
        **{name: user for name, (user, _role) in people.items()},
    )


def draft(c: Cast, *, by=None, **data) -> ChangeRequest:
    """A draft by `by` (default the business PM) affecting the cast's first milestone."""
    return ChangeRequestFactory(
        project=c.project,
        requested_by=by or c.biz_pm,
        **{**DEFAULT, "affected_milestones": [c.milestone.pk], **data},
    )


def submitted(c: Cast, **data) -> ChangeRequest:
    return draft(c, status=Status.SUBMITTED, submitted_by=c.biz_pm, **data)


def assessed(c: Cast, **data) -> ChangeRequest:
    """Submitted by the business PM, assessed by the engineering PM (12.5 days, 设备交期)."""
    return draft(c, status=Status.ASSESSED, submitted_by=c.biz_pm, assessed_by=c.eng_pm, **data)


def approved(c: Cast, **data) -> ChangeRequest:
    """Assessed, then approved by the business lead (the business PM asked for it), the
    engineering PM (and the finance rep when finance must decide)."""
    return draft(
        c,
        status=Status.APPROVED,
        submitted_by=c.biz_pm,
        assessed_by=c.eng_pm,
        approvers={
            Department.BUSINESS: c.biz_lead,
            Department.ENGINEERING: c.eng_pm,
            Department.FINANCE: c.finance,
        },
        **data,
    )
