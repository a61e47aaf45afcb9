"""Factories and a ready-made pre-sales cast for tests/presales."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import factory

from projects.core.models import MemberRole, Project
from projects.presales.models import FeasibilityAssessment, Quote
from tests import factories


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeasibilityAssessment

    project = factory.SubFactory(factories.ProjectFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = FeasibilityAssessment.Status.APPROVED
    verdict = FeasibilityAssessment.Verdict.FEASIBLE
    labour_cost = Decimal("200000")
    materials_cost = Decimal("300000")
    equipment_cost = Decimal("100000")
    subcontracting_cost = Decimal("100000")
    contingency_cost = Decimal("50000")  # total 750 000
    estimated_duration_days = 200
    author = factory.LazyAttribute(lambda o: o.project.engineering_pm)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    project = factory.SubFactory(factories.ProjectFactory)
    revision = factory.Sequence(lambda n: n + 1)
    is_current = True
    quoted_price = Decimal("1000000")  # margin 25 % on the default assessment
    promised_delivery_date = datetime.date(2026, 12, 31)  # start 2026-01-05 + 200 d = 07-24
    author = factory.LazyAttribute(lambda o: o.project.business_pm)


@dataclass
class Cast:
    project: Project
    business_pm: object
    engineering_pm: object
    director: object
    tech_lead: object
    business_member: object
    engineering_member: object
    finance: object
    outsider_eng: object
    outsider_biz: object


def cast(**project_kw) -> Cast:
    """A project in opportunity with everyone a permission test needs."""
    project = factories.ProjectFactory(**project_kw)
    director = factories.engineering_user()
    tech_lead = factories.engineering_user()
    business_member = factories.business_user()
    engineering_member = factories.engineering_user()
    finance = factories.finance_user()
    for user, role in [
        (director, MemberRole.ENGINEERING_DIRECTOR),
        (tech_lead, MemberRole.TECH_LEAD),
        (business_member, MemberRole.MEMBER),
        (engineering_member, MemberRole.MEMBER),
        (finance, MemberRole.FINANCE_REP),
    ]:
        factories.MembershipFactory(project=project, user=user, role=role)
    return Cast(
        project=project,
        business_pm=project.business_pm,
        engineering_pm=project.engineering_pm,
        director=director,
        tech_lead=tech_lead,
        business_member=business_member,
        engineering_member=engineering_member,
        finance=finance,
        outsider_eng=factories.engineering_user(),
        outsider_biz=factories.business_user(),
    )


ASSESSMENT_DATA = {
    "verdict": "feasible",
    "labour_cost": Decimal("200000"),
    "materials_cost": Decimal("300000"),
    "equipment_cost": Decimal("100000"),
    "subcontracting_cost": Decimal("100000"),
    "contingency_cost": Decimal("50000"),
    "estimated_duration_days": 200,
    "key_risks": [{"title": "进口PLC交期", "probability": 3, "impact": 4}],
    "assumptions": "双班施工",
}
QUOTE_DATA = {
    "quoted_price": Decimal("1000000"),
    "promised_delivery_date": datetime.date(2026, 12, 31),
    "payment_terms": "30/60/10",
}
