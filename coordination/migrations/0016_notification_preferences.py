"""Notification preferences per kind and channel, the daily digest, the centre's project
filter. The chat work-notice choices (WorkNoticeChoice) move into the preferences' work-notice
column: every kind a user switched off becomes an "off" row there (an "on" choice is the
default, which needs no row), so nothing chosen is lost; going back restores the off rows. Existing notifications are filed
under a project when their link names one (/projects/<code>/…, /handover/<code>/)."""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LINKED = re.compile(r"^/(?:projects|handover)/([^/]+)/")


def copy_work_notice_choices(apps, schema_editor):
    Choice = apps.get_model("coordination", "WorkNoticeChoice")
    Preference = apps.get_model("coordination", "NotificationPreference")
    Preference.objects.bulk_create(
        [
            Preference(user_id=user_id, kind=kind, channel="work_notice", enabled=enabled)
            for user_id, kind, enabled in Choice.objects.filter(enabled=False).values_list(
                "user_id", "kind", "enabled"
            )
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def copy_preferences_back(apps, schema_editor):
    Choice = apps.get_model("coordination", "WorkNoticeChoice")
    Preference = apps.get_model("coordination", "NotificationPreference")
    Choice.objects.bulk_create(
        [
            Choice(user_id=user_id, kind=kind, enabled=enabled)
            for user_id, kind, enabled in Preference.objects.filter(
                channel="work_notice"
            ).values_list("user_id", "kind", "enabled")
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def file_under_projects(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE coordination_notification SET project_code = "
            "substring(url from '^/(?:projects|handover)/([^/]+)/') "
            "WHERE url ~ '^/(projects|handover)/[^/]+/' "
            "AND length(substring(url from '^/(?:projects|handover)/([^/]+)/')) <= 40"
        )
        return
    Notification = apps.get_model("coordination", "Notification")
    for pk, url in Notification.objects.filter(url__regex=r"^/(projects|handover)/").values_list(
        "pk", "url"
    ):
        match = LINKED.match(url)
        if match and len(match.group(1)) <= 40:
            Notification.objects.filter(pk=pk).update(project_code=match.group(1))


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0015_search_comments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationDigest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                (
                    "status",
                    models.CharField(
                        choices=[("sending", "发送中"), ("sent", "已发送"), ("failed", "发送失败")],
                        default="sending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("count", models.PositiveIntegerField(default=0, verbose_name="通知数")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                ("last_error", models.TextField(blank=True, default="", verbose_name="最近错误")),
            ],
            options={
                "verbose_name": "每日通知摘要",
                "verbose_name_plural": "每日通知摘要",
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=60, verbose_name="事件类型")),
                (
                    "channel",
                    models.CharField(
                        choices=[("inapp", "站内"), ("email", "邮件"), ("work_notice", "工作通知")],
                        max_length=20,
                        verbose_name="渠道",
                    ),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="发送")),
            ],
            options={
                "verbose_name": "通知偏好",
                "verbose_name_plural": "通知偏好",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="project_code",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="项目编号"),
        ),
        migrations.AddField(
            model_name="profile",
            name="daily_digest",
            field=models.BooleanField(default=False, verbose_name="每日通知摘要邮件"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["user", "project_code"], name="notification_user_project"),
        ),
        migrations.AddField(
            model_name="notificationdigest",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notification_digests",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notification_preferences",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationdigest",
            constraint=models.UniqueConstraint(
                fields=("user", "day"), name="notification_digest_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.UniqueConstraint(
                fields=("user", "kind", "channel"), name="notification_preference_once"
            ),
        ),
        migrations.RunPython(copy_work_notice_choices, copy_preferences_back),
        migrations.RunPython(file_under_projects, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="WorkNoticeChoice",
        ),
    ]
