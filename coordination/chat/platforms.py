"""The three platforms' server APIs the product calls: access token and personal work
notification (DingTalk 工作通知, WeCom 应用消息, Feishu 消息卡片).

Each client reads its app's credentials from settings (from the environment), caches the
access token in the cache (Redis in production) a minute short of its documented lifetime,
and raises PlatformError on any refusal (HTTP status or the platform's own error code). Base
URLs are settings too, so an on-premise deployment (or a test's local server) can stand in.

Documented endpoints used:
- DingTalk: GET /gettoken?appkey&appsecret -> {errcode, access_token, expires_in};
  POST /topapi/message/corpconversation/asyncsend_v2?access_token ->
  {agent_id, userid_list, msg} -> {errcode, task_id}.
- WeCom: GET /cgi-bin/gettoken?corpid&corpsecret -> {errcode, access_token, expires_in};
  POST /cgi-bin/message/send?access_token -> {touser, msgtype, agentid, textcard} -> {errcode}.
- Feishu: POST /open-apis/auth/v3/tenant_access_token/internal {app_id, app_secret} ->
  {code, tenant_access_token, expire}; POST /open-apis/im/v1/messages?receive_id_type=user_id
  (Bearer token) {receive_id, msg_type: interactive, content} -> {code, data.message_id}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.cache import cache

DINGTALK, WECOM, FEISHU = "dingtalk", "wecom", "feishu"
PLATFORMS = (DINGTALK, WECOM, FEISHU)
TIMEOUT = 10


class PlatformError(Exception):
    """The platform refused or did not answer; the work notice is retried later."""


@dataclass
class Card:
    """What a work notice says, whatever the platform: a title, a text, a link to the page,
    and buttons (label, url) for actions taken in the product or by callback."""

    title: str
    text: str
    url: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    # (label, value): buttons that call back into the product (Feishu card callback)
    actions: list[tuple[str, dict]] = field(default_factory=list)


def _conf(platform: str) -> dict:
    return settings.CHAT_PLATFORMS.get(platform) or {}


def configured(platform: str) -> bool:
    conf = _conf(platform)
    return bool(conf.get("app_id") and conf.get("secret"))


def configured_platforms() -> list[str]:
    return [p for p in PLATFORMS if configured(p)]


def _json(response: requests.Response, platform: str) -> dict:
    if response.status_code >= 300:
        raise PlatformError(f"{platform}: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise PlatformError(f"{platform}: answer is not JSON") from exc
    if not isinstance(body, dict):
        raise PlatformError(f"{platform}: answer is not an object")
    code = body.get("code", body.get("errcode", 0))
    if code not in (0, "0"):
        message = body.get("msg", body.get("errmsg", ""))
        raise PlatformError(f"{platform}: error {code} {message}".strip())
    return body


def _call(method: str, url: str, platform: str, **kwargs) -> dict:
    try:
        response = requests.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except requests.RequestException as exc:
        raise PlatformError(f"{platform}: {exc.__class__.__name__}: {exc}") from exc
    return _json(response, platform)


def _cache_key(platform: str) -> str:
    return f"chat:token:{platform}:{_conf(platform).get('app_id', '')}"


def access_token(platform: str, *, fresh: bool = False) -> str:
    if not configured(platform):
        raise PlatformError(f"{platform}: not configured")
    key = _cache_key(platform)
    token = None if fresh else cache.get(key)
    if token:
        return token
    conf = _conf(platform)
    base = conf["base_url"].rstrip("/")
    if platform == DINGTALK:
        body = _call(
            "GET",
            f"{base}/gettoken",
            platform,
            params={"appkey": conf["app_id"], "appsecret": conf["secret"]},
        )
        token, lifetime = body.get("access_token"), body.get("expires_in", 7200)
    elif platform == WECOM:
        body = _call(
            "GET",
            f"{base}/cgi-bin/gettoken",
            platform,
            params={"corpid": conf["app_id"], "corpsecret": conf["secret"]},
        )
        token, lifetime = body.get("access_token"), body.get("expires_in", 7200)
    else:
        body = _call(
            "POST",
            f"{base}/open-apis/auth/v3/tenant_access_token/internal",
            platform,
            json={"app_id": conf["app_id"], "app_secret": conf["secret"]},
        )
        token, lifetime = body.get("tenant_access_token"), body.get("expire", 7200)
    if not token:
        raise PlatformError(f"{platform}: no access token in the answer")
    cache.set(key, token, max(int(lifetime) - 60, 60))
    return token


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def dingtalk_message(card: Card) -> dict:
    if not card.url and not card.buttons:
        return {"msgtype": "text", "text": {"content": f"{card.title}\n{card.text}"}}
    action = {"title": card.title, "markdown": f"### {card.title}\n\n{card.text}"}
    if card.buttons:
        action["btn_orientation"] = "1"
        action["btn_json_list"] = [
            {"title": label, "action_url": _absolute(url)} for label, url in card.buttons
        ]
    else:
        action["single_title"] = card.title
        action["single_url"] = _absolute(card.url)
    return {"msgtype": "action_card", "action_card": action}


def wecom_message(card: Card, agent_id: str, touser: str) -> dict:
    if not card.url and not card.buttons:
        return {
            "touser": touser,
            "msgtype": "text",
            "agentid": agent_id,
            "text": {"content": f"{card.title}\n{card.text}"},
        }
    # textcard carries one link; the buttons' choices are made on the page it opens
    return {
        "touser": touser,
        "msgtype": "textcard",
        "agentid": agent_id,
        "textcard": {
            "title": card.title,
            "description": card.text,
            "url": _absolute(card.url or card.buttons[0][1]),
            "btntxt": card.buttons[0][0] if card.buttons else "详情",
        },
    }


def feishu_card(card: Card) -> dict:
    elements: list[dict] = [{"tag": "div", "text": {"tag": "lark_md", "content": card.text}}]
    actions = [
        {
            "tag": "button",
            "text": {"tag": "plain_text", "content": label},
            "type": "primary" if index == 0 else "default",
            "url": _absolute(url),
        }
        for index, (label, url) in enumerate(card.buttons)
    ]
    actions += [
        {
            "tag": "button",
            "text": {"tag": "plain_text", "content": label},
            "type": "primary" if index == 0 else "danger",
            "value": value,
        }
        for index, (label, value) in enumerate(card.actions)
    ]
    if card.url and not card.buttons:
        actions.append(
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": "详情"},
                "type": "primary",
                "url": _absolute(card.url),
            }
        )
    if actions:
        elements.append({"tag": "action", "actions": actions})
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": card.title}},
        "elements": elements,
    }


def send(platform: str, external_id: str, card: Card) -> str:
    """Send `card` to one platform user; returns the platform's id of the message (task)."""
    conf = _conf(platform)
    base = conf.get("base_url", "").rstrip("/")
    token = access_token(platform)
    if platform == DINGTALK:
        body = _call(
            "POST",
            f"{base}/topapi/message/corpconversation/asyncsend_v2",
            platform,
            params={"access_token": token},
            json={
                "agent_id": conf.get("agent_id", ""),
                "userid_list": external_id,
                "msg": dingtalk_message(card),
            },
        )
        return str(body.get("task_id", ""))
    if platform == WECOM:
        body = _call(
            "POST",
            f"{base}/cgi-bin/message/send",
            platform,
            params={"access_token": token},
            json=wecom_message(card, conf.get("agent_id", ""), external_id),
        )
        if body.get("invaliduser"):
            raise PlatformError(f"wecom: unknown user {body['invaliduser']}")
        return str(body.get("msgid", ""))
    body = _call(
        "POST",
        f"{base}/open-apis/im/v1/messages",
        platform,
        params={"receive_id_type": "user_id"},
        headers={"Authorization": f"Bearer {token}"},
        json={
            "receive_id": external_id,
            "msg_type": "interactive",
            "content": json.dumps(feishu_card(card), ensure_ascii=False),
        },
    )
    return str((body.get("data") or {}).get("message_id", ""))
