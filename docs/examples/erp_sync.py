#!/usr/bin/env python3
"""Example ERP integration for the Coordination Hub API (standard library only).

  sync     upsert a customer and a project by their ERP ids (idempotent PUTs), then read
           back what changed since a point in time (incremental sync with updated_since)
  bulk     upsert several projects in one call, with an Idempotency-Key
  receive  run a tiny webhook receiver that verifies X-Coordination-Signature
  verify   verify one signature for a saved raw body

Examples (against `make run` on http://127.0.0.1:8000):

  export HUB_TOKEN=hubc_...            # shown once when PMO creates the API client
  python docs/examples/erp_sync.py sync --business-pm biz_pm --engineering-pm eng_pm
  python docs/examples/erp_sync.py receive --port 9000 --secret "the endpoint secret"
  python docs/examples/erp_sync.py verify --secret s --body-file body.json \\
      --signature sha256=3f1c...

Exit status: 0 on success, 1 when the API refused something (the error is printed).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen


class ApiError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


class Hub:
    """A minimal client: token auth, JSON in and out, errors raised with their body."""

    def __init__(self, base_url: str, token: str, timeout: float = 30):
        if not base_url.startswith(("http://", "https://")):
            raise SystemExit("--base-url must be an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body=None, *, params=None, idempotency_key=None):
        url = f"{self.base_url}{path}"
        if params:
            url += "?" + urlencode(params)
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = Request(url, data=data, method=method, headers=headers)  # noqa: S310 (http/s only)
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except HTTPError as exc:
            raw = exc.read()
            try:
                detail = json.loads(raw)
            except ValueError:
                detail = raw.decode(errors="replace")
            if exc.code == 429:
                detail = {"detail": detail, "retry_after": exc.headers.get("Retry-After")}
            raise ApiError(exc.code, detail) from None

    def upsert_customer(self, erp_id: str, data: dict):
        return self.call("PUT", f"/api/v1/erp/customers/{erp_id}/", data)

    def upsert_project(self, erp_id: str, data: dict):
        return self.call("PUT", f"/api/v1/erp/projects/{erp_id}/", data)

    def changed_since(self, path: str, since: str, page_size: int = 200):
        """Every record changed since `since`, oldest change first, following `next` until it
        is null (docs/erp-integration.md, section 4). A record changed while we read comes
        again later: apply in order, the last one wins."""
        _status, body = self.call(
            "GET", path, params={"updated_since": since, "page_size": page_size}
        )
        while True:
            yield from body["results"]
            if not body["next"]:
                return
            # next's path and query (its opaque cursor) on our base URL: behind a proxy `next`
            # may name an inner host, and the token must go to no other host
            link = urlsplit(body["next"])
            _status, body = self.call("GET", f"{link.path}?{link.query}")


def signature_of(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, raw_body: bytes, header: str) -> bool:
    """Compare in constant time, over the RAW body as received (never re-serialized JSON)."""
    return hmac.compare_digest(signature_of(secret, raw_body), header or "")


# ---------------------------------------------------------------- commands
def cmd_sync(hub: Hub, args) -> int:
    # 5 minutes back: writes still committing when we read, and clocks that disagree
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    since = started.isoformat()
    status, _customer = hub.upsert_customer(
        args.customer_erp_id, {"name": args.customer_name, "contact_name": "张伟"}
    )
    print(f"customer {args.customer_erp_id}: HTTP {status} (201 created, 200 updated/unchanged)")
    project_body = {
        "name": args.project_name,
        "customer_erp_id": args.customer_erp_id,
        "contract_value": "8800000.00",
        "currency": "CNY",
        "planned_start": "2026-04-01",
        "planned_end": "2027-03-31",
        "business_pm": args.business_pm,
        "engineering_pm": args.engineering_pm,
        "primary_owner": "engineering",
        "is_key_project": True,
    }
    status, project = hub.upsert_project(args.project_erp_id, project_body)
    print(f"project {args.project_erp_id}: HTTP {status} → {project['code']} ({project['stage']})")
    # an identical repeat changes nothing: same updated_at, no audit event, no webhook
    _status, again = hub.upsert_project(args.project_erp_id, project_body)
    assert again["updated_at"] == project["updated_at"], "repeat changed the project"
    print("identical repeat: unchanged (same updated_at)")
    changed = list(hub.changed_since("/api/v1/projects/", since))
    print(f"projects changed since {since}: {[p['code'] for p in changed]}")
    return 0


def cmd_bulk(hub: Hub, args) -> int:
    rows = [
        {
            "erp_id": f"{args.prefix}-{i}",
            "name": f"示例项目 {i}",
            "customer_erp_id": args.customer_erp_id,
            "business_pm": args.business_pm,
            "engineering_pm": args.engineering_pm,
        }
        for i in range(1, args.rows + 1)
    ]
    key = args.idempotency_key or str(uuid.uuid4())  # reuse it when you retry this batch
    _status, results = hub.call("POST", "/api/v1/erp/projects/bulk/", rows, idempotency_key=key)
    for row in results:
        print(f"{row['erp_id']}: {row['status']} {row.get('code') or ''} {row['errors'] or ''}")
    return 0 if all(r["status"] != "error" for r in results) else 1


def cmd_receive(_hub, args) -> int:
    secret, seen = args.secret, set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verify_signature(secret, raw, self.headers.get("X-Coordination-Signature"))
            delivery = self.headers.get("X-Coordination-Delivery")
            if not ok:
                self.send_response(401)
                self.end_headers()
                print("REFUSED: bad signature")
                return
            duplicate = delivery in seen  # retries carry the same delivery id
            seen.add(delivery)
            event = self.headers.get("X-Coordination-Event")
            print(f"{event} {delivery}{' (duplicate)' if duplicate else ''}: {raw.decode()}")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = HTTPServer((args.host, args.port), Handler)
    print(f"listening on http://{args.host}:{args.port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_verify(_hub, args) -> int:
    with open(args.body_file, "rb") as f:
        raw = f.read()
    ok = verify_signature(args.secret, raw, args.signature)
    print("valid" if ok else "INVALID")
    return 0 if ok else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-url", default=os.environ.get("HUB_URL", "http://127.0.0.1:8000"), help="hub URL"
    )
    parser.add_argument(
        "--token", default=os.environ.get("HUB_TOKEN", ""), help="API token (or $HUB_TOKEN)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sync = sub.add_parser("sync", help="upsert one customer and one project, read changes")
    sync.add_argument("--customer-erp-id", default="C-DEMO-1")
    sync.add_argument("--customer-name", default="南京地铁集团有限公司")
    sync.add_argument("--project-erp-id", default="P-DEMO-1")
    sync.add_argument("--project-name", default="南京地铁车辆段智能仓储")
    sync.add_argument("--business-pm", required=True, help="username of the business PM")
    sync.add_argument("--engineering-pm", required=True, help="username of the engineering PM")

    bulk = sub.add_parser("bulk", help="bulk upsert N projects with an Idempotency-Key")
    bulk.add_argument("--rows", type=int, default=3)
    bulk.add_argument("--prefix", default="P-BULK")
    bulk.add_argument("--customer-erp-id", default="C-DEMO-1")
    bulk.add_argument("--business-pm", required=True)
    bulk.add_argument("--engineering-pm", required=True)
    bulk.add_argument("--idempotency-key")

    receive = sub.add_parser("receive", help="run a webhook receiver verifying signatures")
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=int, default=9000)
    receive.add_argument("--secret", required=True)

    verify = sub.add_parser("verify", help="verify a signature over a saved raw body")
    verify.add_argument("--secret", required=True)
    verify.add_argument("--body-file", required=True)
    verify.add_argument("--signature", required=True, help="the X-Coordination-Signature value")

    args = parser.parse_args(argv)
    commands = {"sync": cmd_sync, "bulk": cmd_bulk, "receive": cmd_receive, "verify": cmd_verify}
    if args.command in ("sync", "bulk") and not args.token:
        parser.error("--token or $HUB_TOKEN is required")
    hub = Hub(args.base_url, args.token)
    try:
        return commands[args.command](hub, args)
    except ApiError as exc:
        print(f"refused: HTTP {exc.status}: {json.dumps(exc.body, ensure_ascii=False)}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
