"""The home page's counters and the navigation's unread badge, polled without a reload: small
fragments that read the full page's selectors, answer signed-in users only, are never
cached, swap nothing when nothing changed, and cost a constant number of queries."""

import pytest
from django.urls import reverse

from coordination.core.models import Notification
from coordination.dashboard.selectors import live_counters
from coordination.dashboard.views import home_context
from tests import factories
from tests.changes import factories as cr
from tests.dashboard import factories as f
from tests.dashboard.test_home import _populate
from tests.reviews.factories import ActionItemFactory

pytestmark = pytest.mark.django_db

SHOWN = {"approvals": "0", "overdue": "0", "red": "0", "unread": "0"}


def counters(client, **shown):
    return client.get(reverse("dashboard:counters"), {**SHOWN, **shown})


def badge(client, **query):
    return client.get(reverse("notifications:badge"), query)


@pytest.mark.parametrize("name", ["dashboard:counters", "notifications:badge"])
def test_signed_out_is_refused_without_a_redirect_and_nothing_is_cached(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    client.force_login(factories.business_user())
    response = client.post(reverse(name))
    assert response.status_code == 405 and "no-store" in response["Cache-Control"]


def test_unchanged_counters_are_204_and_a_changed_one_comes_back_alone(client):
    me = factories.business_user()
    client.force_login(me)
    response = counters(client)
    assert response.status_code == 204 and "no-store" in response["Cache-Control"]

    Notification.objects.create(user=me, kind="x", subject="请审批")
    ActionItemFactory(owner=me, due_date=f.days(-2))
    response = counters(client)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'id="unread-total" data-counter="unread" hx-swap-oob="true">1<' in html
    assert 'name="unread" value="1"' in html
    assert 'id="overdue-total"' in html and "text-danger-emphasis" in html
    assert 'id="approvals-total"' not in html and 'id="red-total"' not in html
    assert counters(client, unread="1", overdue="1").status_code == 204


def test_the_home_page_shows_the_numbers_the_poll_compares_with(client):
    c = cr.cast()
    _populate(2, c.biz_pm, c)
    Notification.objects.create(user=c.biz_pm, kind="x", subject="通知")
    client.force_login(c.biz_pm)
    shown = home_context(c.biz_pm)["counters"]
    assert shown == live_counters(c.biz_pm)  # the page and the poll: the same selectors
    assert shown["approvals"] == 2 and shown["overdue"] == 2
    assert shown["red"] >= 2 and shown["unread"] >= 1
    html = client.get(reverse("home")).content.decode()
    for name, value in shown.items():
        assert f'name="{name}" value="{value}"' in html
    assert 'hx-get="/dashboard/counters/"' in html and 'hx-include="this"' in html
    assert counters(client, **{k: str(v) for k, v in shown.items()}).status_code == 204


def test_badge_counts_my_unread_and_is_204_when_unchanged(client):
    me = factories.business_user()
    someone = factories.business_user()
    Notification.objects.create(user=me, kind="x", subject="一")
    Notification.objects.create(user=me, kind="x", subject="二")
    Notification.objects.create(user=someone, kind="x", subject="别人的")
    client.force_login(me)
    response = badge(client)  # the page's first fill: no number shown yet
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert 'data-unread="2"' in html and "通知：2 条未读" in html
    assert 'aria-live="polite"' in html and "?seen=2" in html
    assert badge(client, seen="2").status_code == 204
    Notification.objects.filter(user=me).update(read_at="2026-01-01T00:00:00Z")
    assert 'data-unread="0"' in badge(client, seen="2").content.decode()


def test_the_poll_interval_is_a_setting(client, settings):
    settings.LIVE_POLL_SECONDS = 7
    client.force_login(factories.business_user())
    assert 'hx-trigger="every 7s, live-refresh"' in badge(client).content.decode()
    assert 'hx-trigger="every 7s, live-refresh"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("n", [1, 6])
def test_counters_cost_a_constant_number_of_queries(client, django_assert_num_queries, n):
    c = cr.cast()
    me = c.biz_pm
    _populate(n, me, c)
    Notification.objects.create(user=me, kind="x", subject="通知")
    client.force_login(me)
    counters(client)  # warm the session
    with django_assert_num_queries(EXPECTED_COUNTER_QUERIES):
        response = counters(client)
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_badge_costs_a_constant_number_of_queries(client, django_assert_num_queries, n):
    me = factories.business_user()
    for i in range(n):
        Notification.objects.create(user=me, kind="x", subject=f"通知 {i}")
    client.force_login(me)
    badge(client)
    with django_assert_num_queries(EXPECTED_BADGE_QUERIES):
        assert badge(client, seen=str(n)).status_code == 204


# Both: session, user, profile (the user's language), then the fragment's own reads.
# Counters: action-item counts (1), approvals (8: roles, change requests to decide with their
# decisions and the memberships, to assess, assessments, handovers, commitments), my open
# projects with health (11), unread (1). README "Why polling" quotes these figures.
EXPECTED_COUNTER_QUERIES = 24
EXPECTED_BADGE_QUERIES = 4  # one COUNT of unread notifications
