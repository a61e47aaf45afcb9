"""Services for the joint kickoff meeting and the commitment (reads: selectors_kickoff).

State machines:
    KickoffMeeting:          scheduled → held (hold_kickoff generates commitment v1)
    CollaborationCommitment: draft → open → signed; open/signed → superseded (amend_commitment)
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import events
from coordination.core.concurrency import Expected, bump, check_version
from coordination.core.exceptions import Conflict
from coordination.core.models import Department
from coordination.core.people import display_name
from coordination.core.roles import can_write, department_of
from coordination.core.services import notify, record_audit, snapshot
from coordination.kickoff import document
from coordination.kickoff.models import (
    CollaborationCommitment,
    KickoffAttendee,
    KickoffMeeting,
    KickoffRole,
    ResponsibilityAssignment,
    Signature,
)
from coordination.kickoff.selectors import (
    can_hold_kickoff,
    can_manage_kickoff,
    edit_takes_amendment,
    pending_signatories,
)
from projects.core.models import CLOSED_STAGES, MemberRole, Milestone, Project
from projects.core.permissions import require

SCALAR_FIELDS = [
    "scheduled_at",
    "location",
    "chair",
    "customer_core_needs",
    "expected_standards",
    "feasibility_summary",
    "risk_plan",
]
ROLE_ORDER = [
    KickoffRole.BUSINESS_PM,
    KickoffRole.ENGINEERING_PM,
    KickoffRole.BUSINESS_LEAD,
    KickoffRole.ENGINEERING_DIRECTOR,
    KickoffRole.FINANCE_REP,
]


# ---------------------------------------------------------------- the meeting record
def _validate_record(project: Project, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    chair = data.get("chair")
    if chair is not None and chair.pk not in (project.business_pm_id, project.engineering_pm_id):
        errors["chair"] = [_("主持人必须是本项目的业务或工程项目经理。")]
    for name in ("milestones", "risks"):
        for obj in data.get(name) or []:
            if obj.project_id != project.pk:
                errors[name] = [_("只能关联本项目的记录。")]
    for row in data.get("attendees") or []:
        if row.get("role") not in KickoffRole.values:
            errors["attendees"] = [_("未知的会议角色：%(role)s") % {"role": row.get("role")}]
    seen = set()
    for row in data.get("attendees") or []:
        key = (row["user"].pk, row.get("role"))
        if key in seen:
            errors["attendees"] = [_("同一人同一角色只能出现一次。")]
        seen.add(key)
    for row in data.get("responsibilities") or []:
        if not (row.get("area") or "").strip():
            errors["responsibilities"] = [_("每一行职责分工都必须填写事项。")]
        if row.get("department") not in Department.values:
            errors["responsibilities"] = [_("责任部门无效。")]
    if "scheduled_at" in data and data["scheduled_at"] is None:
        errors["scheduled_at"] = [_("请填写会议时间。")]
    if errors:
        raise ValidationError(errors)


def _record_snapshot(meeting: KickoffMeeting) -> dict:
    out = snapshot(meeting, [f for f in SCALAR_FIELDS])
    out["milestones"] = sorted(meeting.milestones.values_list("pk", flat=True))
    out["risks"] = sorted(meeting.risks.values_list("pk", flat=True))
    out["attendees"] = [
        [a.user.get_username(), a.role, a.attended]
        for a in meeting.attendees.select_related("user").order_by("id")
    ]
    out["responsibilities"] = [
        [r.area, r.department, r.person.get_username() if r.person_id else "", r.notes]
        for r in meeting.responsibilities.select_related("person").order_by("sequence", "id")
    ]
    return out


def _apply_record(meeting: KickoffMeeting, data: dict[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(meeting, name, data[name] if data[name] is not None or name == "chair" else "")
    meeting.save()
    if "milestones" in data:
        meeting.milestones.set(data["milestones"] or [])
    if "risks" in data:
        meeting.risks.set(data["risks"] or [])
    if "attendees" in data:
        meeting.attendees.all().delete()
        KickoffAttendee.objects.bulk_create(
            KickoffAttendee(
                meeting=meeting,
                user=row["user"],
                role=row["role"],
                attended=bool(row.get("attended", False)),
            )
            for row in data["attendees"] or []
        )
    if "responsibilities" in data:
        meeting.responsibilities.all().delete()
        ResponsibilityAssignment.objects.bulk_create(
            ResponsibilityAssignment(
                meeting=meeting,
                area=row["area"].strip(),
                department=row["department"],
                person=row.get("person"),
                notes=row.get("notes") or "",
                sequence=n,
            )
            for n, row in enumerate(data["responsibilities"] or [])
        )


@transaction.atomic
def schedule_kickoff(project: Project, *, by, data: dict[str, Any]) -> KickoffMeeting:
    """Create the project's kickoff meeting; the record starts from the project's own fields."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(by is None or can_manage_kickoff(by, project))
    if project.stage in CLOSED_STAGES:
        raise Conflict(_("项目已关闭或取消，不能安排启动会。"))
    if KickoffMeeting.objects.filter(project=project).exists():
        raise Conflict(_("本项目已安排联合启动会。"), unmet=[_("启动会已存在")])
    if not data.get("scheduled_at"):
        raise ValidationError({"scheduled_at": [_("请填写会议时间。")]})
    data = {
        "chair": project.primary_pm,
        "customer_core_needs": project.customer_core_needs,
        "expected_standards": project.expected_standards,
        **data,
    }
    _validate_record(project, data)
    meeting = KickoffMeeting(project=project, created_by=by if getattr(by, "pk", None) else None)
    if "attendees" not in data:
        data["attendees"] = [
            {"user": project.business_pm, "role": KickoffRole.BUSINESS_PM, "attended": False},
            {"user": project.engineering_pm, "role": KickoffRole.ENGINEERING_PM, "attended": False},
        ]
    _apply_record(meeting, data)
    record_audit(
        actor=by, action="kickoff.scheduled", target=meeting, after=_record_snapshot(meeting)
    )
    invitees = [a.user for a in meeting.attendees.select_related("user")]
    notify(
        invitees,
        kind="kickoff.scheduled",
        project=project.code,
        subject=lambda: (
            _("%(code)s 联合启动会：%(when)s")
            % {
                "code": project.code,
                "when": timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M"),
            }
        ),
        body=meeting.location,
        url=f"/projects/{project.code}/kickoff/",
    )
    return meeting


