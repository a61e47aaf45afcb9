"""Notification preferences (#19 item 5): per kind of event and channel (in-app, e-mail, work
notice), one rule read by `notify` and the chat sender, one settings page, the API, audit; the
chat work-notice choices moved into it with nothing lost."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coordination.chat import services as chat
from coordination.core.models import AuditEvent, Notification, NotificationPreference
from coordination.core.services import notify, set_notification_preferences
from tests import factories
from tests.api.helpers import client_for
from tests.formpage import login

pytestmark = pytest.mark.django_db


def _row(grid: dict, kind: str) -> dict:
    return next(r for r in grid["kinds"] if r["kind"] == kind)


def test_without_a_choice_every_channel_is_on_and_nothing_is_stored():
    me = factories.business_user()
    grid = client_for(me).get("/api/v1/notifications/preferences/").json()
    assert grid["daily_digest"] is False
    row = _row(grid, "task.assigned")
    assert (row["inapp"], row["email"], row["work_notice"]) == (True, True, True)
    assert row["label"] and row["inapp_required"] is False
    assert _row(grid, "change_request.awaiting_decision")["inapp_required"] is True
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_email_preference_decides_which_mails_are_delivered():
    me = factories.business_user()
    set_notification_preferences(me, [("task.assigned", "email", False)])
    notify([me], kind="task.assigned", subject="任务")
    notify([me], kind="comment_mention", subject="提到你")
    assert [m.subject for m in mail.outbox] == ["提到你"]
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 2


def test_inapp_switched_off_files_the_notification_as_read():
    me = factories.business_user()
    set_notification_preferences(me, [("project.stage_changed", "inapp", False)])
    [n] = notify([me], kind="project.stage_changed", subject="阶段", url="/projects/X/")
    assert n.read_at is not None
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    # a second event is filed too: nothing folds into a read row, nothing shows as unread
    notify([me], kind="project.stage_changed", subject="阶段 2", url="/projects/X/")
    assert Notification.objects.filter(user=me).count() == 2
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()


def test_inapp_cannot_be_switched_off_for_requests_awaiting_the_user():
    me = factories.business_user()
    api = client_for(me)
    response = api.put(
        "/api/v1/notifications/preferences/",
        {"kinds": [{"kind": "change_request.awaiting_decision", "inapp": False, "email": False}]},
        format="json",
    )
    assert response.status_code == 400 and "kinds" in response.json()
    assert not NotificationPreference.objects.exists()  # the e-mail half was not written either
    [n] = notify([me], kind="change_request.awaiting_decision", subject="待你审批")
    assert n.read_at is None


def test_the_api_sets_what_it_names_and_answers_the_grid():
    me = factories.business_user()
    api = client_for(me)
    response = api.put(
        "/api/v1/notifications/preferences/",
        {"daily_digest": True, "kinds": [{"kind": "task.assigned", "email": False}]},
        format="json",
    )
    assert response.status_code == 200
    grid = response.json()
    assert grid["daily_digest"] is True
    assert _row(grid, "task.assigned")["email"] is False
    assert _row(grid, "task.assigned")["inapp"] is True
    event = AuditEvent.objects.get(action="notification_preferences.updated")
    assert event.after == {"task.assigned/email": False, "daily_digest": True}
    # switching back on removes the row: no row is the default
    api.put(
        "/api/v1/notifications/preferences/",
        {"kinds": [{"kind": "task.assigned", "email": True}]},
        format="json",
    )
    assert not NotificationPreference.objects.filter(user=me).exists()
    # unknown kinds are refused naming the field, nothing changes
    bad = api.put(
        "/api/v1/notifications/preferences/", {"kinds": [{"kind": "nope"}]}, format="json"
    )
    assert bad.status_code == 400 and "kinds" in bad.json()
    assert api.get("/api/v1/notifications/preferences/").json()["daily_digest"] is True


def test_an_unchanged_save_writes_no_audit_event():
    me = factories.business_user()
    set_notification_preferences(me, [("task.assigned", "email", True)], daily_digest=False)
    assert not AuditEvent.objects.filter(action="notification_preferences.updated").exists()


def test_the_settings_page_is_the_grid():
    me = factories.business_user()
    browser = login(me)
    page = browser.get("/notifications/settings/").content.decode()
    assert 'value="email:task.assigned"' in page and "必收" in page
    assert 'value="inapp:change_request.awaiting_decision" id=' in page
    # every box ticked but task.assigned by e-mail; the disabled required box is not sent
    from coordination.core.channels_rule import INAPP_REQUIRED, KINDS, PREFERENCE_CHANNELS

    ticked = [
        f"{channel}:{code}"
        for code, _label in KINDS
        for channel in PREFERENCE_CHANNELS
        if f"{channel}:{code}" != "email:task.assigned"
        and not (channel == "inapp" and code in INAPP_REQUIRED)
    ]
    response = browser.post("/notifications/settings/", {"on": ticked, "daily_digest": "1"})
    assert response.status_code == 302
    assert set(
        NotificationPreference.objects.filter(user=me).values_list("kind", "channel", "enabled")
    ) == {("task.assigned", "email", False)}
    me.profile.refresh_from_db()
    assert me.profile.daily_digest is True
    assert "通知设置" in browser.get("/profile/").content.decode()


def test_the_work_notices_page_and_the_grid_are_one_setting():
    me = factories.business_user()
    chat.set_work_notice_choices(me, ["change_request.submitted"])
    grid = client_for(me).get("/api/v1/notifications/preferences/").json()
    assert _row(grid, "change_request.submitted")["work_notice"] is True
    assert _row(grid, "task.assigned")["work_notice"] is False
    assert _row(grid, "task.assigned")["email"] is True
    set_notification_preferences(me, [("task.assigned", "work_notice", True)])
    assert chat.enabled_kinds(me) >= {"change_request.submitted", "task.assigned"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_work_notice_choice():
    me = factories.business_user()
    before = [("coordination", "0013_chat_work_notices")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Choice = apps.get_model("coordination", "WorkNoticeChoice")
    Choice.objects.create(user_id=me.pk, kind="task.assigned", enabled=False)
    Choice.objects.create(user_id=me.pk, kind="comment_mention", enabled=True)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert "task.assigned" not in chat.enabled_kinds(me)
    assert "comment_mention" in chat.enabled_kinds(me)
    assert set(NotificationPreference.objects.values_list("kind", "channel", "enabled")) == {
        ("task.assigned", "work_notice", False)
    }
