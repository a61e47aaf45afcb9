"""回款及时率 (payment timeliness rate): a joint KPI on the business and the engineering
scorecards, read from the payment milestones (projects 0015). Its written definition is
kpi/definitions.py's at the time of this migration."""

from decimal import Decimal

from django.db import migrations

CODE = "payment_timeliness_rate"
ROW = {
    "name_zh": "回款及时率",
    "name_en": "Payment timeliness rate",
    "unit": "%",
    "direction": "higher",
    "target": Decimal("90"),
    "is_joint": True,
    "owner_department": "",
    "sequence": 90,
}
WEIGHTS = {"business": Decimal("10"), "engineering": Decimal("10")}
TITLES = {"business": "业务部绩效看板", "engineering": "工程管理部绩效看板"}


def forwards(apps, schema_editor):
    from kpi.definitions import DEFINITIONS

    KpiDefinition = apps.get_model("kpi", "KpiDefinition")
    Scorecard = apps.get_model("kpi", "Scorecard")
    ScorecardWeight = apps.get_model("kpi", "ScorecardWeight")
    zh, en = DEFINITIONS[CODE]
    kpi, _created = KpiDefinition.objects.update_or_create(
        code=CODE, defaults={**ROW, "formula_zh": zh, "formula_en": en}
    )
    for department, weight in WEIGHTS.items():
        card, _created = Scorecard.objects.get_or_create(
            department=department, defaults={"title": TITLES[department]}
        )
        ScorecardWeight.objects.get_or_create(scorecard=card, kpi=kpi, defaults={"weight": weight})


def backwards(apps, schema_editor):
    apps.get_model("kpi", "KpiDefinition").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0005_on_time_counts_early_delivery"),
        ("projects", "0015_payment_milestones"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
