"""The notification centre's API (#19 item 7): `GET /api/v1/notifications/?unread=1` lists
the caller's own, paged, in a constant number of queries; `POST /api/v1/notifications/read/`
marks some by id or all, never another user's, with one audit event."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core.models import AuditEvent, Notification
from tests import factories
from tests.api.helpers import client_for
from tests.formpage import login

pytestmark = pytest.mark.django_db


def _notes(user, n, **kw):
    return [factories.NotificationFactory(user=user, **kw) for _ in range(n)]


def test_the_list_shows_only_my_notifications_and_unread_filters():
    me, other = factories.business_user(), factories.business_user()
    mine = _notes(me, 3)
    _notes(other, 2)
    Notification.objects.filter(pk=mine[0].pk).update(read_at="2026-11-30T08:00:00Z")
    api = client_for(me)
    every = api.get("/api/v1/notifications/").json()
    assert every["count"] == 3
    unread = api.get("/api/v1/notifications/", {"unread": "1"}).json()
    assert {r["id"] for r in unread["results"]} == {mine[1].pk, mine[2].pk}
    assert all(r["unread"] for r in unread["results"])
    assert set(unread["results"][0]) >= {"id", "kind", "subject", "url", "created_at", "read_at"}
    assert api.get("/api/v1/notifications/", {"unread": "yes"}).status_code == 400


def test_the_kind_filter():
    me = factories.business_user()
    _notes(me, 2, kind="handover.item_provided")
    _notes(me, 1, kind="change_request.decided")
    body = client_for(me).get("/api/v1/notifications/", {"kind": "change_request.decided"}).json()
    assert body["count"] == 1


def _count(api) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/api/v1/notifications/", {"unread": "1"}).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_is_a_constant_number_of_queries():
    me = factories.business_user()
    api = client_for(me)
    _notes(me, 2)
    small = _count(api)
    _notes(me, 30)
    assert _count(api) == small


def test_mark_some_read_ignores_other_peoples_ids_and_audits_once():
    me, other = factories.business_user(), factories.business_user()
    mine, theirs = _notes(me, 3), _notes(other, 1)
    audits = AuditEvent.objects.count()
    response = client_for(me).post(
        "/api/v1/notifications/read/", {"ids": [mine[0].pk, theirs[0].pk]}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 2}
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.latest("id").action == "notification.read"


def test_mark_all_read_and_an_executive_may_too():
    boss = factories.executive_user()
    _notes(boss, 4)
    response = client_for(boss).post("/api/v1/notifications/read/", {"all": True}, format="json")
    assert response.json() == {"marked": 4, "unread": 0}


@pytest.mark.parametrize(
    "body", [{}, {"all": False}, {"ids": ["x"]}, {"ids": [1], "all": True}, {"ids": "1"}]
)
def test_a_bad_body_is_a_400_and_changes_nothing(body):
    me = factories.business_user()
    _notes(me, 2)
    response = client_for(me).post("/api/v1/notifications/read/", body, format="json")
    assert response.status_code == 400
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 2


def test_the_page_mark_read_uses_the_same_service():
    me = factories.business_user()
    note = _notes(me, 1)[0]
    login(me).post(f"/notifications/{note.pk}/read/")
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert AuditEvent.objects.latest("id").action == "notification.read"


def test_the_project_filter_and_an_unknown_code():
    me, other = factories.business_user(), factories.business_user()
    _notes(me, 2, project_code="PRJ-A")
    _notes(me, 1, project_code="PRJ-B")
    _notes(other, 3, project_code="PRJ-C")
    api = client_for(me)
    listed = api.get("/api/v1/notifications/", {"project": "PRJ-A"}).json()
    assert listed["count"] == 2 and {r["project"] for r in listed["results"]} == {"PRJ-A"}
    # another user's project, a code nobody has, an over-long one: 400 naming project
    for code in ("PRJ-C", "NOPE", "X" * 41):
        response = api.get("/api/v1/notifications/", {"project": code})
        assert response.status_code == 400 and "project" in response.json()


def test_the_project_filter_is_a_constant_number_of_queries():
    me = factories.business_user()
    api = client_for(me)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/notifications/", {"project": "PRJ-A"}).status_code == 200
        return len(ctx.captured_queries)

    _notes(me, 2, project_code="PRJ-A")
    small = count()
    _notes(me, 40, project_code="PRJ-A")
    assert count() == small
