"""The daily digest: one e-mail a day to each user who asked for it (通知设置 → 每日摘要),
listing their unread notifications of the last 24 hours, in their language.

1. For each active user with `daily_digest` on and an e-mail address, claim the day: insert
   the NotificationDigest row (user, day), unique. When the row exists already (a re-run, or
   another worker got there first), skip that user: nobody gets a day's digest twice.
2. Read their unread notifications created in the 24 hours before now (at most 50 listed,
   all counted). None: the row is marked sent with count 0 and no mail goes out.
3. Write subject and body in the user's language (their profile's, else LANGUAGE_CODE) and
   send through Django's e-mail backend, as `notify`'s e-mails go; mark the row sent, or
   failed with the error (a failed day is not retried: the next day's digest covers it).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core.models import Notification, NotificationDigest
from coordination.core.services import recipient_languages

LISTED = 50


def _claim(user_id: int, day: datetime.date) -> NotificationDigest | None:
    try:
        with transaction.atomic():
            return NotificationDigest.objects.create(user_id=user_id, day=day)
    except IntegrityError:
        return None  # sent (or being sent) already today


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """Send the day's digests; returns how many e-mails were sent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    since = now - datetime.timedelta(days=1)
    users = list(
        get_user_model()
        .objects.filter(is_active=True, profile__daily_digest=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    languages = recipient_languages(pk for pk, _email in users)
    sent = 0
    for user_id, address in users:
        digest = _claim(user_id, day)
        if digest is None:
            continue
        unread = Notification.objects.filter(
            user_id=user_id, read_at__isnull=True, created_at__gte=since
        ).order_by("-created_at", "-id")
        count = unread.count()
        if not count:
            NotificationDigest.objects.filter(pk=digest.pk).update(
                status=NotificationDigest.Status.SENT, sent_at=timezone.now()
            )
            continue
        lines = [
            f"- {n.subject}" + (f"\n  {settings.SITE_URL}{n.url}" if n.url else "")
            for n in unread[:LISTED]
        ]
        with translation.override(languages.get(user_id, settings.LANGUAGE_CODE)):
            subject = _("每日通知摘要 %(day)s") % {"day": day.isoformat()}
            body = "\n".join(
                [_("过去一天您有 %(n)d 条未读通知：") % {"n": count}, "", *lines, ""]
                + [f"{settings.SITE_URL}/notifications/?unread=1"]
            )
        try:
            send_mail(subject, body, None, [address], fail_silently=False)
        except Exception as exc:  # one bad address must not stop the others' digests
            NotificationDigest.objects.filter(pk=digest.pk).update(
                status=NotificationDigest.Status.FAILED, count=count, last_error=str(exc)[:2000]
            )
            continue
        NotificationDigest.objects.filter(pk=digest.pk).update(
            status=NotificationDigest.Status.SENT, count=count, sent_at=timezone.now()
        )
        sent += 1
    return sent
