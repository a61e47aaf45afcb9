"""Stage gates owned by the coordination app (imported from CoordinationConfig.ready())."""

from coordination.kickoff.selectors import kickoff_gate_unmet
from projects.core.models import Stage
from projects.core.stages import gate


@gate(Stage.KICKOFF, Stage.EXECUTION)
def kickoff_held_and_commitment_signed(project) -> list[str]:
    return kickoff_gate_unmet(project)