@transaction.atomic
def update_kickoff(
    project: Project, *, by, data: dict[str, Any], expected_version: Expected = None
) -> KickoffMeeting:
    """Change the record. After the meeting is held this regenerates the open commitment in
    place, which is only allowed while nobody has signed it (then it takes an amendment).
    `expected_version`: the version the writer read (StaleWrite when another save came first)."""
    meeting = (
        KickoffMeeting.objects.select_for_update().select_related("project").get(project=project)
    )
    require(by is None or can_manage_kickoff(by, meeting.project))
    check_version(meeting, expected_version)
    _validate_record(meeting.project, data)
    current = None
    if meeting.status == KickoffMeeting.Status.HELD:
        current = (
            CollaborationCommitment.objects.select_for_update()
            .filter(project=meeting.project)
            .order_by("-version")
            .first()
        )
        if edit_takes_amendment(current):
            raise Conflict(
                _("承诺书已有人签署，内容不能再修改；请提交修订（新版本）。"),
                unmet=[_("承诺书已签署")],
            )
    before = _record_snapshot(meeting)
    _apply_record(meeting, data)
    after = _record_snapshot(meeting)
    if before != after:
        changed = [k for k in after if before.get(k) != after.get(k)]
        record_audit(
            actor=by,
            action="kickoff.updated",
            target=meeting,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
        )
        if current is not None:
            _rewrite_content(current, meeting, by=by)
    return meeting


# ---------------------------------------------------------------- holding the meeting
def _signatories(meeting: KickoffMeeting) -> tuple[list[tuple[Any, str]], list[str]]:
    """[(user, role)] who must sign, one entry per person, and the required roles nobody holds."""
    project = meeting.project
    roles = document.required_roles()
    attendee_rows = list(meeting.attendees.select_related("user", "user__profile"))
    has_finance = any(a.role == KickoffRole.FINANCE_REP for a in attendee_rows) or (
        project.memberships.filter(role=MemberRole.FINANCE_REP).exists()
    )
    if has_finance:
        roles += [r for r in document.CONDITIONAL_ROLES if r not in roles]
    ordered = [r for r in ROLE_ORDER if r in roles] + [r for r in roles if r not in ROLE_ORDER]
    picked: list[tuple[Any, str]] = []
    seen: set[int] = set()
    missing: list[str] = []
    for role in ordered:
        if role == KickoffRole.BUSINESS_PM:
            users = [project.business_pm]
        elif role == KickoffRole.ENGINEERING_PM:
            users = [project.engineering_pm]
        else:
            users = [a.user for a in attendee_rows if a.role == role]
            if not users:
                users = [
                    m.user
                    for m in project.memberships.select_related("user", "user__profile").filter(
                        role=role
                    )
                ]
        if not users:
            missing.append(role)
        for user in users:
            if user.pk not in seen:
                seen.add(user.pk)
                picked.append((user, role))
    return picked, missing


