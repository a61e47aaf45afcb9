"""Pre-sales stage gate: a key project signs only what engineering's estimate supports."""

from __future__ import annotations

from projects.core import stages
from projects.core.models import Stage
from projects.presales.promise_gaps import promise_gaps
from projects.presales.services import contract_from_quote


@stages.gate(Stage.OPPORTUNITY, Stage.CONTRACTED, overridable=True)
def key_project_promise_is_backed(project) -> list[str]:
    """Key projects: an approved assessment and no open promise gap (PMO may override).

    Non-key projects show their gaps on the page but are not held back by them.
    """
    if not project.is_key_project:
        return []
    return [gap.message for gap in promise_gaps(project)]


@stages.on_enter(Stage.CONTRACTED)
def contract_follows_the_quote(project, by) -> None:
    """The signed contract's value and end date are the current quote's (one set of numbers);
    runs before handover's hook moves the project on (projects is installed first)."""
    contract_from_quote(project.pk, by=by)
