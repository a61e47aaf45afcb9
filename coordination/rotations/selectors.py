"""Reads of job rotations shared by the pages, the API, the dashboard and the KPI pages."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from coordination.core.queries import per_row
from coordination.core.roles import department_of, is_department_head, sees_everything
from coordination.rotations.models import (
    JobRotation,
    RotationApproval,
    RotationCheckIn,
    RotationStatus,
)

S = RotationStatus


def _visible_ids(user):
    """Their own, planned by them, mentored by them, and (a department head) those that
    leave or join their department: each an index-friendly part, UNION ALL."""
    base = JobRotation.objects.order_by().values("pk")
    parts = [
        base.filter(user=user),
        base.filter(mentor=user),
        base.filter(created_by=user),
    ]
    if is_department_head(user):
        dept = department_of(user)
        parts += [base.filter(from_department=dept), base.filter(host_department=dept)]
    return parts[0].union(*parts[1:], all=True)


def visible_job_rotations(user) -> QuerySet[JobRotation]:
    """PMO and executives see every rotation; anyone else their own, those they planned or
    mentor, and a department head those of their department (the ones they approve)."""
    qs = JobRotation.objects.select_related("user", "mentor", "to_project")
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    return qs.filter(pk__in=_visible_ids(user))


def rotation_list(user, *, status: str | None = None) -> QuerySet[JobRotation]:
    """The list page and the API: constant query count (the check-ins counted in SQL)."""
    qs = visible_job_rotations(user).annotate(
        check_in_count=per_row(RotationCheckIn.objects.all(), "rotation", Count("pk"))
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def rotation_detail(user, pk: int) -> JobRotation:
    """One rotation the user may see (DoesNotExist otherwise), its approvals and check-ins."""
    return (
        visible_job_rotations(user)
        .select_related("created_by", "assessed_by")
        .prefetch_related("approvals__approver", "check_ins__author")
        .get(pk=pk)
    )


def current_approvals(rotation: JobRotation) -> dict:
    """{side: approval} of the rotation's current round (from the prefetched rows)."""
    return {a.side: a for a in rotation.approvals.all() if a.round == rotation.round}


def rotations_in_progress(user, limit: int = 10) -> list[JobRotation]:
    """The home page: rotations in progress, every one for PMO and executives, otherwise the
    user's own and those they mentor. Two queries whatever the number."""
    qs = JobRotation.objects.filter(status=S.IN_PROGRESS).select_related(
        "user", "mentor", "to_project"
    )
    if not sees_everything(user):
        qs = qs.filter(Q(user=user) | Q(mentor=user))
    return list(qs.order_by("end_date", "start_date", "id")[:limit])


def completed_rotation_before_contract(pm_field: str) -> Exists:
    """For a Project queryset: its PM in `pm_field` (business_pm, engineering_pm) completed a
    job rotation (closed) whose actual end is before the project's contract date."""
    return Exists(
        JobRotation.objects.filter(
            status=S.CLOSED,
            user=OuterRef(pm_field),
            actual_end__lt=OuterRef("contract_signed_on"),
        )
    )


def rotations_awaiting(user, limit: int = 10) -> list[JobRotation]:
    """The home page: planned rotations waiting for `user`'s decision as a department head
    (a side of their department not decided in the current round). No query for others."""
    if not is_department_head(user):
        return []
    dept = department_of(user)

    def decided(side: str) -> Exists:
        return Exists(
            RotationApproval.objects.filter(
                rotation=OuterRef("pk"), round=OuterRef("round"), side=side
            )
        )

    Side = RotationApproval.Side
    qs = (
        JobRotation.objects.filter(status=S.PLANNED)
        .exclude(user=user)
        .filter(
            (Q(from_department=dept) & ~decided(Side.OWN))
            | (Q(host_department=dept) & ~decided(Side.HOST))
        )
        .select_related("user", "to_project")
    )
    return list(qs.order_by("start_date", "id")[:limit])
