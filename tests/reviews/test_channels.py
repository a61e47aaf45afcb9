"""Channel payloads: DingTalk signed, WeCom unsigned, e-mail, in-app; a local stub, no network."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from coordination.reviews.reminders import channels
from coordination.reviews.reminders.channels import ChannelError, build_chat_request, dingtalk_sign
from tests.factories import UserFactory

SECRET = "SECexample0123456789"


def test_dingtalk_sign_matches_the_documented_algorithm():
    ts = 1700000000000
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert dingtalk_sign(SECRET, ts) == expected


def test_dingtalk_url_gets_timestamp_and_sign_and_text_payload():
    url = f"https://oapi.dingtalk.com/robot/send?access_token=tok#secret={SECRET}"
    target, payload = build_chat_request(url, "每日站会将于 09:00 开始", now_ms=1700000000000)
    parts = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(parts.query)
    assert parts.fragment == ""  # the secret never leaves the server
    assert SECRET not in target
    assert query["access_token"] == ["tok"]
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [dingtalk_sign(SECRET, 1700000000000)]
    assert payload == {"msgtype": "text", "text": {"content": "每日站会将于 09:00 开始"}}


def test_wecom_is_not_signed(settings):
    settings.CHAT_WEBHOOK_SECRET = SECRET
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    target, payload = build_chat_request(url, "hi")
    assert target == url
    assert payload["msgtype"] == "text"


def test_dingtalk_without_secret_is_sent_unsigned(settings):
    settings.CHAT_WEBHOOK_SECRET = ""
    url = "https://oapi.dingtalk.com/robot/send?access_token=tok"
    assert build_chat_request(url, "hi")[0] == url


def test_private_targets_are_refused(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(ChannelError):
        channels.check_public_url("http://127.0.0.1:9/robot")
    with pytest.raises(ChannelError):
        channels.check_public_url("file:///etc/passwd")


class _Stub(BaseHTTPRequestHandler):
    received: list = []
    answer = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).received.append((self.path, json.loads(self.rfile.read(length))))
        body = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_server(settings):
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    _Stub.received = []
    _Stub.answer = {"errcode": 0, "errmsg": "ok"}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CHAT_WEBHOOK_SECRET = SECRET
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def chat_reminder(url):
    user = UserFactory()
    user.profile.chat_webhook_url = url
    user.profile.notify_chat = True
    user.profile.save()
    return Reminder(
        target_key="review:1",
        recipient=user,
        channel="chat",
        kind="review_upcoming",
        subject="每周例会将于 10:00 开始",
        body="日期：2026-11-25",
        url="/reviews/1/",
    )


@pytest.mark.django_db
def test_chat_reminder_posts_signed_json_to_the_stub(stub_server):
    channels.send_chat(chat_reminder(f"{stub_server}/robot/send?access_token=tok"))
    path, payload = _Stub.received[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["tok"]
    ts = int(query["timestamp"][0])
    assert query["sign"] == [dingtalk_sign(SECRET, ts)]
    assert payload["msgtype"] == "text"
    assert "每周例会将于 10:00 开始" in payload["text"]["content"]
    assert "/reviews/1/" in payload["text"]["content"]


@pytest.mark.django_db
def test_chat_refusal_raises_channel_error(stub_server):
    _Stub.answer = {"errcode": 310000, "errmsg": "sign not match"}
    with pytest.raises(ChannelError, match="310000"):
        channels.send_chat(chat_reminder(f"{stub_server}/robot/send?access_token=tok"))


@pytest.mark.django_db
def test_email_and_inapp():
    user = UserFactory(email="pm@example.com")
    reminder = Reminder(
        target_key="review:1",
        recipient=user,
        channel="email",
        kind="review_upcoming",
        subject="例会提醒",
        body="正文",
        url="/reviews/1/",
    )
    channels.deliver(reminder)
    assert mail.outbox[0].to == ["pm@example.com"]
    assert mail.outbox[0].subject == "例会提醒"
    assert "/reviews/1/" in mail.outbox[0].body
    reminder.channel = "inapp"
    channels.deliver(reminder)
    note = Notification.objects.get(user=user)
    assert (note.subject, note.url, note.kind) == (
        "例会提醒",
        "/reviews/1/",
        "reminder.review_upcoming",
    )
