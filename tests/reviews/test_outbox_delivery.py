"""Reminder outbox delivery (issue 18): each e-mail/chat message recorded sent the moment its
channel answers, so a crash repeats one message at most; a reclaim is an attempt and the
last one ends `failed` with its reason (shown to PMO); a batch stops taking rows at half its
lease and a slow channel holds back neither the others nor the inbox; every message carries
a stable id (Message-ID, chat marker) so the receiver can drop the rare repeat."""

import collections
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from coordination.reviews.reminders import channels, rules
from coordination.reviews.reminders import portable as reminders_portable
from coordination.reviews.reminders.create import create_review_reminders
from coordination.reviews.reminders.send import claim_batch, send_batch, send_due_reminders
from tests.factories import UserFactory
from tests.reviews.factories import CadenceFactory, ReviewFactory

NOW = datetime.datetime(2026, 11, 25, 0, 45, tzinfo=datetime.UTC)  # 08:45 Shanghai
MARKER = re.compile(r"\[reminder-(\d+)\]$")


class ChatRobot(BaseHTTPRequestHandler):
    """A local chat robot: records each post's marker, then answers after `delay` seconds."""

    received: list = []
    delay = 0.0

    def do_POST(self):  # noqa: N802
        content = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(MARKER.search(content["text"]["content"]).group(1))
        time.sleep(type(self).delay)
        body = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatRobot)
    ChatRobot.received = []
    ChatRobot.delay = 0.0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    yield f"http://127.0.0.1:{server.server_port}/robot/send?access_token=t"
    server.shutdown()
    server.server_close()


def standup(people: int, chat_url: str = ""):
    """A stand-up at 09:00 Shanghai, 15 minutes after NOW, with `people` participants, each
    reminded by e-mail and in-app (and chat when `chat_url` is given)."""
    users = [UserFactory() for _ in range(people)]
    for user in users:
        user.profile.notify_chat = bool(chat_url)
        user.profile.chat_webhook_url = chat_url
        user.profile.save()
    review = ReviewFactory(cadence=CadenceFactory(participants=users), date=NOW.date())
    create_review_reminders(now=NOW)
    return review


def message_ids():
    return [message.message()["Message-ID"] for message in mail.outbox]


class Killed(BaseException):
    """The process dies (SIGKILL): nothing after this line of the sender runs."""


@pytest.mark.django_db
def test_a_crash_after_an_email_repeats_only_that_email(monkeypatch, settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 300
    standup(5)
    real_email = channels.SENDERS[Reminder.Channel.EMAIL]
    calls = []

    def dies_after_the_third(reminder):
        real_email(reminder)  # the SMTP server has the message
        calls.append(reminder.pk)
        if len(calls) == 3:
            raise Killed

    monkeypatch.setitem(channels.SENDERS, Reminder.Channel.EMAIL, dies_after_the_third)
    with pytest.raises(Killed):
        send_due_reminders(now=NOW)
    emails = Reminder.objects.filter(channel="email")
    assert emails.filter(status="sent").count() == 2  # recorded as each went out
    assert Notification.objects.count() == 5  # the inbox went first, in one go
    assert Reminder.objects.filter(channel="inapp", status="sent").count() == 5

    monkeypatch.setitem(channels.SENDERS, Reminder.Channel.EMAIL, real_email)
    assert send_due_reminders(now=NOW + datetime.timedelta(minutes=1))["claimed"] == 0
    send_due_reminders(now=NOW + datetime.timedelta(minutes=6))  # the lease has expired
    assert emails.filter(status="sent").count() == 5
    received = collections.Counter(message_ids())
    assert set(received) == {
        f"<reminder-{pk}@localhost>" for pk in emails.values_list("pk", flat=True)
    }
    assert sorted(received.values()) == [1, 1, 1, 1, 2]  # one repeat: the one in flight
    assert received[f"<reminder-{calls[2]}@localhost>"] == 2
    assert Notification.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["postgresql", "portable"])
