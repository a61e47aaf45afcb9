"""投诉关闭周期 (complaint closure time): a joint KPI read from the complaints' closure dates
(kpi.complaints: closure confirmed by the other department). Not weighted on any scorecard:
PMO gives it a weight in the admin. Its written definition is kpi/definitions.py's at the
time of this migration."""

from decimal import Decimal

from django.db import migrations

CODE = "complaint_closure_time"
ROW = {
    "name_zh": "投诉关闭周期",
    "name_en": "Complaint closure time",
    "unit": "天",
    "direction": "lower",
    "target": Decimal("10"),
    "is_joint": True,
    "owner_department": "",
    "sequence": 100,
}


def forwards(apps, schema_editor):
    from kpi.definitions import DEFINITIONS

    zh, en = DEFINITIONS[CODE]
    apps.get_model("kpi", "KpiDefinition").objects.update_or_create(
        code=CODE, defaults={**ROW, "formula_zh": zh, "formula_en": en}
    )


def backwards(apps, schema_editor):
    apps.get_model("kpi", "KpiDefinition").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0007_survey_invitations")]

    operations = [migrations.RunPython(forwards, backwards)]
