"""The KPI definitions and the default department scorecards (PMO edits weights in the admin)."""

from decimal import Decimal

from django.db import migrations

DEFINITIONS = [
    {
        "code": "on_time_delivery_rate",
        "name_zh": "按期交付率",
        "name_en": "On-time delivery rate",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("90"),
        "formula_zh": "期间内到期（基线/承诺日期落在期间内且不晚于今天）的里程碑中，"
        "在基线日期当天或之前完成的比例；已取消的里程碑不计。",
        "formula_en": "Milestones due in the period (baseline/committed date in the period, "
        "not after today) that were done on or before that date, divided by the milestones "
        "due; cancelled milestones are left out.",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "customer_satisfaction",
        "name_zh": "客户满意度",
        "name_en": "Customer satisfaction",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("95"),
        "formula_zh": "期间内满意度调查中总体评分≥4分（满意）的份数 / 调查总份数；"
        "同时给出总体评分平均值。",
        "formula_en": "Surveys in the period with an overall score of 4 or 5 (satisfied) "
        "divided by all surveys in the period; the average overall score is given too.",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "customer_complaint_rate",
        "name_zh": "客户投诉率",
        "name_en": "Customer complaint rate",
        "unit": "次/项目",
        "direction": "lower",
        "target": Decimal("0.20"),
        "formula_zh": "期间内新增的客户投诉数 / 期间内在执行或交付的项目数"
        "（签约早于期末且实际完成不早于期初，不含商机和已取消项目）。",
        "formula_en": "Customer complaints opened in the period divided by the projects "
        "active or delivered in it (signed before the period ends, not finished before it "
        "starts; opportunities and cancelled projects excluded).",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "cross_department_complaints",
        "name_zh": "跨部门投诉数",
        "name_en": "Cross-department complaints",
        "unit": "次",
        "direction": "lower",
        "target": Decimal("2"),
        "formula_zh": "期间内新增的内部（跨部门）投诉数量。",
        "formula_en": "Internal (cross-department) complaints opened in the period.",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "delivery_cycle_time",
        "name_zh": "交付周期",
        "name_en": "Delivery cycle time",
        "unit": "天",
        "direction": "lower",
        "target": Decimal("240"),
        "formula_zh": "期间内交付（实际完成日期落在期间内）的项目，从签约日期到实际完成日期的平均天数。",
        "formula_en": "Average days from contract signing to actual end, for projects "
        "delivered (actual end) in the period.",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "handover_lead_time",
        "name_zh": "合同移交周期",
        "name_en": "Handover lead time",
        "unit": "天",
        "direction": "lower",
        "target": Decimal("14"),
        "formula_zh": "期间内（按北京时间）被工程接收的合同移交，从签约日期到接收日期的平均天数。",
        "formula_en": "Average days from contract signing to handover acceptance, for "
        "handovers accepted in the period (Asia/Shanghai dates).",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "change_request_cycle_time",
        "name_zh": "变更审批周期",
        "name_en": "Change-request cycle time",
        "unit": "天",
        "direction": "lower",
        "target": Decimal("5"),
        "formula_zh": "期间内作出决定的变更申请，从提交到决定的平均天数。",
        "formula_en": "Average days from submission to decision, for change requests "
        "decided in the period.",
        "is_joint": True,
        "owner_department": "",
    },
    {
        "code": "promise_gap_rate",
        "name_zh": "承诺缺口率",
        "name_en": "Promise-gap rate",
        "unit": "%",
        "direction": "lower",
        "target": Decimal("10"),
        "formula_zh": "有当前报价的项目中，报价或承诺日期存在未消除承诺缺口的比例"
        "（计算时点的状态；关账时冻结）。",
        "formula_en": "Share of projects with a current quote whose quote or promised date "
        "leaves an open promise gap (state at computation time; frozen at period close).",
        "is_joint": False,
        "owner_department": "business",
    },
]

WEIGHTS = {
    "business": {
        "on_time_delivery_rate": "20",
        "customer_satisfaction": "25",
        "customer_complaint_rate": "15",
        "cross_department_complaints": "10",
        "delivery_cycle_time": "10",
        "handover_lead_time": "5",
        "change_request_cycle_time": "5",
        "promise_gap_rate": "10",
    },
    "engineering": {
        "on_time_delivery_rate": "25",
        "customer_satisfaction": "20",
        "customer_complaint_rate": "15",
        "cross_department_complaints": "10",
        "delivery_cycle_time": "15",
        "handover_lead_time": "5",
        "change_request_cycle_time": "10",
    },
    "finance": {
        "on_time_delivery_rate": "20",
        "customer_satisfaction": "20",
        "customer_complaint_rate": "10",
        "cross_department_complaints": "20",
        "delivery_cycle_time": "10",
        "change_request_cycle_time": "20",
    },
}
TITLES = {
    "business": "业务部绩效看板",
    "engineering": "工程管理部绩效看板",
    "finance": "财务部绩效看板",
}


def forwards(apps, schema_editor):
    KpiDefinition = apps.get_model("kpi", "KpiDefinition")
    Scorecard = apps.get_model("kpi", "Scorecard")
    ScorecardWeight = apps.get_model("kpi", "ScorecardWeight")
    by_code = {}
    for sequence, row in enumerate(DEFINITIONS, start=1):
        kpi, _created = KpiDefinition.objects.update_or_create(
            code=row["code"], defaults={**row, "sequence": sequence * 10}
        )
        by_code[kpi.code] = kpi
    for department, weights in WEIGHTS.items():
        card, _created = Scorecard.objects.get_or_create(
            department=department, defaults={"title": TITLES[department]}
        )
        for code, weight in weights.items():
            ScorecardWeight.objects.get_or_create(
                scorecard=card, kpi=by_code[code], defaults={"weight": Decimal(weight)}
            )


def backwards(apps, schema_editor):
    apps.get_model("kpi", "Scorecard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_kpi")]

    operations = [migrations.RunPython(forwards, backwards)]