def test_reclaims_are_attempts_and_the_last_ends_failed_with_its_reason(
    path, monkeypatch, settings
):
    if path == "portable":
        monkeypatch.setattr(reminders_portable, "in_use", lambda: True)  # as on SQLite
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 300
    settings.REMINDER_MAX_ATTEMPTS = 3
    standup(1)
    lease = datetime.timedelta(minutes=6)
    for attempt in (1, 2, 3):  # each claim's sender hangs or dies: nothing is recorded
        claimed = claim_batch(now=NOW + attempt * lease)
        assert len(claimed) == 2 and {r.attempts for r in claimed} == {attempt}
    assert claim_batch(now=NOW + 4 * lease) == []
    rows = Reminder.objects.all()
    assert {(r.status, r.attempts, r.failure_reason) for r in rows} == {("failed", 3, "lease")}
    assert {r.last_error for r in rows} == {rules.LEASE_ERROR}
    assert send_due_reminders(now=NOW + 10 * lease)["claimed"] == 0


@pytest.mark.django_db
def test_a_channel_failing_every_attempt_ends_failed_with_channel_as_reason(monkeypatch, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    standup(1)

    def refuse(reminder):
        raise channels.ChannelError("mail: 554 refused")

    monkeypatch.setitem(channels.SENDERS, Reminder.Channel.EMAIL, refuse)
    send_due_reminders(now=NOW)
    send_due_reminders(now=NOW + datetime.timedelta(hours=1))
    row = Reminder.objects.get(channel="email")
    assert (row.status, row.attempts, row.failure_reason) == ("failed", 2, "channel")
    assert row.last_error == "mail: 554 refused"


@pytest.mark.django_db
def test_a_slow_chat_robot_holds_back_neither_email_nor_inbox_nor_outlives_the_lease(
    robot, settings
):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 2  # rows are taken for 1 s after the claim
    standup(6, chat_url=robot)
    ChatRobot.delay = 0.4
    batch = claim_batch()
    assert len(batch) == 18
    started = time.monotonic()
    sent = send_batch(batch)
    took = time.monotonic() - started
    assert took < 2  # done before anyone may reclaim the batch
    assert not Reminder.objects.filter(status="sending").exists()
    assert Notification.objects.count() == 6 and len(mail.outbox) == 6
    chat = Reminder.objects.filter(channel="chat")
    posted = chat.filter(status="sent").count()
    assert 1 <= posted < 6 and sent == 12 + posted
    # the rest were given back untried: not counted as an attempt
    assert set(chat.filter(status="pending").values_list("attempts", flat=True)) == {0}

    while Reminder.objects.exclude(status="sent").exists():
        send_due_reminders()
    assert sorted(ChatRobot.received) == sorted(str(pk) for pk in chat.values_list("pk", flat=True))
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}
    assert len(mail.outbox) == 6 and Notification.objects.count() == 6


@pytest.mark.django_db
def test_a_slow_mail_server_leaves_the_chat_its_share_of_the_batch(robot, monkeypatch, settings):
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 2
    standup(6, chat_url=robot)
    real_email = channels.SENDERS[Reminder.Channel.EMAIL]

    def slow_email(reminder):
        time.sleep(0.4)
        real_email(reminder)

    monkeypatch.setitem(channels.SENDERS, Reminder.Channel.EMAIL, slow_email)
    send_batch(claim_batch())
    assert Notification.objects.count() == 6
    assert 1 <= len(mail.outbox) < 6
    assert len(ChatRobot.received) == 6  # e-mail used up its half only


@pytest.mark.django_db
def test_a_hung_chat_robot_costs_one_timeout_per_batch_and_its_rows_end_failed(robot, settings):
    settings.CHAT_WEBHOOK_TIMEOUT = 0.3
    settings.REMINDER_MAX_ATTEMPTS = 2
    settings.REMINDER_BACKOFF_SECONDS = 0
    standup(4, chat_url=robot)
    ChatRobot.delay = 1.0  # past the timeout
    started = time.monotonic()
    send_batch(claim_batch())
    assert time.monotonic() - started < 1  # one timeout, not four
    assert Notification.objects.count() == 4 and len(mail.outbox) == 4
    assert len(ChatRobot.received) == 1
    chat = Reminder.objects.filter(channel="chat")
    assert sorted(chat.values_list("status", "attempts")) == [("pending", 0)] * 3 + [("pending", 1)]
    while chat.exclude(status="failed").exists():
        send_due_reminders()
    assert set(chat.values_list("attempts", "failure_reason")) == {(2, "channel")}
    assert "ReadTimeout" in chat.first().last_error
    assert len(ChatRobot.received) == 8  # every attempt, none past the maximum
    assert len(mail.outbox) == 4 and Notification.objects.count() == 4


