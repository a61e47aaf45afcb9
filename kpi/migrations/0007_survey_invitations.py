"""The customer's own voice: satisfaction surveys carry their source (existing rows were
entered by staff), the private survey links (only the token's SHA-256 is stored), and the
satisfaction KPI's written definition names the source. A definition PMO has reworded in the
admin is left as it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


CODE = "customer_satisfaction"
OLD_ZH = "期间值，单位%。调查日期落在期间内的满意度调查中，总体评分≥4分的份数 / 调查总份数；另显示平均总体评分。项目的任何阶段均计入。录入时所属期间已关账的调查，在PMO重述该期间前不计入任何期间（待重述，见“期间重述”）。"
OLD_EN = "Period value, in %. Surveys dated in the period with an overall score of 4 or 5, divided by all surveys dated in the period; the average overall score is shown too. Projects of every stage count. A survey recorded after its period was closed counts in no period until PMO restates that period (pending restatement)."


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
    dependencies = [
        ("kpi", "0006_payment_timeliness"),
        ("projects", "0015_payment_milestones"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="satisfactionsurvey",
            name="source",
            field=models.CharField(
                choices=[("staff", "录入"), ("customer", "客户填写")],
                db_index=True,
                default="staff",
                max_length=10,
                verbose_name="来源",
            ),
        ),
        migrations.CreateModel(
            name="SurveyInvitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, db_index=True, verbose_name="更新时间"),
                ),
                ("recipient_name", models.CharField(max_length=200, verbose_name="客户联系人")),
                (
                    "email",
                    models.EmailField(
                        blank=True, default="", max_length=254, verbose_name="电子邮件"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        default="zh-hans",
                        max_length=10,
                        verbose_name="语言",
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="令牌摘要"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="失效时间")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="填写时间")),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="撤回时间"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发送人",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_invitations",
                        to="projects.project",
                        verbose_name="项目",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="撤回人",
                    ),
                ),
                (
                    "survey",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="invitation",
                        to="kpi.satisfactionsurvey",
                        verbose_name="满意度调查",
                    ),
                ),
            ],
            options={
                "verbose_name": "客户问卷链接",
                "verbose_name_plural": "客户问卷链接",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("used_at__isnull", True), ("revoked_at__isnull", True), _connector="OR"
                        ),
                        name="survey_invitation_used_or_revoked",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
