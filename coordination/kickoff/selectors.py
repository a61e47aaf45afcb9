"""Reads shared by the kickoff views, API, gate and services (meeting, commitments, roles)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coordination.core.roles import is_pmo
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting, KickoffRole
from projects.core.models import Project
from projects.core.permissions import PM_ROLES, can_edit_project
from projects.core.selectors import project_roles, visible_projects


def meeting_for(project: Project) -> KickoffMeeting | None:
    return (
        KickoffMeeting.objects.select_related("project", "chair")
        .prefetch_related("attendees__user", "responsibilities__person", "milestones", "risks")
        .filter(project=project)
        .first()
    )


def commitment_history(project: Project) -> QuerySet[CollaborationCommitment]:
    return (
        CollaborationCommitment.objects.filter(project=project)
        .select_related("project")
        .prefetch_related("signatures__signer")
        .order_by("-version")
    )


def current_commitment(project: Project) -> CollaborationCommitment | None:
    """The newest version: the one the project is held to (or that awaits signatures)."""
    return commitment_history(project).first()


def visible_commitment(user, commitment_id: int) -> CollaborationCommitment:
    """The commitment if `user` may see its project; DoesNotExist (→ 404) otherwise."""
    return (
        CollaborationCommitment.objects.select_related("project")
        .prefetch_related("signatures__signer")
        .get(pk=commitment_id, project__in=visible_projects(user))
    )


def pending_signatories(commitment: CollaborationCommitment) -> list[dict]:
    signed = {(s.signer_id, s.role) for s in commitment.signatures.all()}
    return [s for s in commitment.required_signatories if (s["user_id"], s["role"]) not in signed]


def can_manage_kickoff(user, project: Project) -> bool:
    return can_edit_project(user, project)


def can_hold_kickoff(user, project: Project) -> bool:
    return is_pmo(user) or bool(project_roles(user, project) & PM_ROLES)


def is_signatory(user, commitment: CollaborationCommitment) -> bool:
    return bool(user and user.is_authenticated) and any(
        s["user_id"] == user.pk for s in commitment.required_signatories
    )


def kickoff_gate_unmet(project: Project) -> list[str]:
    meeting = KickoffMeeting.objects.filter(project=project).first()
    if meeting is None:
        return [_("尚未安排联合启动会")]
    unmet = []
    if meeting.status != KickoffMeeting.Status.HELD:
        unmet.append(_("联合启动会尚未举行"))
    current = current_commitment(project)
    if current is None:
        if meeting.status == KickoffMeeting.Status.HELD:
            unmet.append(_("尚未生成项目协同承诺书"))
        return unmet
    if current.status != CollaborationCommitment.Status.SIGNED:
        for s in pending_signatories(current):
            unmet.append(
                _("%(name)s（%(role)s）尚未签署协同承诺书 v%(version)s")
                % {
                    "name": s["name"],
                    "role": KickoffRole(s["role"]).label
                    if s["role"] in KickoffRole.values
                    else s["role"],
                    "version": current.version,
                }
            )
        if not unmet:
            unmet.append(_("项目协同承诺书尚未签署完成"))
    return unmet
