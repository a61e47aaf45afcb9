"""Pre-sales stage gate: a key project signs only what engineering's estimate supports."""

from __future__ import annotations

from projects.core import stages
from projects.core.models import Stage
from projects.presales.promise_gaps import promise_gaps


@stages.gate(Stage.OPPORTUNITY, Stage.CONTRACTED, overridable=True)
def key_project_promise_is_backed(project) -> list[str]:
    """Key projects: an approved assessment and no open promise gap (PMO may override).

    Non-key projects show their gaps on the page but are not held back by them.
    """
    if not project.is_key_project:
        return []
    return [gap.message for gap in promise_gaps(project)]
