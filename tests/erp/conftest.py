"""ERP integration fixtures: API clients with tokens, a local webhook receiver (127.0.0.1)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from coordination.integration import services as integration
from coordination.integration.models import ApiScope, WebhookEndpoint
from tests import factories

ALL_SCOPES = [s.value for s in ApiScope]


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def make_api_client(db):
    """make_api_client(name, scopes, **kw) -> (ApiClient, key, APIClient with the token)."""

    def make(name="SAP", scopes=None, **kw):
        client, key = integration.create_api_client(
            name=name, scopes=ALL_SCOPES if scopes is None else scopes, **kw
        )
        return client, key, token_client(key)

    return make


class Receiver:
    """A local HTTP server recording every request; answers `status` (and `headers`)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(receiver, db):
    def make(events=("project.upserted",), secret="s3cret-shared", **kw):
        return integration.save_webhook_endpoint(
            WebhookEndpoint(
                name=kw.pop("name", "ERP"),
                url=kw.pop("url", receiver.url),
                secret=secret,
                events=list(events),
                **kw,
            )
        )

    return make


def make_erp_refs() -> None:
    """What an ERP project body refers to: a customer and two PMs."""
    factories.CustomerFactory(erp_id="CUST-1")
    factories.business_user(username="biz_pm")
    factories.engineering_user(username="eng_pm")


@pytest.fixture
def erp_refs(db):
    make_erp_refs()


PROJECT_BODY = {
    "name": "南京地铁车辆段",
    "customer_erp_id": "CUST-1",
    "contract_value": "8800000.00",
    "currency": "CNY",
    "planned_start": "2026-04-01",
    "planned_end": "2027-03-31",
    "business_pm": "biz_pm",
    "engineering_pm": "eng_pm",
    "primary_owner": "engineering",
    "is_key_project": True,
}
