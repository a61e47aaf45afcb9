"""Personal work notices: every in-app notification (coordination.core.services.notify) is
also sent to each platform the recipient is linked to, unless they switched that kind off.

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
from coordination.chat.models import ChatIdentity, WorkNotice, WorkNoticeChoice
from coordination.core.models import Notification
from coordination.core.services import record_audit

MAX_ATTEMPTS = 6
LEASE = datetime.timedelta(minutes=2)

# The kinds of event a user may choose among on their settings page, with their labels.
KINDS = [
    ("change_request.submitted", _("变更申请待审批")),
    ("change_request.awaiting_decision", _("变更申请待另一方审批")),
    ("change_request.decided", _("变更申请已决定")),
    ("feasibility.submitted", _("可行性评估待审批")),
    ("feasibility.decided", _("可行性评估已决定")),
    ("handover.submitted", _("交接待审核")),
    ("handover.accepted", _("交接已验收")),
    ("handover.overdue", _("交接逾期")),
    ("handover_item.provided", _("交接项已提供")),
    ("handover_item.rejected", _("交接项被退回")),
    ("kickoff.scheduled", _("启动会已安排")),
    ("commitment.open", _("承诺书待签署")),
    ("commitment.signed", _("承诺书已签署")),
    ("task.assigned", _("任务分配")),
    ("action_item.assigned", _("行动项分配")),
    ("comment_mention", _("评论中提到我")),
    ("project.stage_changed", _("项目阶段变化")),
    ("project.member_added", _("加入项目")),
    ("reminder", _("评审提醒")),
]
KIND_CODES = {code for code, _label in KINDS}


def _kind_key(kind: str) -> str:
    """Reminders (`reminder.<kind>`) are chosen as one kind."""
    return "reminder" if kind.startswith("reminder.") else kind


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
    off = set(
        WorkNoticeChoice.objects.filter(user_id__in=list(identities), enabled=False).values_list(
            "user_id", "kind"
        )
    )
    rows = [
        WorkNotice(notification=n, platform=platform, external_id=external_id)
        for n in notifications
        if (n.user_id, _kind_key(n.kind)) not in off
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


@transaction.atomic
def set_work_notice_choices(user, enabled_kinds: Iterable[str]) -> None:
    """Store which kinds `user` wants as work notices (every kind of KINDS not listed is off)."""
    enabled = set(enabled_kinds)
    unknown = enabled - KIND_CODES
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}")
    before = sorted(_enabled(user))
    WorkNoticeChoice.objects.filter(user=user).delete()
    WorkNoticeChoice.objects.bulk_create(
        [WorkNoticeChoice(user=user, kind=code, enabled=code in enabled) for code, _label in KINDS]
    )
    after = sorted(enabled & KIND_CODES)
    if before != after:
        record_audit(
            actor=user,
            action="work_notices.chosen",
            target=user,
            before={"kinds": before},
            after={"kinds": after},
        )


def _enabled(user) -> set[str]:
    off = set(
        WorkNoticeChoice.objects.filter(user=user, enabled=False).values_list("kind", flat=True)
    )
    return KIND_CODES - off


enabled_kinds = _enabled


@transaction.atomic
def link_identity(user, platform: str, external_id: str) -> ChatIdentity:
    identity, _created = ChatIdentity.objects.update_or_create(
        user=user, platform=platform, defaults={"external_id": external_id}
    )
    return identity
