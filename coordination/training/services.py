"""Writes of training. Each checks who (coordination.training.permissions), locks the session
row, writes, audits and notifies; the pages, the API and the admin call these and nothing else.

1. `schedule_session` (PMO): topic, title, trainer (a user or an external name), the
   audience departments, time and place; the invitees picked by name and/or everyone of the
   audience departments get a `training.invited` notification.
2. `update_session` (an organiser, while scheduled): changed details; new invitees are
   invited, nobody is uninvited; a change of time or place tells the invitees.
3. `mark_held` (once it has started) or `cancel_session` (tells the invitees).
4. `mark_attendance` (an organiser, once held): the ticked people attended, the others did
   not; someone ticked who was not invited is a walk-in.
5. `give_feedback` (the attendee, once held): a score of 1–5 and a comment, one per person
   and session, changed as often as they like until FEEDBACK_WINDOW_DAYS after the session,
   then closed.
6. Materials: `add_material` / `add_material_version` (an organiser) and the audited
   download `record_material_download`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.concurrency import Expected, check_version
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.roles import can_write
from coordination.core.services import notify, record_audit, snapshot
from coordination.training.models import (
    SCORE_MAX,
    SCORE_MIN,
    TrainingAttendance,
    TrainingAudience,
    TrainingMaterial,
    TrainingMaterialVersion,
    TrainingSession,
    TrainingTopic,
)
from coordination.training.permissions import require_organiser, require_schedule
from coordination.training.selectors import audience_people
from projects.core.team import people
from projects.documents.services import save_new_version, version_facts

User = get_user_model()

FEEDBACK_WINDOW_DAYS = 14
FIELDS = [
    "topic_id",
    "title",
    "trainer_id",
    "trainer_name",
    "starts_at",
    "duration_minutes",
    "location",
    "online_url",
    "description",
    "status",
]
EDITABLE = [f.removesuffix("_id") for f in FIELDS if f != "status"]
NOTICE_FIELDS = {"starts_at", "duration_minutes", "location", "online_url"}


def url_of(session: TrainingSession) -> str:
    return f"/training/{session.pk}/"


def _locked(session_id: int) -> TrainingSession:
    return TrainingSession.objects.select_for_update().select_related("topic").get(pk=session_id)


def _audit_state(session: TrainingSession, audience: Iterable[str] | None = None) -> dict:
    state = snapshot(session, FIELDS)
    if audience is not None:
        state["audience"] = sorted(audience)
    return state


def _check_details(data: dict, *, creating: bool) -> None:
    errors: dict[str, list] = {}
    topic = data.get("topic")
    if creating and topic is None:
        errors["topic"] = [_("请选择主题。")]
    if topic is not None and not (isinstance(topic, TrainingTopic) and topic.active):
        errors["topic"] = [_("请选择启用中的主题。")]
    if "title" in data and not (data.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    if creating and not data.get("starts_at"):
        errors["starts_at"] = [_("请填写开始时间。")]
    minutes = data.get("duration_minutes")
    if minutes is not None and not 15 <= minutes <= 1440:
        errors["duration_minutes"] = [_("时长须在15到1440分钟之间。")]
    trainer = data.get("trainer")
    if trainer is not None and not people().filter(pk=trainer.pk).exists():
        errors["trainer"] = [_("请选择有效的讲师。")]
    if "audience" in data or creating:
        audience = list(data.get("audience") or [])
        if not audience:
            errors["audience"] = [_("请至少选择一个培训对象部门。")]
        elif any(d not in Department.values for d in audience):
            errors["audience"] = [_("未知的部门。")]
    if errors:
        raise ValidationError(errors)


def _check_trainer(session: TrainingSession) -> None:
    if not session.trainer_id and not session.trainer_name.strip():
        raise ValidationError({"trainer": [_("请选择讲师或填写外部讲师姓名。")]})


def _invite(session: TrainingSession, users: Iterable, *, by) -> list:
    """Invite those of `users` who are people and not yet on the session; tell them."""
    wanted = {u.pk for u in users}
    if not wanted:
        return []
    already = set(session.attendances.values_list("user_id", flat=True))
    new = list(people().filter(pk__in=wanted - already).order_by("pk"))
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(session=session, user=u, invited=True) for u in new]
    )
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    title, place = session.title, session.location or session.online_url
    notify(
        new,
        kind="training.invited",
        subject=lambda: _("培训邀请：%(title)s") % {"title": title},
        body=lambda: _("时间：%(when)s；地点：%(place)s") % {"when": when, "place": place or "—"},
        url=url_of(session),
    )
    return new


def _invitees(session: TrainingSession, data: dict, audience: Iterable[str]) -> list:
    chosen = list(data.get("invitees") or [])
    if data.get("invite_audience"):
        chosen += list(audience_people(audience))
    return chosen


@transaction.atomic
def schedule_session(*, by, data: dict) -> TrainingSession:
    """data: topic, title, trainer or trainer_name, starts_at, duration_minutes, location,
    online_url, description, audience (departments), invitees (users), invite_audience."""
    require_schedule(by)
    _check_details(data, creating=True)
    session = TrainingSession(
        created_by=by, **{k: data[k] for k in EDITABLE if k in data and data[k] is not None}
    )
    session.title = session.title.strip()
    _check_trainer(session)
    session.save()
    audience = sorted(set(data["audience"]))
    TrainingAudience.objects.bulk_create(
        [TrainingAudience(session=session, department=d) for d in audience]
    )
    invited = _invite(session, _invitees(session, data, audience), by=by)
    record_audit(
        actor=by,
        action="training.session_scheduled",
        target=session,
        after={**_audit_state(session, audience), "invited": [u.username for u in invited]},
    )
    return session


@transaction.atomic
def update_session(
    session_id: int, *, by, data: dict, expected_version: Expected = None
) -> TrainingSession:
    session = _locked(session_id)
    require_organiser(by, session)
    check_version(session, expected_version)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise Conflict(_("只有已安排的培训可以修改。"))
    data = dict(data)
    if getattr(data.get("topic"), "pk", None) == session.topic_id:
        data.pop("topic")  # its own topic stays allowed after PMO made it inactive
    _check_details(data, creating=False)
    audience_before = sorted(session.audiences.values_list("department", flat=True))
    before = _audit_state(session, audience_before)
    changed = []
    for name in EDITABLE:
        if name in data and getattr(session, name) != data[name]:
            setattr(session, name, data[name] if data[name] is not None else _blank(name))
            changed.append(name)
    session.title = session.title.strip()
    _check_trainer(session)
    audience = audience_before
    if "audience" in data and sorted(set(data["audience"])) != audience_before:
        audience = sorted(set(data["audience"]))
        session.audiences.all().delete()
        TrainingAudience.objects.bulk_create(
            [TrainingAudience(session=session, department=d) for d in audience]
        )
        changed.append("audience")
    if changed:
        session.save()
    told = list(session.attendances.filter(invited=True).select_related("user"))
    invited = _invite(session, _invitees(session, data, audience), by=by)
    if not changed and not invited:
        return session
    record_audit(
        actor=by,
        action="training.session_updated",
        target=session,
        before=before,
        after={**_audit_state(session, audience), "invited": [u.username for u in invited]},
    )
    if NOTICE_FIELDS & set(changed):
        _tell_change(session, [a.user for a in told])
    return session


def _blank(name: str):
    return None if name in {"trainer"} else ""


def _tell_change(session: TrainingSession, users: list, *, cancelled: bool = False) -> None:
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    facts = {"title": session.title, "when": when}
    facts["place"] = session.location or session.online_url or "—"

    def subject() -> str:
        if cancelled:
            return _("培训已取消：%(title)s") % facts
        return _("培训时间或地点有变：%(title)s") % facts

    def body() -> str:
        if cancelled:
            return _("原定时间：%(when)s") % facts
        return _("时间：%(when)s；地点：%(place)s") % facts

    notify(users, kind="training.changed", subject=subject, body=body, url=url_of(session))


@transaction.atomic
def mark_held(session_id: int, *, by) -> TrainingSession:
    session = _locked(session_id)
    require_organiser(by, session)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise Conflict(_("这场培训已举行或已取消。"))
    if session.starts_at > timezone.now():
        raise Conflict(_("培训尚未开始，不能确认举行。"))
    before = _audit_state(session)
    session.status = TrainingSession.Status.HELD
    session.held_at = timezone.now()
    session.save(update_fields=["status", "held_at", "updated_at"])
    record_audit(
        actor=by, action="training.session_held", target=session, before=before,
        after=_audit_state(session),
    )  # fmt: skip
    return session


@transaction.atomic
def cancel_session(session_id: int, *, by, reason: str = "") -> TrainingSession:
    session = _locked(session_id)
    require_organiser(by, session)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise Conflict(_("这场培训已举行或已取消。"))
    before = _audit_state(session)
    session.status = TrainingSession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=by, action="training.session_cancelled", target=session, before=before,
        after=_audit_state(session), reason=reason,
    )  # fmt: skip
    invited = [a.user for a in session.attendances.filter(invited=True).select_related("user")]
    _tell_change(session, invited, cancelled=True)
    return session


@transaction.atomic
def mark_attendance(session_id: int, *, by, attended: Iterable) -> TrainingSession:
    """The ticked people attended; everyone else on the session did not. A ticked person not
    invited is added as a walk-in. Only once the session is held."""
    session = _locked(session_id)
    require_organiser(by, session)
    if session.status != TrainingSession.Status.HELD:
        raise Conflict(_("培训确认举行后才能登记出席。"))
    ticked = {u.pk for u in attended}
    found = {u.pk: u for u in people().filter(pk__in=ticked)}
    if set(found) != ticked:
        raise ValidationError({"attended": [_("请选择有效的人员。")]})
    rows = {a.user_id: a for a in session.attendances.select_related("user")}
    before = sorted(a.user.username for a in rows.values() if a.attended)
    now = timezone.now()
    walk_ins = [
        TrainingAttendance(session=session, user=found[pk], invited=False, attended=True,
                           marked_at=now)
        for pk in sorted(ticked - set(rows))
    ]  # fmt: skip
    TrainingAttendance.objects.bulk_create(walk_ins)
    present = [pk for pk in ticked if pk in rows and not rows[pk].attended]
    absent = [pk for pk, a in rows.items() if a.attended and pk not in ticked]
    session.attendances.filter(user_id__in=present).update(attended=True, marked_at=now)
    session.attendances.filter(user_id__in=absent).update(attended=False, marked_at=now)
    after = sorted(u.username for u in found.values())
    if before != after:
        record_audit(
            actor=by,
            action="training.attendance_marked",
            target=session,
            before={"attended": before},
            after={"attended": after, "walk_ins": [w.user.username for w in walk_ins]},
        )
    return session


def feedback_closes(session: TrainingSession) -> datetime.datetime:
    return session.starts_at + datetime.timedelta(days=FEEDBACK_WINDOW_DAYS)


def check_feedback(user, session: TrainingSession) -> TrainingAttendance:
    """The attendee's row, or why not: PermissionDenied for someone not on the session or not
    ticked as attended, Conflict before the session is held and after the window."""
    row = TrainingAttendance.objects.filter(session=session, user=user).first()
    if row is None or not can_write(user):
        raise PermissionDenied(_("只有出席者可以反馈。"))
    if session.status != TrainingSession.Status.HELD:
        raise Conflict(_("培训举行后才能反馈。"))
    if not row.attended:
        raise PermissionDenied(_("只有出席者可以反馈。"))
    if timezone.now() > feedback_closes(session):
        raise Conflict(_("反馈已截止（培训后%(days)s天内）。") % {"days": FEEDBACK_WINDOW_DAYS})
    return row


@transaction.atomic
def give_feedback(session_id: int, *, by, score, comment: str = "") -> TrainingAttendance:
    session = _locked(session_id)
    row = check_feedback(by, session)
    if not isinstance(score, int) or isinstance(score, bool) or not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError({"score": [_("评分须为1到5的整数。")]})
    before = {"score": row.score, "comment": row.comment}
    row.score = score
    row.comment = (comment or "").strip()
    row.feedback_at = timezone.now()
    row.save(update_fields=["score", "comment", "feedback_at"])
    record_audit(
        actor=by,
        action="training.feedback_given",
        target=row,
        before=before if before["score"] is not None else None,
        after={"session": session.pk, "score": row.score, "comment": row.comment},
    )
    return row


# ---------------------------------------------------------------- materials


def _save_version(material: TrainingMaterial, *, by, file, note: str) -> TrainingMaterialVersion:
    return save_new_version(
        material, TrainingMaterialVersion, "material", by=by, file=file, note=note
    )


@transaction.atomic
def add_material(session_id: int, *, by, title: str, file, note: str = "") -> TrainingMaterial:
    session = _locked(session_id)
    require_organiser(by, session)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("请填写标题。")]})
    material = TrainingMaterial.objects.create(session=session, title=title[:200], created_by=by)
    version = _save_version(material, by=by, file=file, note=note)
    record_audit(
        actor=by,
        action="training.material_added",
        target=material,
        after={"session": session.pk, "title": material.title, **version_facts(version)},
    )
    return material


@transaction.atomic
def add_material_version(material_id: int, *, by, file, note: str = "") -> TrainingMaterialVersion:
    material = (
        TrainingMaterial.objects.select_for_update().select_related("session").get(pk=material_id)
    )
    require_organiser(by, material.session)
    before = material.current_version
    version = _save_version(material, by=by, file=file, note=note)
    record_audit(
        actor=by,
        action="training.material_version_added",
        target=material,
        before={"current_version": before},
        after={"current_version": version.version, **version_facts(version)},
    )
    return version


@transaction.atomic
def record_material_download(version: TrainingMaterialVersion, *, by, inline: bool) -> None:
    """Who read which version, previewed or downloaded (as a project document's)."""
    record_audit(
        actor=by,
        action="training.material_previewed" if inline else "training.material_downloaded",
        target=version,
        after={"material": version.material_id, "version": version.version},
    )


TOPIC_FIELDS = ["name", "name_en", "description", "active", "order"]


@transaction.atomic
def save_topic(topic: TrainingTopic, *, by, adding: bool) -> None:
    """PMO's topic list (the admin): saved and audited."""
    before = None
    if not adding:
        saved = TrainingTopic.objects.select_for_update().get(pk=topic.pk)
        before = snapshot(saved, TOPIC_FIELDS)
    topic.save()
    record_audit(
        actor=by,
        action="training.topic_added" if adding else "training.topic_changed",
        target=topic,
        before=before,
        after=snapshot(topic, TOPIC_FIELDS),
    )
