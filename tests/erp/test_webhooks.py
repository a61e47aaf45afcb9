"""Webhooks out: signed POSTs to a local receiver, retries with backoff, no redirects, SSRF."""

import hashlib
import hmac
import json
import socket

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from coordination.integration import guard, webhooks
from coordination.integration import services as integration
from coordination.integration.models import WebhookDelivery, WebhookEndpoint
from projects.core.models import Project
from tests import factories
from tests.erp.conftest import PROJECT_BODY

pytestmark = pytest.mark.django_db


def _upsert(erp_id="P-1", **changes):
    """PUT the ERP project through the API (as PMO); returns (project, outcome)."""
    api = APIClient()
    api.force_authenticate(factories.pmo_user(username="pmo_sync"))
    response = api.put(
        f"/api/v1/erp/projects/{erp_id}/", {**PROJECT_BODY, **changes}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    return Project.objects.get(erp_id=erp_id), response.status_code


def test_event_is_posted_signed_with_a_delivery_id(
    endpoint, receiver, erp_refs, django_capture_on_commit_callbacks
):
    hook = endpoint(secret="top-secret")
    with django_capture_on_commit_callbacks(execute=True):
        project, status = _upsert()
    assert status == 201

    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    headers = {k.lower(): v for k, v in received["headers"].items()}
    expected = hmac.new(b"top-secret", received["body"], hashlib.sha256).hexdigest()
    assert headers["x-coordination-signature"] == f"sha256={expected}"
    assert webhooks.verify("top-secret", received["body"], headers["x-coordination-signature"])
    assert headers["x-coordination-event"] == "project.upserted"
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    assert headers["x-coordination-delivery"] == str(delivery.delivery_id)
    document = json.loads(received["body"])
    assert document["event"] == "project.upserted"
    assert document["id"] == str(delivery.delivery_id)
    assert document["data"]["code"] == project.code
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)


