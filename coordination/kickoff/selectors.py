"""Reads shared by the kickoff views, API, gate and services (meeting, commitments, roles)."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.core.roles import can_write, is_pmo
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting
from projects.core.models import Project
from projects.core.permissions import can_edit_project
from projects.core.roles import PM_ROLES
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
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & PM_ROLES))


def is_signatory(user, commitment: CollaborationCommitment) -> bool:
    return bool(user and user.is_authenticated) and any(
        s["user_id"] == user.pk for s in commitment.required_signatories
    )


def can_sign(user, commitment: CollaborationCommitment) -> bool:
    """A listed signatory who may write (a read-only role signs nothing)."""
    return can_write(user) and is_signatory(user, commitment)


def edit_takes_amendment(commitment: CollaborationCommitment | None) -> bool:
    """A change to the kickoff record becomes an amendment (a new commitment version to sign)
    once the current commitment is no longer open or anyone has signed it."""
    return commitment is not None and (
        commitment.status != CollaborationCommitment.Status.OPEN or commitment.signatures.exists()
    )
