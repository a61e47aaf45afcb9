"""Personal work notices: every in-app notification (coordination.core.services.notify) is
also sent to each platform the recipient is linked to, unless they switched that kind off
(their notification preferences' work-notice column: coordination.core.channels_rule, the
rule `notify` reads for in-app and e-mail too).

1. Inside the action's transaction, `queue_work_notices` writes one WorkNotice row per
   notification and linked, configured platform (an outbox: a rolled-back action sends
   nothing), and enqueues their delivery after commit.
2. `attempt` claims a row with a conditional UPDATE (pending, due) and goes on only when it
   changed exactly one row, so two workers never send one notice twice; a refusal puts the
   row back with exponential backoff, and after MAX_ATTEMPTS it is failed (the admin shows
   it). Each platform has its own rows: a broken platform never holds up e-mail, the inbox
   or another platform.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.chat import platforms
from coordination.chat.models import ChatIdentity, WorkNotice
from coordination.core import channels_rule
from coordination.core.models import Notification
from coordination.core.services import set_notification_preferences

MAX_ATTEMPTS = 6
LEASE = datetime.timedelta(minutes=2)

# The kinds of event a user may choose among, with their labels: the one list of
# coordination.core.channels_rule (the notification preferences' grid).
KINDS = channels_rule.KINDS
KIND_CODES = channels_rule.KIND_CODES


def queue_work_notices(notifications: Iterable[Notification]) -> list[int]:
    """Outbox rows for `notifications` (just created, same transaction); returns their ids."""
    notifications = [n for n in notifications if n.pk]
    live = platforms.configured_platforms()
    if not notifications or not live:
        return []
    user_ids = {n.user_id for n in notifications}
    identities: dict[int, list[tuple[str, str]]] = {}
    for user_id, platform, external_id in ChatIdentity.objects.filter(
        user_id__in=user_ids, platform__in=live, work_notices=True, user__is_active=True
    ).values_list("user_id", "platform", "external_id"):
        identities.setdefault(user_id, []).append((platform, external_id))
    if not identities:
        return []
    choices = channels_rule.choices_of(identities)
    rows = [
        WorkNotice(notification=n, platform=platform, external_id=external_id)
        for n in notifications
        if channels_rule.wants(choices.get(n.user_id), n.kind, channels_rule.WORK_NOTICE)
        for platform, external_id in identities.get(n.user_id, [])
    ]
    created = WorkNotice.objects.bulk_create(rows, ignore_conflicts=True)
    ids = [row.pk for row in created if row.pk]
    if not ids:  # ignore_conflicts gives no ids on some databases: read them back
        ids = list(
            WorkNotice.objects.filter(
                notification__in=[n.pk for n in notifications], status=WorkNotice.Status.PENDING
            ).values_list("pk", flat=True)
        )
    if ids:
        from coordination.chat.tasks import deliver_work_notice  # tasks import this module

        transaction.on_commit(lambda: [deliver_work_notice.delay(pk) for pk in ids])
    return ids


# Kinds whose Feishu card carries approve / reject buttons (coordination.chat.callbacks runs
# them); on DingTalk and WeCom the card links to the page, where the same buttons are.
DECISION_KINDS = {"change_request.awaiting_decision": ("change_request", "changes:detail")}


def card_for(notice: WorkNotice) -> platforms.Card:
    n = notice.notification
    card = platforms.Card(title=n.subject, text=n.body or n.subject, url=n.url)
    decision = DECISION_KINDS.get(n.kind)
    if decision and notice.platform == platforms.FEISHU and n.url:
        try:
            match = resolve(n.url)
        except Resolver404:
            return card
        if match.view_name == decision[1]:
            value = {"object": decision[0], "id": match.kwargs["pk"], "notice": notice.pk}
            card.actions = [
                (str(_("批准")), {**value, "decision": "approve"}),
                (str(_("驳回")), {**value, "decision": "reject"}),
            ]
    return card


def _claim(notice_id: int, now: datetime.datetime) -> bool:
    return (
        WorkNotice.objects.filter(pk=notice_id, status=WorkNotice.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
        == 1
    )


def attempt(notice_id: int) -> int | None:
    """One delivery attempt; returns seconds until the next one, or None when done (sent,
    failed for good, or claimed by another worker)."""
    now = timezone.now()
    if not _claim(notice_id, now):
        return None
    notice = WorkNotice.objects.select_related("notification").get(pk=notice_id)
    try:
        message_id = platforms.send(notice.platform, notice.external_id, card_for(notice))
    except platforms.PlatformError as exc:
        if notice.attempts >= MAX_ATTEMPTS:
            WorkNotice.objects.filter(pk=notice_id).update(
                status=WorkNotice.Status.FAILED, last_error=str(exc)[:2000], next_attempt_at=None
            )
            return None
        delay = min(30 * 2 ** (notice.attempts - 1), 3600)
        WorkNotice.objects.filter(pk=notice_id).update(
            last_error=str(exc)[:2000], next_attempt_at=now + datetime.timedelta(seconds=delay)
        )
        return delay
    WorkNotice.objects.filter(pk=notice_id).update(
        status=WorkNotice.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        platform_message_id=message_id[:128],
    )
    return None


def due_notices(limit: int = 500) -> list[int]:
    """Pending rows whose next attempt is due (or whose task was lost)."""
    now = timezone.now()
    return list(
        WorkNotice.objects.filter(status=WorkNotice.Status.PENDING)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - LEASE)
        )
        .values_list("pk", flat=True)[:limit]
    )


def set_work_notice_choices(user, enabled_kinds: Iterable[str]) -> None:
    """Store which kinds `user` wants as work notices (every kind of KINDS not listed is off):
    the work-notice column of their notification preferences (one service, one audit)."""
    enabled = set(enabled_kinds)
    unknown = enabled - KIND_CODES
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}")
    set_notification_preferences(
        user, [(code, channels_rule.WORK_NOTICE, code in enabled) for code, _label in KINDS]
    )


def enabled_kinds(user) -> set[str]:
    choices = channels_rule.choices_of([user.pk]).get(user.pk)
    return {
        code for code in KIND_CODES if channels_rule.wants(choices, code, channels_rule.WORK_NOTICE)
    }


@transaction.atomic
def link_identity(user, platform: str, external_id: str) -> ChatIdentity:
    identity, _created = ChatIdentity.objects.update_or_create(
        user=user, platform=platform, defaults={"external_id": external_id}
    )
    return identity
