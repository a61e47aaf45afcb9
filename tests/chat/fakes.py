"""A local server speaking the three platforms' documented server APIs (token, work
notification, contact list), on a free port, recording every call for the tests.

Written from the platforms' published documentation:
- DingTalk: GET /gettoken, POST /topapi/message/corpconversation/asyncsend_v2,
  POST /topapi/v2/department/listsub, POST /topapi/v2/user/list.
- WeCom: GET /cgi-bin/gettoken, POST /cgi-bin/message/send, GET /cgi-bin/department/list,
  GET /cgi-bin/user/list.
- Feishu: POST /open-apis/auth/v3/tenant_access_token/internal, POST /open-apis/im/v1/messages.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKENS = {"dingtalk": "dt-token", "wecom": "wc-token", "feishu": "fs-token"}


class FakePlatforms:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict, dict]] = []  # method, path, query, body
        self.fail: set[str] = set()  # platforms answering every message with an error code
        self.credentials = {
            "dingtalk": ("dt-key", "dt-secret"),
            "wecom": ("wc-corp", "wc-secret"),
            "feishu": ("fs-app", "fs-secret"),
        }
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                fake.calls.append((method, parts.path, query, body))
                self._answer(*fake.route(method, parts.path, query, body, self.headers))

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakePlatforms:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        return {
            platform: {
                "app_id": key,
                "secret": secret,
                "agent_id": "1001",
                "base_url": f"{self.url}/{platform}",
            }
            for platform, (key, secret) in self.credentials.items()
        }

    def messages(self, platform: str) -> list[dict]:
        paths = {
            "dingtalk": "/dingtalk/topapi/message/corpconversation/asyncsend_v2",
            "wecom": "/wecom/cgi-bin/message/send",
            "feishu": "/feishu/open-apis/im/v1/messages",
        }
        return [body for _m, path, _q, body in self.calls if path == paths[platform]]

    def token_calls(self, platform: str) -> int:
        return sum(1 for _m, path, _q, _b in self.calls if "token" in path and platform in path)

    def route(self, method, path, query, body, headers) -> tuple[dict, int]:
        platform, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        if platform == "dingtalk":
            return self._dingtalk(method, rest, query, body)
        if platform == "wecom":
            return self._wecom(method, rest, query, body)
        if platform == "feishu":
            return self._feishu(method, rest, query, body, headers)
        return {"errcode": 404, "errmsg": "no such platform"}, 404

    def _dingtalk(self, method, path, query, body):
        key, secret = self.credentials["dingtalk"]
        if path == "/gettoken" and method == "GET":
            if (query.get("appkey"), query.get("appsecret")) != (key, secret):
                return {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}, 200
            return {"errcode": 0, "access_token": TOKENS["dingtalk"], "expires_in": 7200}, 200
        if query.get("access_token") != TOKENS["dingtalk"]:
            return {"errcode": 40014, "errmsg": "invalid access_token"}, 200
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            if "dingtalk" in self.fail:
                return {"errcode": 88, "errmsg": "system busy"}, 200
            if not body.get("userid_list") or not body.get("msg", {}).get("msgtype"):
                return {"errcode": 33012, "errmsg": "invalid userid_list or msg"}, 200
            return {"errcode": 0, "errmsg": "ok", "task_id": 256271667526}, 200
        return {"errcode": 404, "errmsg": "not found"}, 404

    def _wecom(self, method, path, query, body):
        corp, secret = self.credentials["wecom"]
        if path == "/cgi-bin/gettoken" and method == "GET":
            if (query.get("corpid"), query.get("corpsecret")) != (corp, secret):
                return {"errcode": 40013, "errmsg": "invalid corpid"}, 200
            return {"errcode": 0, "access_token": TOKENS["wecom"], "expires_in": 7200}, 200
        if query.get("access_token") != TOKENS["wecom"]:
            return {"errcode": 40014, "errmsg": "invalid access_token"}, 200
        if path == "/cgi-bin/message/send":
            if "wecom" in self.fail:
                return {"errcode": -1, "errmsg": "system busy"}, 200
            return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "wc-msg-1"}, 200
        return {"errcode": 404, "errmsg": "not found"}, 404

    def _feishu(self, method, path, query, body, headers):
        app, secret = self.credentials["feishu"]
        if path == "/open-apis/auth/v3/tenant_access_token/internal":
            if (body.get("app_id"), body.get("app_secret")) != (app, secret):
                return {"code": 10003, "msg": "invalid param"}, 200
            return {"code": 0, "tenant_access_token": TOKENS["feishu"], "expire": 7200}, 200
        if headers.get("Authorization") != f"Bearer {TOKENS['feishu']}":
            return {"code": 99991663, "msg": "invalid tenant access token"}, 400
        if path == "/open-apis/im/v1/messages":
            if "feishu" in self.fail:
                return {"code": 230001, "msg": "internal error"}, 200
            if query.get("receive_id_type") != "user_id" or not body.get("receive_id"):
                return {"code": 230001, "msg": "invalid receive_id"}, 400
            json.loads(body["content"])  # the card must be a JSON string
            return {"code": 0, "msg": "success", "data": {"message_id": "om_1"}}, 200
        return {"code": 404, "msg": "not found"}, 404