def _hold_unmet(meeting: KickoffMeeting) -> list[str]:
    project = meeting.project
    attended = {a.user_id for a in meeting.attendees.all() if a.attended}
    unmet = []
    if not attended:
        unmet.append(_("尚未记录出席情况"))
    if project.business_pm_id not in attended:
        unmet.append(_("业务项目经理未出席"))
    if project.engineering_pm_id not in attended:
        unmet.append(_("工程项目经理未出席"))
    picked, missing = _signatories(meeting)
    for role in missing:
        unmet.append(_("缺少必需的签署人：%(role)s") % {"role": KickoffRole(role).label})
    for user, role in picked:
        if not can_write(user):  # would block the commitment: they cannot sign
            name = display_name(user)
            unmet.append(
                _("%(name)s（%(role)s）为只读角色，不能签署承诺书")
                % {"name": name, "role": KickoffRole(role).label}
            )
    return unmet


@transaction.atomic
def hold_kickoff(
    project: Project, *, by, expected_version: Expected = None
) -> CollaborationCommitment:
    """Mark the meeting held and open commitment v1 for signature.

    1. Lock the meeting; it must be scheduled (a held meeting answers 409).
    2. The caller must be a PM of the project or PMO; when it names the version of the
       record it read, the record must still be at it (StaleWrite): the commitment is built
       from the record the caller saw.
    3. Attendance must be recorded with both PMs present, and every required signatory role
       must be held by someone; otherwise 409 listing all that is missing.
    4. Save held, generate the commitment (draft → open), audit, ask signatories to sign.
    """
    meeting = (
        KickoffMeeting.objects.select_for_update().select_related("project").get(project=project)
    )
    require(
        by is None or can_hold_kickoff(by, meeting.project),
        _("只有项目经理或PMO可以确认启动会已举行。"),
    )
    check_version(meeting, expected_version)
    if meeting.status != KickoffMeeting.Status.SCHEDULED:
        raise Conflict(_("启动会已举行。"), unmet=[_("启动会已举行")])
    if meeting.project.stage in CLOSED_STAGES:
        raise Conflict(_("项目已关闭或取消。"))
    unmet = _hold_unmet(meeting)
    if unmet:
        raise Conflict(_("启动会还不能确认举行。"), unmet=unmet)
    meeting.status = KickoffMeeting.Status.HELD
    meeting.held_at = timezone.now()
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    record_audit(
        actor=by,
        action="kickoff.held",
        target=meeting,
        before={"status": KickoffMeeting.Status.SCHEDULED},
        after={"status": KickoffMeeting.Status.HELD},
    )
    return _generate(meeting, by=by)


def _fill(commitment: CollaborationCommitment, meeting: KickoffMeeting) -> None:
    signatories, _missing = _signatories(meeting)
    content = document.build_content(meeting, signatories, commitment.version)
    commitment.canonical_content = document.canonical_json(content)
    commitment.content_hash = document.content_hash(commitment.canonical_content)
    commitment.text_zh = document.render_text(content, "zh-hans")
    commitment.text_en = document.render_text(content, "en")


def _generate(
    meeting: KickoffMeeting, *, by, supersedes: CollaborationCommitment | None = None, reason=""
) -> CollaborationCommitment:
    project = meeting.project
    last = CollaborationCommitment.objects.filter(project=project).order_by("-version").first()
    commitment = CollaborationCommitment(
        project=project,
        meeting=meeting,
        version=(last.version + 1) if last else 1,
        supersedes=supersedes,
        amendment_reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
        status=CollaborationCommitment.Status.DRAFT,
    )
    _fill(commitment, meeting)
    commitment.save()
    record_audit(
        actor=by,
        action="commitment.generated",
        target=commitment,
        after={
            "version": commitment.version,
            "content_hash": commitment.content_hash,
            "sections": document.section_hashes(commitment.content),
        },
        reason=reason,
    )
    return _open(commitment, by=by)


