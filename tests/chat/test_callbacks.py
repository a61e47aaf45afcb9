"""Approving a change request from a Feishu card: the callback is verified and runs the
page's service."""

import json
import os
import time

import pytest

from coordination.chat import callbacks
from coordination.chat.models import ChatIdentity
from coordination.core.models import AuditEvent
from projects.changes.models import ChangeDecision
from tests.changes import factories as cr_factories

pytestmark = pytest.mark.django_db(transaction=True)

KEY, TOKEN = "encrypt-key-123", "verify-token-456"


@pytest.fixture
def feishu(platforms, settings):
    conf = platforms.settings()
    conf["feishu"].update(encrypt_key=KEY, verification_token=TOKEN)
    settings.CHAT_PLATFORMS = conf
    return platforms


def post(client, payload: dict, *, nonce=None, timestamp=None, key=KEY, encrypted=True):
    """What Feishu's server sends: the body (encrypted), signed over timestamp+nonce+key+body."""
    plain = json.dumps(payload).encode()
    body = (
        json.dumps({"encrypt": callbacks.encrypt(KEY, plain, os.urandom(16))}).encode()
        if encrypted
        else plain
    )
    timestamp = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or os.urandom(8).hex()
    return client.post(
        "/chat/callback/feishu/",
        data=body,
        content_type="application/json",
        headers={
            "X-Lark-Request-Timestamp": timestamp,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": callbacks.signature(timestamp, nonce, key, body),
        },
    )


def action(user_id: str, value: dict) -> dict:
    return {
        "schema": "2.0",
        "header": {"event_type": "card.action.trigger", "token": TOKEN},
        "event": {"operator": {"user_id": user_id}, "action": {"tag": "button", "value": value}},
    }


@pytest.fixture
def awaiting(feishu):
    c = cr_factories.cast()
    ChatIdentity.objects.create(user=c.biz_lead, platform="feishu", external_id="fs-lead")
    cr = cr_factories.assessed(c)
    cards = [json.loads(m["content"]) for m in feishu.messages("feishu")]
    [card] = [k for k in cards if k["elements"][-1]["actions"][0].get("value")]
    buttons = card["elements"][-1]["actions"]
    return c, cr, {b["value"]["decision"]: b["value"] for b in buttons if "value" in b}


def test_the_card_carries_approve_and_reject(awaiting):
    _c, cr, values = awaiting
    assert values["approve"]["id"] == cr.pk and values["reject"]["object"] == "change_request"


def test_approving_from_the_card_runs_the_page_service(client, awaiting):
    c, cr, values = awaiting
    response = post(client, action("fs-lead", values["approve"]))
    assert response.status_code == 200
    assert response.json()["toast"]["type"] == "success"
    decision = ChangeDecision.objects.get(change_request=cr, department="business")
    assert decision.decision == "approve" and decision.decided_by == c.biz_lead
    assert AuditEvent.objects.filter(actor=c.biz_lead, action__startswith="change_request").exists()


def test_a_replayed_callback_is_refused(client, awaiting):
    _c, cr, values = awaiting
    once = os.urandom(8).hex()
    assert post(client, action("fs-lead", values["reject"]), nonce=once).status_code == 200
    again = post(client, action("fs-lead", values["reject"]), nonce=once)
    assert again.status_code == 401 and "nonce" in again.json()["error"]


def test_a_stale_or_forged_callback_changes_nothing(client, awaiting):
    _c, cr, values = awaiting
    stale = post(client, action("fs-lead", values["approve"]), timestamp=int(time.time()) - 600)
    forged = post(client, action("fs-lead", values["approve"]), key="guessed")
    assert stale.status_code == 401 and forged.status_code == 401
    assert not ChangeDecision.objects.filter(change_request=cr).exists()


def test_wrong_verification_token_is_refused(client, awaiting):
    _c, cr, values = awaiting
    payload = action("fs-lead", values["approve"])
    payload["header"]["token"] = "other"
    assert post(client, payload).status_code == 401


def test_an_unlinked_or_unauthorised_operator_gets_an_error_toast(client, awaiting):
    c, cr, values = awaiting
    unknown = post(client, action("fs-nobody", values["approve"]))
    assert unknown.json()["toast"]["type"] == "error"
    ChatIdentity.objects.create(user=c.tech_lead, platform="feishu", external_id="fs-tech")
    refused = post(client, action("fs-tech", values["approve"]))
    assert refused.status_code == 200 and refused.json()["toast"]["type"] == "error"
    assert not ChangeDecision.objects.filter(change_request=cr).exists()


def test_the_url_verification_challenge_is_answered(client, feishu):
    response = post(client, {"type": "url_verification", "challenge": "abc", "token": TOKEN})
    assert response.json() == {"challenge": "abc"}


def test_without_the_keys_configured_every_callback_is_refused(client, settings):
    settings.CHAT_PLATFORMS = {}
    assert post(client, {"type": "url_verification", "token": TOKEN}).status_code == 401
