"""Shared writes: audit events, in-app notifications, numbering."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core import audit_chain, channels_rule
from coordination.core.channels_rule import EMAIL, INAPP, channels_for, choices_of, wants
from coordination.core.exceptions import ValidationError
from coordination.core.models import (
    AuditEvent,
    Notification,
    NotificationPreference,
    Profile,
    Sequence,
)

User = get_user_model()

log = logging.getLogger(__name__)


_JSON_SCALARS = (str, int, bool, type(None))


def _jsonable(value: Any) -> Any:
    # JSON scalars, the common case, are kept as they are without the checks below
    if value.__class__ in _JSON_SCALARS:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or getattr(value, "username", None) or value.pk
    if isinstance(value, float):
        return audit_chain.plain_float(value)  # as jsonb will hand it back (the chain's hash)
    return value


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    client = getattr(actor, "api_client_name", None)
    if client:
        return f"api:{client}"
    return actor.get_username()


def record_audit(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    project_code: str = "",
    at: datetime.datetime | None = None,
) -> AuditEvent:
    """Append one audit event, chained to the last one (AuditEvent.save). Call inside the
    service's transaction. `at`: when it happened, if not now (the demo's history)."""
    when = {"created_at": at} if at is not None else {}
    return AuditEvent.objects.create(
        **_audit_who(actor, action, reason),
        **_audit_target(target, before, after, project_code),
        **when,
    )


@transaction.atomic(savepoint=False)
def record_audit_many(
    *, actor, action: str, changes: Iterable[tuple[Any, dict | None, dict | None]], reason: str = ""
) -> None:
    """`record_audit(actor=actor, action=action, target=t, before=b, after=a, reason=reason)`
    for each (t, b, a) of `changes`, in one INSERT, chained like record_audit's. A target is a
    model instance, or an object answering what record_audit reads of one (`_meta`, `pk`,
    `str()`, `project` or `code`)."""
    rows = [_audit_target(target, before, after, "") for target, before, after in changes]
    if not rows:
        return
    who = _audit_who(actor, action, reason)
    prev, ids = audit_chain.next_links(AuditEvent, len(rows), connection.alias)
    if connection.vendor != "postgresql":
        events = [AuditEvent(**who, **row) for row in rows]
        audit_chain.seal(events, prev, ids)
        AuditEvent.objects.bulk_create(events)
        return
    # INSERT … SELECT FROM json_populate_recordset: the events are one JSON parameter typed by
    # the table's own columns (no model instance per event), what they share comes once.
    # The keys are the columns' names; each row's JSON is its canonical content (what its
    # hash covers) plus the two chain columns.
    real_actor = who.pop("actor")
    created_at = audit_chain.instant(timezone.now())
    rows = [{**who, **row, "created_at": created_at} for row in rows]
    shared = {"actor_id": getattr(real_actor, "pk", None)}
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    own = [quote(c) for c in [*audit_chain.CHAINED, "prev_hash", "hash"]]
    common = [quote(c) for c in shared]
    values = [*(f"r.{c}" for c in own), *(f"k.{c}" for c in common)]
    sql = (
        f"INSERT INTO {table} ({', '.join([*own, *common])}) SELECT {', '.join(values)} "  # noqa: S608  # nosec B608 (table and column names of the model)
        f"FROM json_populate_recordset(NULL::{table}, %s) AS r, "
        f"json_populate_record(NULL::{table}, %s) AS k"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [audit_chain.seal_rows(rows, prev, ids), _json_text(shared)])


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _audit_who(actor, action: str, reason: str) -> dict:
    """Who did what, and why: an audit event's fields that do not depend on its target."""
    return {
        "actor": actor if (actor is not None and getattr(actor, "pk", None)) else None,
        "actor_label": actor_label(actor),
        "action": action,
        "reason": reason or "",
    }


def _audit_target(target, before: dict | None, after: dict | None, project_code: str) -> dict:
    """To which object, before → after: an audit event's fields about `target`."""
    if not project_code:
        project = getattr(target, "project", None)
        project_code = getattr(project, "code", "") or getattr(target, "code", "") or ""
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_repr": str(target)[:255],
        "project_code": project_code or "",
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
    }


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """The values of `fields` on `instance`, ready for an audit event's before/after."""
    return {name: _jsonable(getattr(instance, name)) for name in fields}


Text = str | Callable[[], str]


# Further channels of `notify` (the chat platforms' work notices): each is called inside the
# action's transaction with the new in-app rows, so it can write its own outbox rows.
_notify_channels: list[Callable[[list[Notification]], object]] = []