def _open(commitment: CollaborationCommitment, *, by) -> CollaborationCommitment:
    if commitment.status != CollaborationCommitment.Status.DRAFT:
        raise Conflict(_("只有草稿可以开放签署。"))
    commitment.status = CollaborationCommitment.Status.OPEN
    commitment.opened_at = timezone.now()
    commitment.save(update_fields=["status", "opened_at"])
    record_audit(
        actor=by,
        action="commitment.opened",
        target=commitment,
        before={"status": CollaborationCommitment.Status.DRAFT},
        after={"status": CollaborationCommitment.Status.OPEN},
    )

    users = get_user_model().objects.filter(
        pk__in=[s["user_id"] for s in commitment.required_signatories]
    )
    notify(
        users,
        kind="commitment.open",
        project=commitment.project.code,
        subject=lambda: (
            _("请签署 %(code)s 项目协同承诺书 v%(version)s")
            % {"code": commitment.project.code, "version": commitment.version}
        ),
        url=f"/commitments/{commitment.pk}/",
    )
    return commitment


def _rewrite_content(commitment: CollaborationCommitment, meeting: KickoffMeeting, *, by) -> None:
    """Regenerate an open, unsigned commitment in place (same version)."""
    if commitment.signatures.exists():
        raise Conflict(_("承诺书已有人签署，内容不能再修改。"), unmet=[_("承诺书已签署")])
    before = commitment.content_hash
    _fill(commitment, meeting)
    if commitment.content_hash != before:
        commitment.save()
        record_audit(
            actor=by,
            action="commitment.regenerated",
            target=commitment,
            before={"content_hash": before},
            after={
                "content_hash": commitment.content_hash,
                "sections": document.section_hashes(commitment.content),
            },
        )


# ---------------------------------------------------------------- signing
@transaction.atomic
def sign_commitment(commitment_id: int, *, by, at=None) -> Signature:
    """`by` signs the commitment for their role.

    1. Lock the commitment row, so two last signatures can't both miss "fully signed".
    2. A signature by `by` already there: return it (signing twice is harmless).
    3. Only a listed signatory who may write may sign (403), only an open commitment (409),
       and only if the stored content still hashes to its content_hash (409: tampered).
    4. Store the signature with its HMAC; when every signatory has signed: status signed,
       the linked milestones become committed, emit commitment.signed, notify both PMs.
    """
    commitment = (
        CollaborationCommitment.objects.select_for_update()
        .select_related("project")
        .get(pk=commitment_id)
    )
    existing = Signature.objects.filter(commitment=commitment, signer=by).first()
    if existing is not None:
        return existing
    entry = next((s for s in commitment.required_signatories if s["user_id"] == by.pk), None)
    if entry is None:
        raise PermissionDenied(_("你不是此承诺书的签署人。"))
    if not can_write(by):
        raise PermissionDenied(_("你的角色只能查看，不能签署承诺书。"))
    if commitment.status != CollaborationCommitment.Status.OPEN:
        raise Conflict(
            _("承诺书当前状态为“%(status)s”，不能签署。")
            % {"status": commitment.get_status_display()},
            unmet=[_("承诺书未开放签署")],
        )
    if document.content_hash(commitment.canonical_content) != commitment.content_hash:
        raise Conflict(_("承诺书内容校验失败，不能签署。"), unmet=[_("内容哈希不符")])
    signed_at = at or timezone.now()  # `at`: only for importing signatures made on paper
    digest, key_id = document.sign(
        document.signature_message(
            commitment_id=commitment.pk,
            version=commitment.version,
            content_hash=commitment.content_hash,
            signer_id=by.pk,
            role=entry["role"],
            signed_at=signed_at,
        )
    )
    signature = Signature.objects.create(
        commitment=commitment,
        signer=by,
        department=department_of(by) or entry.get("department", ""),
        role=entry["role"],
        signed_at=signed_at,
        content_hash=commitment.content_hash,
        hmac=digest,
        key_id=key_id,
    )
    record_audit(
        actor=by,
        action="commitment.signature_added",
        target=commitment,
        # what was signed, as the witness verification compares the signature row against
        after={
            "signer": by.get_username(),
            "role": entry["role"],
            "hash": signature.content_hash,
            "signature_id": signature.pk,
            "signer_id": by.pk,
            "signed_at": document.iso(signed_at),
        },
    )
    if not pending_signatories(commitment):
        _complete(commitment, by=by, at=signed_at)
    return signature


