"""Personal work notices: what a user linked to DingTalk, WeCom or Feishu receives."""

import json

import pytest
from django.db import transaction

from coordination.chat import services
from coordination.chat.models import ChatIdentity, WorkNotice
from coordination.core.models import Notification
from coordination.core.services import notify
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def linked(platform: str, external_id: str, **kw):
    user = factories.business_user(**kw)
    ChatIdentity.objects.create(user=user, platform=platform, external_id=external_id)
    return user


def test_each_platform_receives_its_documented_message(platforms):
    ding = linked("dingtalk", "ding-1")
    wecom = linked("wecom", "wc-1")
    feishu = linked("feishu", "fs-1")
    notify(
        [ding, wecom, feishu],
        kind="change_request.submitted",
        subject="变更申请 CR-001 待审批",
        body="范围变更",
        url="/projects/1/changes/1/",
    )
    [dt] = platforms.messages("dingtalk")
    assert dt["userid_list"] == "ding-1" and dt["agent_id"] == "1001"
    assert dt["msg"]["msgtype"] == "action_card"
    assert dt["msg"]["action_card"]["single_url"].endswith("/projects/1/changes/1/")
    [wc] = platforms.messages("wecom")
    assert wc["touser"] == "wc-1" and wc["msgtype"] == "textcard"
    assert wc["textcard"]["title"] == "变更申请 CR-001 待审批"
    [fs] = platforms.messages("feishu")
    assert fs["receive_id"] == "fs-1" and fs["msg_type"] == "interactive"
    card = json.loads(fs["content"])
    assert card["header"]["title"]["content"] == "变更申请 CR-001 待审批"
    assert set(WorkNotice.objects.values_list("status", flat=True)) == {"sent"}
    # the in-app inbox still has them
    assert Notification.objects.filter(kind="change_request.submitted").count() == 3


def test_the_token_is_fetched_once_and_reused(platforms):
    users = [linked("dingtalk", f"d-{i}") for i in range(3)]
    for i in range(2):
        notify(users, kind="task.assigned", subject=f"任务 {i}")
    assert len(platforms.messages("dingtalk")) == 6
    assert platforms.token_calls("dingtalk") == 1


def test_a_kind_switched_off_is_not_sent_but_stays_in_the_inbox(platforms):
    user = linked("feishu", "fs-9")
    services.set_work_notice_choices(user, ["change_request.submitted"])
    notify([user], kind="task.assigned", subject="任务")
    notify([user], kind="change_request.submitted", subject="变更")
    titles = [
        json.loads(m["content"])["header"]["title"]["content"] for m in platforms.messages("feishu")
    ]
    assert titles == ["变更"]
    assert Notification.objects.filter(user=user).count() == 2
    assert "task.assigned" not in services.enabled_kinds(user)


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        services.set_work_notice_choices(factories.business_user(), ["nope"])


def test_a_broken_platform_blocks_no_other_and_is_retried(platforms):
    ding = linked("dingtalk", "ding-2")
    wecom = linked("wecom", "wc-2")
    platforms.fail.add("dingtalk")
    notify([ding, wecom], kind="task.assigned", subject="任务")
    assert len(platforms.messages("wecom")) == 1
    broken = WorkNotice.objects.get(platform="dingtalk")
    assert broken.status == "pending" and "88" in broken.last_error and broken.attempts == 1
    platforms.fail.clear()
    WorkNotice.objects.filter(pk=broken.pk).update(next_attempt_at=None)
    assert services.attempt(broken.pk) is None
    broken.refresh_from_db()
    assert broken.status == "sent"
    assert len(platforms.messages("dingtalk")) == 2  # one refused, one delivered


def test_after_the_last_attempt_the_notice_is_failed(platforms):
    user = linked("wecom", "wc-3")
    platforms.fail.add("wecom")
    notify([user], kind="task.assigned", subject="任务")
    notice = WorkNotice.objects.get()
    for _ in range(services.MAX_ATTEMPTS):
        WorkNotice.objects.filter(pk=notice.pk).update(next_attempt_at=None)
        services.attempt(notice.pk)
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.attempts == services.MAX_ATTEMPTS


def test_a_claimed_notice_is_not_sent_twice(platforms):
    user = linked("dingtalk", "ding-4")
    notify([user], kind="task.assigned", subject="任务")
    notice = WorkNotice.objects.get()
    WorkNotice.objects.filter(pk=notice.pk).update(status="pending", next_attempt_at=None)
    services.attempt(notice.pk)
    services.attempt(notice.pk)  # second worker: already sent
    assert len(platforms.messages("dingtalk")) == 2  # the first send plus this one re-sent


def test_a_rolled_back_action_sends_nothing(platforms):
    user = linked("dingtalk", "ding-5")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([user], kind="task.assigned", subject="任务")
        raise RuntimeError
    assert platforms.messages("dingtalk") == [] and not WorkNotice.objects.exists()


def test_without_a_configured_platform_nothing_is_queued(settings):
    settings.CHAT_PLATFORMS = {}
    user = linked("dingtalk", "ding-6")
    notify([user], kind="task.assigned", subject="任务")
    assert not WorkNotice.objects.exists()


def test_wrong_credentials_are_reported_as_the_error(platforms, settings):
    conf = platforms.settings()
    conf["feishu"]["secret"] = "wrong"
    settings.CHAT_PLATFORMS = conf
    user = linked("feishu", "fs-7")
    notify([user], kind="task.assigned", subject="任务")
    notice = WorkNotice.objects.get()
    assert notice.status == "pending" and "10003" in notice.last_error


def test_the_user_chooses_kinds_on_their_page(client):
    user = linked("wecom", "wc-page")
    client.force_login(user)
    page = client.get("/chat/work-notices/")
    assert page.status_code == 200 and "wc-page" in page.content.decode()
    response = client.post("/chat/work-notices/", {"kinds": ["change_request.submitted"]})
    assert response.status_code == 302
    assert services.enabled_kinds(user) == {"change_request.submitted"}
    from coordination.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="notification_preferences.updated").count() == 1
    assert client.post("/chat/work-notices/", {"kinds": ["nope"]}).status_code == 400
    assert services.enabled_kinds(user) == {"change_request.submitted"}


def test_the_page_needs_a_login(client):
    assert client.get("/chat/work-notices/").status_code == 302
