"""Job rotation as a programme: status, host department, mentor, actual dates, the host's
assessment; approvals and monthly check-ins.

The records kept from before (plain records, never approved) take the status their dates
tell: ended (an end date not after today) → closed, its actual dates the recorded ones;
started → in progress since its start date; not started yet → approved (they were recorded,
not asked for). Their host department stays blank: it was never recorded."""

import datetime

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def legacy_statuses(apps, schema_editor):
    JobRotation = apps.get_model("coordination", "JobRotation")
    today = datetime.date.today()
    rows = JobRotation.objects.filter(host_department="")
    rows.filter(end_date__isnull=False, end_date__lte=today).update(
        status="closed", actual_start=models.F("start_date"), actual_end=models.F("end_date")
    )
    rows.filter(status="planned", start_date__lte=today).update(
        status="in_progress", actual_start=models.F("start_date")
    )
    rows.filter(status="planned").update(status="approved")


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0017_cadence_departments_lessons"),
        ("projects", "0015_payment_milestones"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RotationApproval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("round", models.PositiveSmallIntegerField(verbose_name="审批轮次")),
                (
                    "side",
                    models.CharField(
                        choices=[("own", "原部门"), ("host", "接收部门")],
                        max_length=10,
                        verbose_name="审批方",
                    ),
                ),
                (
                    "department",
                    models.CharField(
                        choices=[
                            ("business", "业务部"),
                            ("engineering", "工程管理部"),
                            ("finance", "财务部"),
                            ("pmo", "项目管理办公室"),
                        ],
                        max_length=20,
                        verbose_name="部门",
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("approved", "批准"), ("rejected", "退回")],
                        max_length=10,
                        verbose_name="决定",
                    ),
                ),
                ("on_behalf", models.BooleanField(default=False, verbose_name="PMO代为审批")),
                ("comment", models.TextField(blank=True, default="", verbose_name="意见")),
                ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="审批时间")),
            ],
            options={
                "verbose_name": "轮岗审批",
                "verbose_name_plural": "轮岗审批",
                "ordering": ["rotation", "round", "decided_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RotationCheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="日期")),
                ("note", models.TextField(verbose_name="记录")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
            ],
            options={
                "verbose_name": "轮岗月度记录",
                "verbose_name_plural": "轮岗月度记录",
                "ordering": ["-date", "-id"],
            },
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="actual_end",
            field=models.DateField(blank=True, null=True, verbose_name="实际结束日期"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="actual_start",
            field=models.DateField(blank=True, null=True, verbose_name="实际开始日期"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="assessed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="评价人",
            ),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="cancel_reason",
            field=models.TextField(blank=True, default="", verbose_name="取消原因"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="host_assessment",
            field=models.TextField(blank=True, default="", verbose_name="接收方评价"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="host_department",
            field=models.CharField(
                blank=True,
                choices=[
                    ("business", "业务部"),
                    ("engineering", "工程管理部"),
                    ("finance", "财务部"),
                    ("pmo", "项目管理办公室"),
                ],
                default="",
                max_length=20,
                verbose_name="接收部门",
            ),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="host_score",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5),
                ],
                verbose_name="接收方评分",
            ),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="mentor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="mentored_rotations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="导师",
            ),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="reminded_month",
            field=models.DateField(blank=True, null=True, verbose_name="最近提醒月份"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="round",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="审批轮次"),
        ),
        migrations.AddField(
            model_name="jobrotation",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "待审批"),
                    ("returned", "已退回"),
                    ("approved", "已批准"),
                    ("in_progress", "进行中"),
                    ("closed", "已结束"),
                    ("cancelled", "已取消"),
                ],
                db_index=True,
                default="planned",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="jobrotation",
            name="end_date",
            field=models.DateField(blank=True, null=True, verbose_name="计划结束日期"),
        ),
        migrations.AlterField(
            model_name="jobrotation",
            name="start_date",
            field=models.DateField(verbose_name="计划开始日期"),
        ),
        migrations.AddIndex(
            model_name="jobrotation",
            index=models.Index(
                condition=models.Q(("status", "closed")),
                fields=["user", "actual_end"],
                name="job_rotation_closed_by_user",
            ),
        ),
        migrations.AddConstraint(
            model_name="jobrotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("host_score__isnull", True),
                    models.Q(("host_score__gte", 1), ("host_score__lte", 5)),
                    _connector="OR",
                ),
                name="job_rotation_host_score_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="jobrotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("actual_end__isnull", True),
                    models.Q(
                        ("actual_end__gte", models.F("actual_start")),
                        ("actual_start__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="job_rotation_actual_end_after_start",
            ),
        ),
        migrations.AddField(
            model_name="rotationapproval",
            name="approver",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审批人",
            ),
        ),
        migrations.AddField(
            model_name="rotationapproval",
            name="rotation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="approvals",
                to="coordination.jobrotation",
                verbose_name="轮岗",
            ),
        ),
        migrations.AddField(
            model_name="rotationcheckin",
            name="author",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="记录人",
            ),
        ),
        migrations.AddField(
            model_name="rotationcheckin",
            name="rotation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="check_ins",
                to="coordination.jobrotation",
                verbose_name="轮岗",
            ),
        ),
        migrations.AddConstraint(
            model_name="rotationapproval",
            constraint=models.UniqueConstraint(
                fields=("rotation", "round", "side"), name="rotation_approval_one_per_side"
            ),
        ),
        migrations.AddIndex(
            model_name="rotationcheckin",
            index=models.Index(fields=["rotation", "date"], name="rotation_check_in_month"),
        ),
        migrations.RunPython(legacy_statuses, migrations.RunPython.noop),
    ]
