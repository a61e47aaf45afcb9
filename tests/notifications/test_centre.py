"""The notification centre page (#19 item 5): every notification of mine, paged, filtered by
unread and kind, in a constant number of queries; others' never shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.core.models import Notification
from tests import factories
from tests.formpage import login

pytestmark = pytest.mark.django_db


def _note(user, **kw):
    return factories.NotificationFactory(user=user, **kw)


def test_the_page_lists_mine_and_filters_unread_and_kind():
    me, other = factories.business_user(), factories.business_user()
    read = _note(me, subject="已读的那条", kind="a.kind")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-11-30T08:00:00Z")
    _note(me, subject="未读的那条", kind="b.kind")
    _note(other, subject="别人的通知")
    browser = login(me)
    page = browser.get("/notifications/").content.decode()
    assert "已读的那条" in page and "未读的那条" in page and "别人的通知" not in page
    page = browser.get("/notifications/", {"unread": "1"}).content.decode()
    assert "已读的那条" not in page and "未读的那条" in page
    page = browser.get("/notifications/", {"kind": "a.kind"}).content.decode()
    assert "已读的那条" in page and "未读的那条" not in page
    # an unknown kind is no filter, not an error
    assert browser.get("/notifications/", {"kind": "<x>"}).status_code == 200


def test_a_folded_notification_shows_its_count():
    me = factories.business_user()
    _note(me, occurrences=3)
    assert "×3" in login(me).get("/notifications/").content.decode()


def _count(browser) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert browser.get("/notifications/").status_code == 200
    return len(ctx.captured_queries)


def test_the_page_is_a_constant_number_of_queries():
    me = factories.business_user()
    browser = login(me)
    for _ in range(2):
        _note(me)
    small = _count(browser)
    for n in range(40):
        _note(me, kind=f"k{n % 3}")
    assert _count(browser) == small


def test_the_home_page_links_to_the_centre():
    assert 'href="/notifications/"' in login(factories.business_user()).get("/").content.decode()
