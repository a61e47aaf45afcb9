"""The project lifecycle: one table of allowed moves and a registry of gates.

A gate is a function `(project) -> list[str]` returning the unmet conditions of a
move (empty when it may pass). Apps register their gates in `AppConfig.ready()`, so
each rule lives beside the data it checks; `services.transition_project` runs them.
On-enter hooks run inside the transition's transaction after the stage is saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.core.models import STAGE_ORDER, Stage

ALLOWED_MOVES: dict[str, set[str]] = {
    Stage.OPPORTUNITY: {Stage.CONTRACTED, Stage.ON_HOLD, Stage.CANCELLED},
    Stage.CONTRACTED: {Stage.HANDOVER, Stage.ON_HOLD, Stage.CANCELLED},
    Stage.HANDOVER: {Stage.KICKOFF, Stage.ON_HOLD, Stage.CANCELLED},
    Stage.KICKOFF: {Stage.EXECUTION, Stage.ON_HOLD, Stage.CANCELLED},
    Stage.EXECUTION: {Stage.DELIVERED, Stage.ON_HOLD, Stage.CANCELLED},
    Stage.DELIVERED: {Stage.CLOSED},
    # From on_hold a project resumes the stage it was paused in, or is cancelled.
    Stage.ON_HOLD: {Stage.CANCELLED},
    Stage.CLOSED: set(),
    Stage.CANCELLED: set(),
}
# Moves that need a written reason.
REASON_REQUIRED = {Stage.ON_HOLD, Stage.CANCELLED}


@dataclass(frozen=True)
class Gate:
    check: Callable
    overridable: bool  # PMO may pass it with a written reason


_gates: dict[tuple[str, str], list[Gate]] = defaultdict(list)
_on_enter: dict[str, list[Callable]] = defaultdict(list)


def gate(from_stage: str, to_stage: str, *, overridable: bool = False):
    """Register a gate for the move from_stage → to_stage."""

    def register(func):
        entry = Gate(func, overridable)
        if entry not in _gates[(from_stage, to_stage)]:
            _gates[(from_stage, to_stage)].append(entry)
        return func

    return register


def on_enter(stage: str):
    """Register a hook `(project, by) -> None` run when a project enters `stage`."""

    def register(func):
        if func not in _on_enter[stage]:
            _on_enter[stage].append(func)
        return func

    return register


def allowed_targets(project) -> set[str]:
    targets = set(ALLOWED_MOVES.get(project.stage, set()))
    if project.stage == Stage.ON_HOLD and project.stage_before_hold:
        targets.add(project.stage_before_hold)
    return targets


def gates_for(from_stage: str, to_stage: str) -> list[Gate]:
    if from_stage == Stage.ON_HOLD:
        return []  # resuming returns to a stage already passed
    return list(_gates.get((from_stage, to_stage), []))


def evaluate(project, to_stage: str) -> tuple[list[str], list[str]]:
    """(unmet conditions that block, unmet conditions PMO may override)."""
    hard: list[str] = []
    soft: list[str] = []
    for entry in gates_for(project.stage, to_stage):
        unmet = [str(u) for u in entry.check(project)]
        (soft if entry.overridable else hard).extend(unmet)
    return hard, soft


def enter_hooks(stage: str) -> list[Callable]:
    return list(_on_enter.get(stage, []))


def next_stage(project) -> str | None:
    """The next stage on the main line, for the UI's "advance" button."""
    if project.stage in STAGE_ORDER[:-1]:
        return STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1]
    return None


@gate(Stage.EXECUTION, Stage.DELIVERED)
def every_milestone_done(project) -> list[str]:
    pending = list(
        project.milestones.exclude(status__in=["done", "cancelled"]).values_list("name", flat=True)
    )
    return [_("里程碑未完成：%(name)s") % {"name": name} for name in pending]