def test_only_subscribed_active_endpoints_get_the_event(
    endpoint, receiver, erp_refs, django_capture_on_commit_callbacks
):
    endpoint(name="stages only", events=["project.stage_changed"])
    endpoint(name="off", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _upsert()
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_an_identical_upsert_sends_no_webhook(
    endpoint, receiver, erp_refs, django_capture_on_commit_callbacks
):
    endpoint()
    with django_capture_on_commit_callbacks(execute=True):
        first, _status = _upsert()
    with django_capture_on_commit_callbacks(execute=True):
        again, status = _upsert()
    assert status == 200 and again.updated_at == first.updated_at
    assert len(receiver.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _upsert(name="新名称")
    assert len(receiver.requests) == 2


def _pending(hook) -> WebhookDelivery:
    return WebhookDelivery.objects.create(endpoint=hook, event="project.upserted", payload={"a": 1})


def test_failures_retry_with_exponential_backoff_then_give_up(endpoint, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 3)
    receiver.status = 500
    delivery = _pending(endpoint())
    assert webhooks.attempt(delivery.pk) == webhooks.BASE_BACKOFF
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.next_attempt_at is not None and delivery.last_status_code == 500
    assert webhooks.attempt(delivery.pk) == 2 * webhooks.BASE_BACKOFF
    assert webhooks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 3)
    assert delivery.last_response == "ok"
    # the same delivery id and body on every attempt (receivers de-duplicate on it)
    bodies = {r["body"] for r in receiver.requests}
    ids = {r["headers"]["X-Coordination-Delivery"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1 and len(ids) == 1
    # done rows are never sent again
    assert webhooks.attempt(delivery.pk) is None
    assert len(receiver.requests) == 3


def test_redirects_are_not_followed(endpoint, receiver):
    receiver.status = 302
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    delivery = _pending(endpoint())
    assert webhooks.attempt(delivery.pk) is not None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.last_status_code == 302
    assert "169.254.169.254" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_receiver_that_is_down_is_retried(endpoint, receiver):
    hook = endpoint()
    receiver.close()
    delivery = _pending(hook)
    assert webhooks.attempt(delivery.pk) == webhooks.BASE_BACKOFF
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "ConnectionError" in delivery.last_error


def test_backoff_doubles_and_is_capped():
    assert [webhooks.backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(20) == 3600


# ---------------------------------------------------------------- SSRF
UNSAFE = [
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://localhost:8000/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://127.1/hook",
    "http://user:pw@127.0.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "ftp://erp.example.com/hook",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_targets_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(guard.UnsafeTarget):
        guard.check_target(url)


def test_a_hostname_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_HOSTS = []

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(guard.socket, "getaddrinfo", resolve)
    with pytest.raises(guard.UnsafeTarget):
        guard.check_target("https://erp.example.com/hook")


def test_public_addresses_and_allow_listed_hosts_pass(settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.intranet"]

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(guard.socket, "getaddrinfo", resolve)
    assert guard.check_target("https://erp.example.com/hook") == ["93.184.215.14"]
    # allow-listed hosts are not even resolved (on-premise ERPs on private addresses)
    assert guard.check_target("http://ERP.intranet:8080/hook") == []


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://169.254.169.254/", "http://[::1]/"])
def test_endpoints_with_unsafe_urls_cannot_be_created_or_updated(url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(ValidationError) as refused:
        integration.save_webhook_endpoint(
            WebhookEndpoint(name="x", url=url, secret="s", events=["project.upserted"])
        )
    assert "url" in refused.value.message_dict
    assert not WebhookEndpoint.objects.exists()

    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.intranet"]
    hook = integration.save_webhook_endpoint(
        WebhookEndpoint(
            name="x", url="http://erp.intranet/h", secret="s", events=["project.upserted"]
        )
    )
    hook.url = url
    with pytest.raises(ValidationError):
        integration.save_webhook_endpoint(hook)
    hook.refresh_from_db()
    assert hook.url == "http://erp.intranet/h"


def test_unknown_events_are_refused(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.intranet"]
    with pytest.raises(ValidationError) as refused:
        integration.save_webhook_endpoint(
            WebhookEndpoint(name="x", url="http://erp.intranet/", secret="s", events=["nope"])
        )
    assert "events" in refused.value.message_dict


def test_the_target_is_checked_again_at_send_time(endpoint, receiver, settings):
    delivery = _pending(endpoint())
    settings.WEBHOOK_ALLOWED_HOSTS = []  # e.g. the allow-list changed, or DNS now says 127.x
    assert webhooks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "127.0.0.1" in delivery.last_error
    assert receiver.requests == []


def test_admin_refuses_an_unsafe_url(client, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/coordination/webhookendpoint/add/",
        {
            "name": "x",
            "url": "http://169.254.169.254/latest/",
            "secret": "s",
            "events": ["project.upserted"],
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not WebhookEndpoint.objects.exists()
    assert "169.254.169.254" in response.content.decode()


def test_delivery_log_is_listed_in_the_admin(client, endpoint, receiver):
    _pending(endpoint())
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    response = client.get("/admin/coordination/webhookdelivery/")
    assert response.status_code == 200
    assert "project.upserted" in response.content.decode()


def test_integration_admin_pages_render(client, endpoint, receiver, make_api_client):
    hook = endpoint()
    delivery = _pending(hook)
    api_client, _key, _api = make_api_client()
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    for url in [
        "/admin/coordination/apiclient/",
        "/admin/coordination/apiclient/add/",
        f"/admin/coordination/apiclient/{api_client.pk}/change/",
        "/admin/coordination/webhookendpoint/",
        "/admin/coordination/webhookendpoint/add/",
        f"/admin/coordination/webhookendpoint/{hook.pk}/change/",
        f"/admin/coordination/webhookdelivery/{delivery.pk}/change/",
        "/admin/coordination/idempotencyrecord/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_sends_a_failed_delivery_again(
    client, endpoint, receiver, django_capture_on_commit_callbacks
):
    delivery = _pending(endpoint())
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, attempts=8
    )
    client.force_login(factories.pmo_user(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/coordination/webhookdelivery/",
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == 1


def test_the_connection_goes_to_the_checked_address_not_a_new_dns_answer(
    receiver, settings, monkeypatch
):
    """DNS rebinding: the name is resolved once, checked, and that address is used."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    url = f"http://hooks.invalid:{receiver.port}/hook"  # .invalid never resolves
    monkeypatch.setattr(guard, "check_target", lambda _url: ["127.0.0.1"])
    hook = integration.save_webhook_endpoint(
        WebhookEndpoint(name="pinned", url=url, secret="s", events=["project.upserted"])
    )
    delivery = _pending(hook)
    assert webhooks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED, delivery.last_error
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.invalid:{receiver.port}"


@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_sent_while_another_worker_sends_to_the_same_endpoint(endpoint, receiver):
    """Two workers deliver two events to one endpoint at once. The one holding its own
    delivery (and, through it, nothing else) must not make the other skip its row: before,
    the claim locked the joined endpoint row too, so the second worker found "someone else
    has it", returned, and the delivery stayed pending until the sweeper, minutes later."""
    import psycopg2
    from django.db import connection

    hook = endpoint()
    first, second = (
        WebhookDelivery.objects.create(endpoint=hook, event="project.upserted", payload={"n": n})
        for n in (1, 2)
    )
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:  # the other worker, mid-send of the first delivery
            cursor.execute(
                "SELECT d.id FROM coordination_webhookdelivery d "
                "JOIN coordination_webhookendpoint e ON e.id = d.endpoint_id "
                "WHERE d.id = %s FOR UPDATE OF d",
                [first.pk],
            )
            # and a claim of the old shape, which also locked the endpoint row
            cursor.execute(
                "SELECT id FROM coordination_webhookendpoint WHERE id = %s FOR UPDATE", [hook.pk]
            )
            assert webhooks.attempt(second.pk) is None  # delivered: no retry countdown
            assert webhooks.attempt(first.pk) is None  # held elsewhere: skipped, not sent
    finally:
        other.rollback()
        other.close()
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == WebhookDelivery.Status.DELIVERED
    assert first.status == WebhookDelivery.Status.PENDING  # still the other worker's
    assert len(receiver.requests) == 1
