"""Folding (#19 item 5): related events are one notification. A batch of handover items
provided is one line per engineer; providing again does not multiply; a read one is not
reopened; after seed_demo no demo user has more than 20 unread."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from coordination.core.models import Notification
from coordination.core.services import mark_notifications_read, notify
from handover import services
from tests import factories
from tests.handover.factories import handover_for, items

pytestmark = pytest.mark.django_db


def _provided(user):
    return Notification.objects.filter(user=user, kind="handover_item.provided")


def test_a_batch_of_items_provided_is_one_notification_and_providing_again_adds_to_it():
    handover = handover_for()
    project = handover.project
    _contract, clauses, link = items(handover)
    business, engineer = project.business_pm, project.engineering_pm
    services.provide_item(clauses.pk, by=business, text="罚则上限 5%")
    services.provide_item(link.pk, by=business, link="https://example.com/a.pdf")
    services.provide_item(clauses.pk, by=business, text="罚则上限为合同额 5%")  # again
    rows = list(_provided(engineer))
    assert len(rows) == 1
    assert rows[0].occurrences == 3 and rows[0].read_at is None


def test_once_read_the_next_event_is_a_new_notification():
    user = factories.business_user()
    notify([user], kind="x.happened", subject="第一次", url="/projects/P/")
    mark_notifications_read(user, everything=True)
    notify([user], kind="x.happened", subject="第二次", url="/projects/P/")
    unread = Notification.objects.get(user=user, read_at__isnull=True)
    assert unread.subject == "第二次" and unread.occurrences == 1


def test_folding_keeps_the_latest_text_and_moves_it_to_the_top():
    user = factories.business_user()
    first = notify([user], kind="x.happened", subject="旧", url="/a/")[0]
    notify([user], kind="other", subject="别的", url="/b/")
    assert notify([user], kind="x.happened", subject="新", url="/a/") == []
    newest = Notification.objects.filter(user=user).order_by("-created_at", "-id").first()
    assert newest.pk == first.pk and newest.subject == "新" and newest.occurrences == 2


def test_without_a_url_nothing_folds():
    user = factories.business_user()
    notify([user], kind="x", subject="一")
    notify([user], kind="x", subject="二")
    assert Notification.objects.filter(user=user).count() == 2


def test_after_seed_demo_no_demo_user_has_more_than_20_unread(settings):
    settings.DEBUG = True
    call_command("seed_demo", today=datetime.date(2026, 3, 2), stdout=io.StringIO())
    unread = Notification.objects.filter(read_at__isnull=True)
    worst = max(
        (
            unread.filter(user=u).count()
            for u in Notification.objects.values_list("user", flat=True).distinct()
        ),
        default=0,
    )
    assert 0 < worst <= 20
