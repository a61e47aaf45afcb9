"""Set-based ERP bulk upsert of projects (`POST /api/v1/erp/projects/bulk/`).

The same rules as `services.upsert_project_by_erp_id` for every row, with a constant number
of statements per batch instead of ~14 per row (docs/performance.md):

1. One statement locks the batch's existing projects (FOR UPDATE, ordered by id).
2. Each row is checked on its own: edit permission (roles for the whole batch from one
   query), model validation; a failing row is reported and skipped, the others are written.
3. Unchanged rows write nothing (same `updated_at`, no audit event, no domain event).
4. New rows get their codes from ONE update of the year's sequence (value + N returning)
   and are inserted with one `bulk_create` inside a savepoint; if a concurrent request
   inserted one of their `erp_id`s meanwhile (IntegrityError), the savepoint is rolled back
   and those rows are handed back to the per-row path (None), like duplicate `erp_id`s in
   the batch, which are processed one by one in batch order.
5. Changed rows are written with one `bulk_update`; one `bulk_create` of audit events
   ("project.upserted", the per-row path's before/after shape); `project.upserted` is
   emitted per written row after commit.

All valid rows of the batch are written in one transaction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination import events
from coordination.models import AuditEvent
from coordination.roles import is_pmo
from coordination.services import _jsonable, actor_label, snapshot

from .models import Project, ProjectMembership
from .permissions import LEAD_ROLES
from .services import (
    PROJECT_FIELDS,
    _apply,
    _check_dates,
    new_project_codes,
    project_event_payload,
)

RELATED = ("customer", "business_pm", "engineering_pm")
# resolved by the batch's lookups (serializer context) or generated here: no FK queries
NOT_VALIDATED = ["code", *RELATED]

# (project, outcome) as the per-row service returns | an exception to report for the row
# | None: the caller uses the per-row path
Result = tuple[Project, str] | ValidationError | PermissionDenied | None


def _validate(project: Project) -> None:
    project.full_clean(exclude=NOT_VALIDATED, validate_unique=False, validate_constraints=False)
    _check_dates(project)


def _editable(by, projects) -> set[int]:
    """Ids of `projects` `by` may edit (can_edit_project), from at most one query."""
    if by is None or is_pmo(by):
        return {p.pk for p in projects}
    mine = {p.pk for p in projects if by.pk in (p.business_pm_id, p.engineering_pm_id)}
    others = [p.pk for p in projects if p.pk not in mine]
    if others:
        mine |= set(
            ProjectMembership.objects.filter(
                user=by, project_id__in=others, role__in=LEAD_ROLES
            ).values_list("project_id", flat=True)
        )
    return mine


def _audit(by, project: Project, *, before: dict | None, after: dict) -> AuditEvent:
    """What `coordination.services.record_audit` writes, unsaved (for bulk_create)."""
    return AuditEvent(
        actor=by if (by is not None and getattr(by, "pk", None)) else None,
        actor_label=actor_label(by),
        action="project.upserted",
        target_type=Project._meta.label_lower,
        target_id=str(project.pk),
        target_repr=str(project)[:255],
        project_code=project.code or "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after),
        reason="",
    )


def bulk_upsert_projects(items: list[tuple[str, dict[str, Any]]], *, by) -> list[Result]:
    """Upsert (erp_id, validated data) rows; one result per item, in order (see module)."""
    results: list[Result] = [None] * len(items)
    counts = Counter(erp_id for erp_id, _data in items)
    single = [i for i, (erp_id, _data) in enumerate(items) if counts[erp_id] == 1]
    if not single:
        return results
    now = timezone.now()
    with transaction.atomic():
        existing = {
            p.erp_id: p
            for p in Project.objects.select_for_update(of=("self",))
            .select_related(*RELATED)
            .filter(erp_id__in=[items[i][0] for i in single])
            .order_by("pk")
        }
        editable = _editable(by, existing.values())
        creates: list[tuple[int, Project]] = []
        updates: list[tuple[int, Project, dict]] = []
        for i in single:
            erp_id, data = items[i]
            project = existing.get(erp_id)
            if project is None:
                project = Project(erp_id=erp_id)
                _apply(project, data, PROJECT_FIELDS)
                project.forecast_end = project.forecast_end or project.planned_end
            elif project.pk not in editable:
                results[i] = PermissionDenied()
                continue
            changed = _apply(project, data, PROJECT_FIELDS) if project.pk else None
            if project.pk and not changed:
                results[i] = (project, "unchanged")
                continue
            try:
                _validate(project)
            except ValidationError as exc:
                results[i] = exc
                continue
            if project.pk:
                project.updated_at = now
                updates.append((i, project, changed))
            else:
                project.stage_changed_at = now
                creates.append((i, project))

        if creates:
            try:
                with transaction.atomic():
                    codes = new_project_codes(len(creates))
                    for (_i, project), code in zip(creates, codes, strict=True):
                        project.code = code
                    Project.objects.bulk_create([p for _i, p in creates])
            except IntegrityError:
                # an erp_id inserted concurrently: these rows go through the per-row path
                for _i, project in creates:
                    project.pk = None
                creates = []
        if updates:
            fields = sorted({name for _i, _p, changed in updates for name in changed})
            Project.objects.bulk_update([p for _i, p, _c in updates], [*fields, "updated_at"])

        audits = [
            _audit(by, p, before=None, after=snapshot(p, PROJECT_FIELDS)) for _i, p in creates
        ]
        audits += [
            _audit(
                by,
                p,
                before={k: v[0] for k, v in changed.items()},
                after={k: v[1] for k, v in changed.items()},
            )
            for _i, p, changed in updates
        ]
        AuditEvent.objects.bulk_create(audits)
        for i, project in creates:
            results[i] = (project, "created")
            events.emit("project.upserted", project_event_payload(project))
        for i, project, _changed in updates:
            results[i] = (project, "updated")
            events.emit("project.upserted", project_event_payload(project))
    return results