def add_notify_channel(func: Callable[[list[Notification]], object]) -> None:
    if func not in _notify_channels:
        _notify_channels.append(func)


def notify(
    users: Iterable,
    *,
    kind: str,
    subject: Text,
    body: Text = "",
    url: str = "",
    project: str = "",
) -> list[Notification]:
    """In-app notification for each distinct active user, plus e-mail after commit
    for those who chose e-mail (coordination.core.channels_rule, the reminders' rule too)
    and did not switch this kind off there (their notification preferences; in-app switched
    off files the row as read). An unread one of the same kind and url is folded into (no new
    row, no new mail): returned are the new rows only. `project` is the code of the project
    the event is about (the centre's project filter).
    Scheduled reminders go through the reminder outbox.

    `subject` and `body` may be callables (`lambda: _("…") % {…}`): each is then written in
    every recipient's own language (their profile's, else LANGUAGE_CODE), not the actor's."""
    seen: set[int] = set()
    people = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    texts: dict[str, tuple[str, str]] = {}  # language -> (subject, body)
    languages: dict[int, str] = {}
    if callable(subject) or callable(body):
        languages = recipient_languages(u.pk for u in people)

    def texts_in(language: str) -> tuple[str, str]:
        if language not in texts:  # "": plain texts, as given (the current language)
            with translation.override(language) if language else contextlib.nullcontext():
                texts[language] = (
                    str(subject() if callable(subject) else subject),
                    str(body() if callable(body) else body),
                )
        return texts[language]

    # Folding: an unread notification of this kind about this target (url) takes the new
    # event (latest text, now, one more occurrence) instead of a second row, so a batch of
    # handover items provided, or one provided again, stays one line in the inbox.
    choices = choices_of(u.pk for u in people)
    inapp = {u.pk for u in people if wants(choices.get(u.pk), kind, INAPP)}
    folded: dict[int, int] = {}
    if url and inapp:
        folded = dict(  # user -> their newest such row (after folding there is one)
            Notification.objects.filter(
                user__in=sorted(inapp), kind=kind, url=url, read_at__isnull=True
            )
            .order_by("id")
            .values_list("user_id", "pk")
        )
    refolded: dict[str, list[int]] = {}  # language -> notification ids
    rows = []
    now = timezone.now()
    for user in people:
        language = languages.get(user.pk, "")
        if user.pk in folded:
            refolded.setdefault(language, []).append(folded[user.pk])
            continue
        subject_text, body_text = texts_in(language)
        rows.append(
            Notification(
                user=user,
                kind=kind,
                subject=subject_text[:255],
                body=body_text,
                url=url,
                project_code=project[:40],
                read_at=None if user.pk in inapp else now,  # in-app off: filed as read
            )
        )
    for language, pks in refolded.items():
        subject_text, body_text = texts_in(language)
        Notification.objects.filter(pk__in=pks).update(
            subject=subject_text[:255],
            body=body_text,
            created_at=now,
            occurrences=models.F("occurrences") + 1,
        )
    created = Notification.objects.bulk_create(rows)
    for channel in _notify_channels:
        channel(created)
    mails: dict[tuple[str, str], list[str]] = {}
    for n in created:
        if EMAIL in channels_for(n.user) and wants(choices.get(n.user_id), kind, EMAIL):
            mails.setdefault((n.subject, n.body), []).append(n.user.email)
    if mails:
        link = f"{settings.SITE_URL}{url}" if url else ""

        def _send() -> None:
            for (subject_text, body_text), recipients in mails.items():
                try:
                    send_mail(
                        subject_text,
                        f"{body_text}\n\n{link}".strip(),
                        None,
                        recipients,
                        fail_silently=False,
                    )
                except Exception:  # the in-app row is kept; mail failure must not undo the action
                    log.exception("notification e-mail failed: %s", subject_text)

        transaction.on_commit(_send)
    return created