@pytest.mark.django_db
def test_every_message_carries_a_stable_id_from_its_reminder(robot):
    standup(1, chat_url=robot)
    send_due_reminders(now=NOW)
    email = Reminder.objects.get(channel="email")
    chat = Reminder.objects.get(channel="chat")
    assert message_ids() == [f"<reminder-{email.pk}@localhost>"]
    assert ChatRobot.received == [str(chat.pk)]
    target, payload = channels.build_chat_request(
        "https://oapi.dingtalk.com/robot/send?access_token=t", "例会提醒", marker="[reminder-7]"
    )
    assert payload["text"]["content"] == "例会提醒\n[reminder-7]"


def test_channel_timeouts_must_sit_well_inside_the_lease(settings):
    assert rules.check_channel_timeouts() == []  # the defaults: 10 s and 30 s of 300 s
    settings.REMINDER_SENDING_TIMEOUT_SECONDS = 60
    errors = rules.check_channel_timeouts()
    assert [(e.id, e.msg.split()[0]) for e in errors] == [("reminders.E001", "EMAIL_TIMEOUT")]
    settings.EMAIL_TIMEOUT = None  # an SMTP server could hang a batch for ever
    settings.CHAT_WEBHOOK_TIMEOUT = 20
    assert [e.msg.split()[0] for e in rules.check_channel_timeouts()] == [
        "CHAT_WEBHOOK_TIMEOUT",
        "EMAIL_TIMEOUT",
    ]


@pytest.mark.slow
def test_a_worker_refuses_to_start_with_a_channel_timeout_past_a_quarter_lease(settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coordination.settings_test",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "REMINDER_SENDING_TIMEOUT_SECONDS": "60",  # EMAIL_TIMEOUT 30 s is half of it
    }
    worker = subprocess.run(
        [str(Path(sys.executable).parent / "celery"), "-A", "coordination", "worker"]
        + ["-Q", "never-used", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 1
    assert "reminders.E001: EMAIL_TIMEOUT is 30.0 s" in worker.stderr


@pytest.mark.django_db
def test_pmo_sees_and_filters_failed_reminders_by_reason(settings):
    settings.REMINDER_MAX_ATTEMPTS = 1
    standup(1)
    claim_batch(now=NOW)  # the sender dies
    claim_batch(now=NOW + datetime.timedelta(minutes=10))  # no attempt left: failed
    lease = Reminder.objects.filter(failure_reason="lease")
    assert lease.count() == 2
    Reminder.objects.filter(pk=lease.filter(channel="email").get().pk).update(
        failure_reason="channel", last_error="mail: 554 refused", subject="退信的那封"
    )
    client = Client()
    client.force_login(UserFactory(department="pmo", is_staff=True, is_superuser=True))
    page = client.get("/admin/coordination/reminder/?failure_reason=lease").content.decode()
    assert "失败原因" in page and "多次发送超时" in page and "退信的那封" not in page
    page = client.get("/admin/coordination/reminder/?failure_reason=channel").content.decode()
    assert "退信的那封" in page and "mail: 554 refused" in page
    client.cookies["django_language"] = "en"
    english = client.get("/admin/coordination/reminder/?failure_reason=lease").content.decode()
    assert "Failure reason" in english and "Timed out on every attempt" in english
    ids = [str(pk) for pk in Reminder.objects.values_list("pk", flat=True)]
    client.post("/admin/coordination/reminder/", {"action": "requeue", "_selected_action": ids})
    assert set(Reminder.objects.values_list("status", "attempts", "failure_reason")) == {
        ("pending", 0, "")
    }