def _complete(commitment: CollaborationCommitment, *, by, at=None) -> None:
    project = commitment.project
    commitment.status = CollaborationCommitment.Status.SIGNED
    commitment.signed_at = at or timezone.now()
    commitment.save(update_fields=["status", "signed_at"])
    milestone_ids = [m["id"] for m in commitment.content.get("milestones", [])]
    Milestone.objects.filter(project=project, pk__in=milestone_ids).update(
        is_committed=True, updated_at=timezone.now(), **bump()
    )
    record_audit(
        actor=by,
        action="commitment.signed",
        target=commitment,
        before={"status": CollaborationCommitment.Status.OPEN},
        after={
            "status": CollaborationCommitment.Status.SIGNED,
            "signed_at": document.iso(commitment.signed_at),
            "committed_milestones": milestone_ids,
        },
    )
    events.emit("commitment.signed", commitment_payload(commitment))
    notify(
        [project.business_pm, project.engineering_pm],
        kind="commitment.signed",
        project=project.code,
        subject=lambda: (
            _("%(code)s 项目协同承诺书 v%(version)s 已全部签署")
            % {"code": project.code, "version": commitment.version}
        ),
        url=f"/commitments/{commitment.pk}/",
    )


def commitment_payload(commitment: CollaborationCommitment) -> dict:
    return {
        "id": commitment.pk,
        "project": commitment.project.code,
        "version": commitment.version,
        "status": commitment.status,
        "content_hash": commitment.content_hash,
        "signed_at": commitment.signed_at.isoformat() if commitment.signed_at else None,
        "signatures": [
            {
                "signer": s.signer.get_username(),
                "role": s.role,
                "signed_at": s.signed_at.isoformat(),
            }
            for s in commitment.signatures.select_related("signer").order_by("signed_at", "id")
        ],
    }


# ---------------------------------------------------------------- amendment
@transaction.atomic
def amend_commitment(
    commitment_id: int,
    *,
    by,
    reason: str,
    data: dict[str, Any] | None = None,
    expected_version: Expected = None,
) -> CollaborationCommitment:
    """A new version from the (optionally changed) kickoff record; the old one is kept as
    superseded and the new one must be signed again by every signatory. `expected_version`:
    the version of the kickoff record the writer read (StaleWrite when it changed since)."""
    old = (
        CollaborationCommitment.objects.select_for_update()
        .select_related("project")
        .get(pk=commitment_id)
    )
    project = old.project
    require(
        by is None or can_hold_kickoff(by, project),
        _("只有项目经理或PMO可以修订承诺书。"),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("修订承诺书必须填写原因。")]})
    latest = CollaborationCommitment.objects.filter(project=project).order_by("-version").first()
    if latest.pk != old.pk or old.status not in (
        CollaborationCommitment.Status.OPEN,
        CollaborationCommitment.Status.SIGNED,
    ):
        raise Conflict(_("只能修订当前版本的承诺书。"), unmet=[_("不是当前版本")])
    meeting = KickoffMeeting.objects.select_for_update().get(project=project)
    check_version(meeting, expected_version)
    if data:
        _validate_record(project, data)
        before = _record_snapshot(meeting)
        _apply_record(meeting, data)
        after = _record_snapshot(meeting)
        changed = [k for k in after if before.get(k) != after.get(k)]
        if changed:
            record_audit(
                actor=by,
                action="kickoff.updated",
                target=meeting,
                before={k: before.get(k) for k in changed},
                after={k: after[k] for k in changed},
                reason=reason,
            )
    before_status = old.status
    old.status = CollaborationCommitment.Status.SUPERSEDED
    old.superseded_at = timezone.now()
    old.save(update_fields=["status", "superseded_at"])
    record_audit(
        actor=by,
        action="commitment.superseded",
        target=old,
        before={"status": before_status},
        after={"status": old.status},
        reason=reason,
    )
    return _generate(meeting, by=by, supersedes=old, reason=reason)
