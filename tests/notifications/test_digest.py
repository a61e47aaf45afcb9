"""The daily digest (#19 item 5): off by default; each opted-in user gets one e-mail a day
with their unread notifications of the last day, in their language; a re-run sends nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from coordination.core.models import Notification, NotificationDigest
from coordination.notifications.tasks import send_daily_digests
from tests import factories

pytestmark = pytest.mark.django_db


def _opt_in(user, language="zh-hans"):
    user.profile.daily_digest = True
    user.profile.language = language
    user.profile.save()
    return user


def test_only_opted_in_users_get_one_mail_with_their_unread_of_the_day():
    me = _opt_in(factories.business_user())
    english = _opt_in(factories.business_user(), language="en")
    nobody = factories.business_user()  # off by default
    factories.NotificationFactory(user=me, subject="新的未读", url="/projects/")
    old = factories.NotificationFactory(user=me, subject="两天前的")
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    read = factories.NotificationFactory(user=me, subject="已读的")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    factories.NotificationFactory(user=english, subject="English one")
    factories.NotificationFactory(user=nobody, subject="没订阅")
    assert send_daily_digests() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {me.email, english.email}
    mine = by_address[me.email]
    assert mine.subject.startswith("每日通知摘要")
    assert "新的未读" in mine.body and "两天前的" not in mine.body and "已读的" not in mine.body
    assert by_address[english.email].subject.startswith("Daily notification digest")
    # a re-run the same day sends nothing twice
    assert send_daily_digests() == 0
    assert len(mail.outbox) == 2
    assert NotificationDigest.objects.filter(status="sent").count() == 2


def test_nothing_unread_sends_no_mail():
    _opt_in(factories.business_user())
    assert send_daily_digests() == 0
    assert mail.outbox == []
