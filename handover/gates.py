"""Stage gates and hooks of the handover (registered from HandoverConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext as _

from coordination.core import reasons
from handover.models import Handover, HandoverItem
from handover.services import create_handover
from projects.core import stages
from projects.core.models import Stage
from projects.core.services import transition_project


@stages.gate(Stage.CONTRACTED, Stage.HANDOVER)
def handover_checklist_exists(project) -> list[str]:
    if Handover.objects.filter(project=project).exists():
        return []
    return [_("尚未创建合同移交清单")]


@stages.gate(Stage.HANDOVER, Stage.KICKOFF)
def handover_accepted(project) -> list[str]:
    handover = Handover.objects.filter(project=project).first()
    if handover is None:
        return [_("尚未创建合同移交清单")]
    if handover.status == Handover.Status.ACCEPTED:
        return []
    pending = (
        handover.items.filter(required=True)
        .exclude(status=HandoverItem.Status.ACCEPTED)
        .order_by("order", "id")
    )
    unmet = [_("移交清单项未接收：%(item)s") % {"item": item.title} for item in pending]
    return unmet or [_("合同移交尚未被工程方接收")]


@stages.on_enter(Stage.CONTRACTED)
def start_handover(project, by) -> None:
    """Contract signed: snapshot the checklist from the template and move on to `handover`."""
    create_handover(project, by=by)
    transition_project(
        project.pk,
        to=Stage.HANDOVER,
        by=by,
        reason=reasons.HANDOVER_STARTED,
    )
