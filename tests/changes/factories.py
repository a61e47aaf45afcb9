"""A ready-made change-request cast for tests/changes: a project in execution with both PMs,
a business lead, an engineering director, a tech lead and a finance rep, and helpers that
walk a change request to a given status through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from projects.core.models import MemberRole, Milestone, Project
from tests import factories


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


DEFAULT = {
    "title": "增加一条输送线",
    "description": "客户要求增加一条成品输送线。",
    "origin": "customer",
    "cost_impact": Decimal("50000.00"),
    "schedule_impact_days": 14,
    "scope_impact": "新增输送线设计与安装。",
}


def draft(c: Cast, *, by=None, **data) -> ChangeRequest:
    payload = {**DEFAULT, "affected_milestones": [c.milestone.pk], **data}
    return changes.create_change_request(c.project, by=by or c.biz_pm, data=payload)


def submitted(c: Cast, **data) -> ChangeRequest:
    cr = draft(c, **data)
    return changes.submit_change_request(cr.pk, by=c.biz_pm)


def assessed(c: Cast, **data) -> ChangeRequest:
    cr = submitted(c, **data)
    return changes.assess_change_request(
        cr.pk, by=c.eng_pm, data={"effort_days": "12.5", "assessment_risks": "设备交期"}
    )


def approved(c: Cast, **data) -> ChangeRequest:
    cr = assessed(c, **data)
    changes.approve_change_request(cr.pk, by=c.biz_pm)
    cr = changes.approve_change_request(cr.pk, by=c.eng_pm)
    if cr.status != ChangeRequest.Status.APPROVED:
        cr = changes.approve_change_request(cr.pk, by=c.finance)
    return cr
