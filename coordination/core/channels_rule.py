"""The channel rule: on which channels (e-mail, chat, in-app) a user is told things, from their
profile, and per kind of event (the notification preferences, below). The profile's rule in
two forms, side by side: `channels_for` in Python (notify's e-mail, the reminder outbox on
SQLite) and `CHANNELS_SQL` for PostgreSQL's set-based INSERT of reminder rows.
tests/reviews/test_channel_rule.py checks that both give the same channels for every
combination of profile flags.

Nobody is left without a message: with no usable channel chosen (or no profile), the in-app
inbox is used. E-mail needs an address, chat a webhook URL.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from coordination.core.models import NotificationPreference

EMAIL, CHAT, INAPP = "email", "chat", "inapp"
CHANNELS = (EMAIL, CHAT, INAPP)
WORK_NOTICE = "work_notice"  # a chat platform's personal work notice (coordination.chat)


def channels_for(user) -> list[str]:
    """The channels `user` chose, in the order e-mail, chat, in-app."""
    profile = getattr(user, "profile", None)
    chosen = []
    if user.email and (profile is None or profile.notify_email):
        chosen.append(EMAIL)
    if profile is not None and profile.notify_chat and profile.chat_webhook_url:
        chosen.append(CHAT)
    if profile is None or profile.notify_inapp or not chosen:
        chosen.append(INAPP)
    return chosen


# The same rule for a query that has the user as `u` and their profile as `pr` (LEFT JOIN:
# all NULL without a profile): one row per chosen channel, its name in `ch.channel`.
CHANNELS_SQL = f"""
    CROSS JOIN LATERAL (
        SELECT u.email <> '' AND coalesce(pr.notify_email, TRUE) AS email,
               coalesce(pr.notify_chat AND pr.chat_webhook_url <> '', FALSE) AS chat
    ) AS chosen
    JOIN (VALUES ('{EMAIL}'), ('{CHAT}'), ('{INAPP}')) AS ch (channel)
      ON CASE ch.channel
           WHEN '{EMAIL}' THEN chosen.email
           WHEN '{CHAT}' THEN chosen.chat
           ELSE coalesce(pr.notify_inapp, TRUE) OR NOT (chosen.email OR chosen.chat)
         END
"""


# Per kind of event: the notification preferences.
#
# A notification of one of KINDS (every kind `notify` writes) goes to a channel when
# 1. the channel is usable at all: e-mail by `channels_for` (an address, the profile's
#    邮件提醒), a work notice by a linked platform account with work notices on, and
# 2. the user has not switched that kind off on that channel (a NotificationPreference row
#    with enabled=False; without a row every channel is on).
# In-app cannot be switched off for INAPP_REQUIRED: requests addressed to the user for their
# decision or signature, which the product waits for. In-app switched off for another kind
# files the notification as read: it stays in the centre's full list (and carries the work
# notice), but counts nowhere as unread and is not folded into.

KINDS = [
    ("change_request.submitted", _("变更申请待审批")),
    ("change_request.awaiting_decision", _("变更申请待另一方审批")),
    ("change_request.decided", _("变更申请已决定")),
    ("feasibility.submitted", _("可行性评估待审批")),
    ("feasibility.decided", _("可行性评估已决定")),
    ("handover.created", _("交接清单已创建")),
    ("handover.submitted", _("交接待审核")),
    ("handover.accepted", _("交接已验收")),
    ("handover.overdue", _("交接逾期")),
    ("handover_item.provided", _("交接项已提供")),
    ("handover_item.accepted", _("交接项已接收")),
    ("handover_item.rejected", _("交接项被退回")),
    ("kickoff.scheduled", _("启动会已安排")),
    ("commitment.open", _("承诺书待签署")),
    ("commitment.signed", _("承诺书已签署")),
    ("task.assigned", _("任务分配")),
    ("action_item.assigned", _("行动项分配")),
    ("comment_mention", _("评论中提到我")),
    ("project.stage_changed", _("项目阶段变化")),
    ("project.member_added", _("加入项目")),
    ("project.member_removed", _("离开项目")),
    ("complaint.assigned", _("投诉待处理")),
    ("complaint.overdue", _("投诉答复逾期")),
    ("payment.moved", _("收款节点因交付延误推迟")),
    ("survey.answered", _("客户已填写满意度问卷")),
    ("training.invited", _("培训邀请")),
    ("training.changed", _("培训改期、换地点或取消")),
    ("job_rotation.planned", _("轮岗计划待审批")),
    ("job_rotation.decided", _("轮岗审批与结束")),
    ("job_rotation.check_in_due", _("轮岗月度记录提醒")),
]
KIND_CODES = {code for code, _label in KINDS}
_KIND_LABELS = dict(KINDS)
REMINDER_LABEL = _("提醒")


def kind_label(code: str) -> str:
    """What a reader is told a kind of notification is (a reminder's kind is a reminder; a
    code of no kind named here is shown as it is)."""
    if code in _KIND_LABELS:
        return str(_KIND_LABELS[code])
    return str(REMINDER_LABEL) if code.startswith("reminder.") else code


PREFERENCE_CHANNELS = (INAPP, EMAIL, WORK_NOTICE)
INAPP_REQUIRED = {
    "change_request.submitted",
    "change_request.awaiting_decision",
    "feasibility.submitted",
    "handover.submitted",
    "commitment.open",
    "job_rotation.planned",
}

Choices = dict[tuple[str, str], bool]  # (kind, channel) -> enabled, the user's rows only


def kind_key(kind: str) -> str:
    """Reminders (`reminder.<kind>`) are one kind."""
    return "reminder" if kind.startswith("reminder.") else kind


def choices_of(user_ids: Iterable[int]) -> dict[int, Choices]:
    """{user id: their saved choices} in one query (users without rows are absent)."""
    found: dict[int, Choices] = {}
    for user_id, kind, channel, enabled in NotificationPreference.objects.filter(
        user_id__in=list(user_ids)
    ).values_list("user_id", "kind", "channel", "enabled"):
        found.setdefault(user_id, {})[(kind, channel)] = enabled
    return found


def wants(choices: Choices | None, kind: str, channel: str) -> bool:
    """Whether a user with `choices` gets `kind` on `channel` (the channel being usable)."""
    kind = kind_key(kind)
    if channel == INAPP and kind in INAPP_REQUIRED:
        return True
    return (choices or {}).get((kind, channel), True)
