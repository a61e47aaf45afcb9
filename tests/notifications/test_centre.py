"""The notification centre page (#19 item 5): every notification of mine, paged, filtered by
unread and kind, in a constant number of queries; others' never shown."""

from __future__ import annotations

import re

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
    # an unknown kind (a stale link) is no filter; its error is shown beside the select,
    # which is marked invalid and described by it; the unread filter still applies
    response = browser.get("/notifications/", {"kind": "<x>", "unread": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "已读的那条" not in page and "未读的那条" in page
    assert re.search(r'<select name="kind"[^>]*aria-invalid="true"', page)
    assert re.search(r'<select name="kind"[^>]*aria-describedby="f-kind_error"', page)
    assert re.search(r'id="f-kind_error"[^>]*>.*?&lt;x&gt;', page, re.S)
    assert page.count('aria-invalid="true"') == 1


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


def test_the_project_filter_shows_mine_about_that_project_only():
    me, other = factories.business_user(), factories.business_user()
    _note(me, subject="关于甲", project_code="PRJ-A")
    _note(me, subject="关于乙", project_code="PRJ-B")
    _note(other, subject="别人关于甲", project_code="PRJ-A")
    browser = login(me)
    page = browser.get("/notifications/", {"project": "PRJ-A"}).content.decode()
    assert "关于甲" in page and "关于乙" not in page and "别人关于甲" not in page
    assert '<option value="PRJ-B"' in page
    # a code none of mine is about is no filter on the page
    page = browser.get("/notifications/", {"project": "PRJ-ZZZ"}).content.decode()
    assert "关于甲" in page and "关于乙" in page


def test_the_project_filter_is_a_constant_number_of_queries():
    me = factories.business_user()
    browser = login(me)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get("/notifications/", {"project": "PRJ-A"}).status_code == 200
        return len(ctx.captured_queries)

    _note(me, project_code="PRJ-A")
    small = count()
    for n in range(30):
        _note(me, project_code=f"PRJ-{n % 4}")
        _note(me, project_code="PRJ-A")
    assert count() == small


def test_notify_files_the_notification_under_its_project():
    from coordination.core.services import notify

    me = factories.business_user()
    [n] = notify([me], kind="task.assigned", subject="任务", project="PRJ-2026-0001")
    assert n.project_code == "PRJ-2026-0001"