@transaction.atomic
def set_notification_preferences(
    user, choices: Iterable[tuple[str, str, bool]] = (), *, daily_digest: bool | None = None
) -> None:
    """Store `user`'s choices, each (kind, channel, enabled); kinds and channels not named
    keep theirs. A choice equal to the default (on) deletes the row, so no row means the
    default. In-app cannot be switched off for channels_rule.INAPP_REQUIRED. `daily_digest`
    switches the daily digest e-mail. A refused choice raises ValidationError naming
    `kinds` and writes nothing; a change writes one audit event `notification_preferences.updated`
    (the settings page, the work-notices page, the API and nothing else call this)."""
    wanted: dict[tuple[str, str], bool] = {}
    for kind, channel, enabled in choices:
        if kind not in channels_rule.KIND_CODES:
            raise ValidationError({"kinds": [_("未知的事件类型：%(kind)s") % {"kind": kind}]})
        if channel not in channels_rule.PREFERENCE_CHANNELS:
            raise ValidationError({"kinds": [_("未知的渠道：%(channel)s") % {"channel": channel}]})
        if channel == INAPP and not enabled and kind in channels_rule.INAPP_REQUIRED:
            raise ValidationError(
                {"kinds": [_("待你审批或签署的事件不能关闭站内通知：%(kind)s") % {"kind": kind}]}
            )
        wanted[(kind, channel)] = bool(enabled)
    saved = channels_rule.choices_of([user.pk]).get(user.pk, {})
    changed = [key for key in wanted if saved.get(key, True) != wanted[key]]
    before = {f"{k}/{c}": saved.get((k, c), True) for k, c in changed}
    after = {f"{k}/{c}": wanted[(k, c)] for k, c in changed}
    for kind, channel in changed:
        if wanted[(kind, channel)]:
            NotificationPreference.objects.filter(user=user, kind=kind, channel=channel).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, channel=channel, defaults={"enabled": False}
            )
    if daily_digest is not None:
        profile, _created = Profile.objects.get_or_create(user=user)
        if profile.daily_digest != daily_digest:
            before["daily_digest"] = profile.daily_digest
            after["daily_digest"] = daily_digest
            Profile.objects.filter(pk=profile.pk).update(daily_digest=daily_digest)
    if after:
        record_audit(
            actor=user,
            action="notification_preferences.updated",
            target=user,
            before=before,
            after=after,
        )


def notification_preferences(user) -> dict:
    """`user`'s grid: {"daily_digest", "kinds": [{"kind", "label", "inapp", "email",
    "work_notice", "inapp_required"}]} in KINDS order, one query for the choices."""
    saved = channels_rule.choices_of([user.pk]).get(user.pk, {})
    profile = Profile.objects.filter(user=user).values_list("daily_digest", flat=True).first()
    return {
        "daily_digest": bool(profile),
        "kinds": [
            {
                "kind": code,
                "label": label,
                **{
                    channel: wants(saved, code, channel)
                    for channel in channels_rule.PREFERENCE_CHANNELS
                },
                "inapp_required": code in channels_rule.INAPP_REQUIRED,
            }
            for code, label in channels_rule.KINDS
        ],
    }


@transaction.atomic
def mark_notifications_read(user, *, ids: Iterable[int] | None = None, everything=False) -> int:
    """Mark `user`'s own unread notifications read: those of `ids` (others' ids and read ones
    are ignored: nothing tells whether they exist), or all of them. One UPDATE and one audit
    event whatever their number; returns how many were unread. The pages and the API call it."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if not everything:
        unread = unread.filter(pk__in=list(ids or []))
    marked = sorted(unread.values_list("pk", flat=True))
    if not marked:
        return 0
    Notification.objects.filter(pk__in=marked).update(read_at=timezone.now())
    record_audit(
        actor=user,
        action="notification.read",
        target=user,
        after={"all": bool(everything), "count": len(marked), "ids": marked[:100]},
    )
    return len(marked)


@transaction.atomic
def allocate_numbers(name: str, n: int) -> range:
    """N consecutive values of counter `name` with one UPDATE … RETURNING.

    The UPDATE locks the row until commit, so concurrent callers get disjoint ranges.
    """
    Sequence.objects.get_or_create(name=name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Sequence._meta.db_table} SET value = value + %s "  # noqa: S608  # nosec B608 (table name)
            "WHERE name = %s RETURNING value",
            [n, name],
        )
        end = cursor.fetchone()[0]
    return range(end - n + 1, end + 1)


def next_number(name: str) -> int:
    """Next value of counter `name` (see allocate_numbers)."""
    return allocate_numbers(name, 1)[0]


def recipient_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: the language to write to them in} for the active ones among `user_ids`: their
    profile's, else LANGUAGE_CODE (LANGUAGE_SQL's rule, in the ORM so that any database runs
    it). One query; reminders and in-app notifications use it alike."""
    language = Coalesce(NullIf("profile__language", Value("")), Value(settings.LANGUAGE_CODE))
    return dict(
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .annotate(language=language)
        .values_list("pk", "language")
    )
