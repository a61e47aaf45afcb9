"""Seed the default handover template (zh and en titles). PMO edits it in the admin."""

from django.db import migrations

NAME_ZH = "标准合同移交清单"
NAME_EN = "Standard contract handover checklist"

# (category, required, evidence kind, title_zh, title_en, description_zh, description_en)
ITEMS = [
    (
        "contract",
        True,
        "file",
        "已签署的合同正本扫描件",
        "Signed contract (scanned original)",
        "含全部附件、补充协议和签字盖章页。",
        "Including all annexes, amendments and the signed and stamped pages.",
    ),
    (
        "contract",
        True,
        "text",
        "合同交付范围与验收标准摘要",
        "Summary of delivery scope and acceptance criteria",
        "用工程语言写明交付什么、按什么标准验收。",
        "What is delivered and how it is accepted, in engineering terms.",
    ),
    (
        "technical_specification",
        True,
        "file",
        "技术规格书 / 技术协议",
        "Technical specification / technical agreement",
        "投标技术方案、技术澄清及最终确认的技术参数。",
        "Bid technical proposal, clarifications and the final agreed parameters.",
    ),
    (
        "technical_specification",
        False,
        "file",
        "图纸及设计输入资料",
        "Drawings and design inputs",
        "客户提供的图纸、标准和设计输入。",
        "Drawings, standards and design inputs supplied by the customer.",
    ),
    (
        "customer_requirements",
        True,
        "text",
        "客户特殊要求与特殊条款清单",
        "Customer special requirements and special clauses",
        "逐条列出超出常规的要求：罚则、质保、品牌指定、工期节点等。",
        "List every non-standard requirement: penalties, warranty, mandated brands, dates.",
    ),
    (
        "customer_requirements",
        False,
        "text",
        "投标阶段对客户的口头或书面承诺",
        "Promises made to the customer during the bid",
        "销售过程中做出的、合同未写明的承诺。",
        "Commitments made while selling that the contract does not spell out.",
    ),
    (
        "commercial_terms",
        True,
        "text",
        "付款节点与条件",
        "Payment milestones and conditions",
        "预付款、进度款、验收款、质保金及其触发条件。",
        "Advance, progress, acceptance and retention payments and their triggers.",
    ),
    (
        "commercial_terms",
        False,
        "file",
        "报价明细与成本预算",
        "Quote breakdown and cost budget",
        "中标报价明细，供工程方核对预算。",
        "The winning quote's breakdown, for engineering to check the budget.",
    ),
    (
        "contacts",
        True,
        "text",
        "客户方关键联系人",
        "Customer key contacts",
        "决策人、技术对接人、现场负责人、财务联系人及联系方式。",
        "Decision maker, technical contact, site manager, finance contact and details.",
    ),
    (
        "site_information",
        True,
        "text",
        "现场条件与进场要求",
        "Site conditions and access requirements",
        "地址、作业时间限制、安全与准入要求、水电条件。",
        "Address, working-hour limits, safety and access rules, utilities.",
    ),
    (
        "site_information",
        False,
        "link",
        "现场照片或勘察记录链接",
        "Link to site photos or survey records",
        "",
        "",
    ),
    (
        "risks",
        True,
        "text",
        "已识别风险与应对建议",
        "Identified risks and suggested responses",
        "投标及谈判过程中识别的风险（材料价格、工期、客户配合等）。",
        "Risks identified during bid and negotiation (material prices, schedule, customer).",
    ),
]


def seed(apps, schema_editor):
    Template = apps.get_model("handover", "HandoverTemplate")
    Item = apps.get_model("handover", "HandoverTemplateItem")
    if Template.objects.filter(is_default=True).exists():
        return
    template = Template.objects.create(
        name_zh=NAME_ZH,
        name_en=NAME_EN,
        description="由数据迁移创建的默认模板，PMO可在后台修改。",
        is_active=True,
        is_default=True,
    )
    Item.objects.bulk_create(
        [
            Item(
                template=template,
                order=(index + 1) * 10,
                category=category,
                required=required,
                evidence_kind=kind,
                title_zh=title_zh,
                title_en=title_en,
                description_zh=desc_zh,
                description_en=desc_en,
                responsible_department="business",
            )
            for index, (
                category,
                required,
                kind,
                title_zh,
                title_en,
                desc_zh,
                desc_en,
            ) in enumerate(ITEMS)
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("handover", "HandoverTemplate").objects.filter(
        is_default=True, name_zh=NAME_ZH
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("handover", "0001_handover")]

    operations = [migrations.RunPython(seed, unseed)]
