"""Factories and builders for handover tests."""

import datetime

import factory

from handover import services
from handover.models import HandoverTemplate, HandoverTemplateItem
from projects.core.models import MemberRole, Stage
from tests import factories


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoverTemplate

    name_zh = factory.Sequence(lambda n: f"测试模板 {n}")
    name_en = factory.Sequence(lambda n: f"Test template {n}")


class TemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoverTemplateItem

    template = factory.SubFactory(TemplateFactory)
    order = factory.Sequence(lambda n: n)
    title_zh = factory.Sequence(lambda n: f"清单项 {n}")
    title_en = factory.Sequence(lambda n: f"Item {n}")
    category = "contract"
    required = True
    evidence_kind = "text"


def small_template() -> HandoverTemplate:
    """Three items: a required contract file, a required special-clauses text, an optional link."""
    template = TemplateFactory()
    TemplateItemFactory(
        template=template,
        order=1,
        title_zh="已签署合同",
        title_en="Signed contract",
        category="contract",
        evidence_kind="file",
    )
    TemplateItemFactory(
        template=template,
        order=2,
        title_zh="特殊条款清单",
        title_en="Special clauses",
        category="customer_requirements",
        evidence_kind="text",
    )
    TemplateItemFactory(
        template=template,
        order=3,
        title_zh="现场照片链接",
        title_en="Site photos link",
        category="site_information",
        evidence_kind="link",
        required=False,
    )
    return template


def project_with_team(**kw):
    """A project in `handover` with the full cast of both sides as members."""
    kw.setdefault("stage", Stage.HANDOVER)
    kw.setdefault("contract_signed_on", datetime.date(2026, 11, 2))
    project = factories.ProjectFactory(**kw)
    for role, maker in [
        (MemberRole.BUSINESS_LEAD, factories.business_user),
        (MemberRole.ENGINEERING_DIRECTOR, factories.engineering_user),
        (MemberRole.TECH_LEAD, factories.engineering_user),
    ]:
        factories.MembershipFactory(project=project, user=maker(), role=role)
    return project


def handover_for(project=None, template=None):
    project = project or project_with_team()
    handover, _ = services.create_handover(project, by=None, template=template or small_template())
    return handover


def items(handover):
    """(contract file item, special clauses text item, optional link item)."""
    return tuple(handover.items.order_by("order", "id"))
