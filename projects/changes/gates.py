"""execution → delivered: open change requests are listed (DOMAIN.md) and hold the delivery.

A change request still waiting for assessment, a decision or its implementation means the
delivered scope is not settled; it must be decided and implemented, or withdrawn, first.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.changes.selectors import open_change_requests
from projects.core import stages
from projects.core.models import Stage


@stages.gate(Stage.EXECUTION, Stage.DELIVERED)
def no_open_change_requests(project) -> list[str]:
    return [
        _("变更申请未关闭：%(number)s %(title)s（%(status)s）")
        % {"number": cr.number, "title": cr.title, "status": cr.get_status_display()}
        for cr in open_change_requests(project)
    ]
