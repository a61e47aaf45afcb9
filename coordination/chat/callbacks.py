"""Acting from the chat app: Feishu card buttons call back into the product.

The request is Feishu's card callback (`card.action.trigger`, schema 2.0) to
`/chat/callback/feishu/`. Following Feishu's documentation:

1. The body may be encrypted (`{"encrypt": …}`): AES-256-CBC, key SHA-256 of the Encrypt Key,
   the first 16 bytes of the base64-decoded text its IV, PKCS#7 padding.
2. The signature `X-Lark-Signature` is hex SHA-256 of
   `X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key + raw body`; a wrong or
   missing signature is refused (401).
3. Replays are refused: a timestamp more than CALLBACK_WINDOW seconds away from now, or a
   nonce seen before (kept in the cache, Redis in production, for twice the window), is 401.
4. The verification token in the body must be the app's Verification Token.
5. The operator's Feishu `user_id` is mapped to the product user through ChatIdentity; an
   unknown one gets an error toast and nothing changes.
6. The action runs the very service the web page runs (audit, gates, notifications); its
   refusal (permission, state) comes back as an error toast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.chat.models import ChatIdentity, Platform
from coordination.core.exceptions import Conflict
from projects.changes import services as changes

CALLBACK_WINDOW = 300


class Refused(Exception):
    """The request is not a genuine, fresh callback from the platform (401)."""


def _feishu() -> dict:
    return settings.CHAT_PLATFORMS.get("feishu") or {}


def decrypt(encrypt_key: str, text: str) -> bytes:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    data = base64.b64decode(text)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def encrypt(encrypt_key: str, plain: bytes, iv: bytes) -> str:
    """The platform's side of `decrypt` (tests and the local fake use it)."""
    key = hashlib.sha256(encrypt_key.encode()).digest()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def verify(headers, body: bytes, *, now: float | None = None) -> dict:
    """Steps 1-4: the callback's JSON, or Refused."""
    conf = _feishu()
    encrypt_key = conf.get("encrypt_key", "")
    token = conf.get("verification_token", "")
    if not encrypt_key or not token:
        raise Refused("feishu callbacks are not configured")
    timestamp = headers.get("X-Lark-Request-Timestamp", "")
    nonce = headers.get("X-Lark-Request-Nonce", "")
    given = headers.get("X-Lark-Signature", "")
    expected = signature(timestamp, nonce, encrypt_key, body)
    if not given or not hmac.compare_digest(given, expected):
        raise Refused("bad signature")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise Refused("bad timestamp") from exc
    if abs((now if now is not None else time.time()) - sent_at) > CALLBACK_WINDOW:
        raise Refused("stale timestamp")
    if not nonce or not cache.add(f"chat:nonce:feishu:{nonce}", 1, CALLBACK_WINDOW * 2):
        raise Refused("nonce already used")
    try:
        data = json.loads(body or b"{}")
        if "encrypt" in data:
            data = json.loads(decrypt(encrypt_key, data["encrypt"]))
    except (ValueError, TypeError) as exc:
        raise Refused("unreadable body") from exc
    if not isinstance(data, dict):
        raise Refused("unreadable body")
    got = (data.get("header") or {}).get("token") or data.get("token", "")
    if not hmac.compare_digest(str(got), token):
        raise Refused("wrong verification token")
    return data


def _toast(kind: str, content: str) -> dict:
    return {"toast": {"type": kind, "content": content}}


def handle(data: dict) -> dict:
    """Steps 5-6 for a verified callback; the answer Feishu shows (a toast), or the challenge."""
    if data.get("type") == "url_verification":
        return {"challenge": data.get("challenge", "")}
    event = data.get("event") or {}
    operator = event.get("operator") or {}
    value = (event.get("action") or {}).get("value") or {}
    identity = (
        ChatIdentity.objects.select_related("user")
        .filter(platform=Platform.FEISHU, external_id=str(operator.get("user_id", "")))
        .first()
    )
    if identity is None or not identity.user.is_active:
        return _toast("error", _("你的飞书账号未绑定本系统用户。"))
    return act(identity.user, value)


ACTIONS = {
    ("change_request", "approve"): changes.approve_change_request,
    ("change_request", "reject"): changes.reject_change_request,
}


def act(user, value: dict) -> dict:
    func = ACTIONS.get((value.get("object"), value.get("decision")))
    try:
        object_id = int(value.get("id"))
    except (TypeError, ValueError):
        func = None
    if func is None:
        return _toast("error", _("无法识别的操作。"))
    try:
        func(object_id, by=user, comment=_("来自飞书卡片"))
    except PermissionDenied as exc:
        return _toast("error", str(exc) or _("你没有权限执行此操作。"))
    except Conflict as exc:
        return _toast("error", str(exc))
    return _toast("success", _("已批准。") if value["decision"] == "approve" else _("已驳回。"))
