"""The job rotation's moves (互换岗位体验). Pages, API, admin and the Celery tasks call these.

    planned ──approve (both sides)──▶ approved ──start / start date──▶ in progress ──close──▶ closed
       │  ▲                              │
  reject  resubmit                    cancel
       ▼  │                              ▼
    returned ─────────cancel────────▶ cancelled  (planned too)

Each move locks the row (select_for_update), checks who may (rules.py) and the move table
(models.ALLOWED_MOVES: a refused move is a Conflict, 409), records one audit event and tells
the people concerned. Bad input is a ValidationError (400) and changes nothing."""

from coordination.rotations.services.base import approvers_of, check_in_reminder_day
from coordination.rotations.services.plan import (
    approve_rotation,
    cancel_rotation,
    create_job_rotation,
    plan_rotation,
    reject_rotation,
    resubmit_rotation,
)
from coordination.rotations.services.progress import (
    add_check_in,
    close_rotation,
    remind_check_ins,
    start_due_rotations,
    start_rotation,
)

__all__ = [
    "add_check_in",
    "approve_rotation",
    "approvers_of",
    "cancel_rotation",
    "check_in_reminder_day",
    "close_rotation",
    "create_job_rotation",
    "plan_rotation",
    "reject_rotation",
    "remind_check_ins",
    "resubmit_rotation",
    "start_due_rotations",
    "start_rotation",
]
