"""Stage gates owned by the coordination app (imported from CoordinationConfig.ready())."""

from projects.models import Stage
from projects.stages import gate


@gate(Stage.KICKOFF, Stage.EXECUTION)
def kickoff_held_and_commitment_signed(project) -> list[str]:
    from .selectors_kickoff import kickoff_gate_unmet

    return kickoff_gate_unmet(project)
