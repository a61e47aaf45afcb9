"""Kickoff fixtures: a project with every signatory role and a ready-to-hold meeting."""

import datetime

from django.utils import timezone

from coordination.kickoff import services as kickoff
from projects.core.models import MemberRole
from tests import factories


class Team:
    """A project in the kickoff stage with both PMs, a business lead, an engineering director
    and (optionally) a finance representative."""

    def __init__(self, *, finance: bool = True, stage: str = "kickoff"):
        self.project = factories.ProjectFactory(stage=stage)
        self.business_pm = self.project.business_pm
        self.engineering_pm = self.project.engineering_pm
        self.business_lead = factories.business_user()
        self.engineering_director = factories.engineering_user()
        self.tech_lead = factories.engineering_user()
        self.finance_rep = factories.finance_user() if finance else None
        for user, role in [
            (self.business_lead, MemberRole.BUSINESS_LEAD),
            (self.engineering_director, MemberRole.ENGINEERING_DIRECTOR),
            (self.tech_lead, MemberRole.TECH_LEAD),
        ] + ([(self.finance_rep, MemberRole.FINANCE_REP)] if finance else []):
            factories.MembershipFactory(project=self.project, user=user, role=role)
        self.milestone = factories.MilestoneFactory(
            project=self.project, name="设备到场", baseline_date=datetime.date(2026, 5, 31)
        )
        self.risk = factories.RiskFactory(
            project=self.project, title="钢材涨价", mitigation="提前锁价"
        )

    @property
    def signatories(self) -> list:
        people = [self.business_pm, self.engineering_pm, self.business_lead]
        people.append(self.engineering_director)
        if self.finance_rep:
            people.append(self.finance_rep)
        return people

    def attendees(self) -> list[dict]:
        rows = [
            {"user": self.business_pm, "role": "business_pm", "attended": True},
            {"user": self.engineering_pm, "role": "engineering_pm", "attended": True},
            {"user": self.business_lead, "role": "business_lead", "attended": True},
            {"user": self.engineering_director, "role": "engineering_director", "attended": True},
            {"user": self.tech_lead, "role": "tech_lead", "attended": True},
        ]
        if self.finance_rep:
            rows.append({"user": self.finance_rep, "role": "finance_rep", "attended": True})
        return rows

    def schedule(self, **extra):
        data = {
            "scheduled_at": timezone.now() + datetime.timedelta(days=1),
            "location": "3号会议室",
            "customer_core_needs": "2026年6月前投产",
            "expected_standards": "符合GB 50300",
            "feasibility_summary": "工期可行，需提前订货",
            "milestones": [self.milestone],
            "risks": [self.risk],
            "attendees": self.attendees(),
            "responsibilities": [
                {"area": "客户沟通", "department": "business", "person": self.business_pm},
                {"area": "施工组织", "department": "engineering", "person": self.engineering_pm},
            ],
            **extra,
        }
        return kickoff.schedule_kickoff(self.project, by=self.business_pm, data=data)

    def hold(self):
        self.schedule()
        return kickoff.hold_kickoff(self.project, by=self.business_pm)

    def sign_all(self, commitment):
        for user in self.signatories:
            kickoff.sign_commitment(commitment.pk, by=user)
        commitment.refresh_from_db()
        return commitment
