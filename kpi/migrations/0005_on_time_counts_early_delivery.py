"""The on-time delivery rate counts a milestone done early in the period it was done: its
written definition changes. A definition PMO has reworded in the admin is left as it is."""

from django.db import migrations

CODE = "on_time_delivery_rate"
OLD_ZH = "期间值，单位%。分母：基线日期落在期间内且不晚于今天的里程碑；不计：已取消的里程碑、基线日期为今天且尚未完成的里程碑（当天结束前不算延误）、暂停中（on_hold）项目尚未完成的里程碑（项目恢复后重新计入）。分子：其中已完成且实际完成日期不晚于基线日期的里程碑。提前完成的里程碑计入其基线日期所在期间（基线日期到来时），按准时计。项目的任何阶段均计入。"
OLD_EN = "Period value, in %. Denominator: milestones whose baseline date is in the period and not after today; left out: cancelled milestones, a milestone due today and not done yet (it is not late before the day ends), the milestones not done of a project on hold (paused; counted again when it resumes). Numerator: those done with an actual date on or before the baseline date. A milestone done early counts, as on time, in the period of its baseline date, once that date has come. Projects of every stage count."


def forwards(apps, schema_editor):
    from kpi.definitions import DEFINITIONS

    KpiDefinition = apps.get_model("kpi", "KpiDefinition")
    zh, en = DEFINITIONS[CODE]
    KpiDefinition.objects.filter(code=CODE, formula_zh=OLD_ZH).update(formula_zh=zh)
    KpiDefinition.objects.filter(code=CODE, formula_en=OLD_EN).update(formula_en=en)


def backwards(apps, schema_editor):
    from kpi.definitions import DEFINITIONS

    KpiDefinition = apps.get_model("kpi", "KpiDefinition")
    zh, en = DEFINITIONS[CODE]
    KpiDefinition.objects.filter(code=CODE, formula_zh=zh).update(formula_zh=OLD_ZH)
    KpiDefinition.objects.filter(code=CODE, formula_en=en).update(formula_en=OLD_EN)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0004_complaint_handling")]

    operations = [migrations.RunPython(forwards, backwards)]
