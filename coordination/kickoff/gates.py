"""The kickoff's stage gate: execution starts only after the joint kickoff was held and every
required signatory signed the current collaboration commitment."""

from django.utils.translation import gettext as _

from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting, KickoffRole
from coordination.kickoff.selectors import current_commitment, pending_signatories
from projects.core.models import Stage
from projects.core.stages import gate


@gate(Stage.KICKOFF, Stage.EXECUTION)
def kickoff_held_and_commitment_signed(project) -> list[str]:
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
