"""An approved change that moves the schedule or the cost opens a new commitment version.

The commitment says so itself ("任何变更须经双方审批并以新版本承诺书重新签署"): once both
departments approved a change whose schedule impact reaches COMMITMENT_RENEWAL_DAYS working
days or whose cost impact reaches COMMITMENT_RENEWAL_COST, the current commitment (open or
signed) is superseded by a new version built from the record as it now stands (the moved
milestone forecasts included), and every signatory is asked to sign again. Listens to
`change_request.decided` (registered in coordination.apps), after the decision's commit.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from coordination.kickoff.models import CollaborationCommitment
from coordination.kickoff.services import amend_commitment
from projects.core.models import Project

log = logging.getLogger(__name__)

RENEWABLE = (CollaborationCommitment.Status.OPEN, CollaborationCommitment.Status.SIGNED)


def _amount(value) -> Decimal:
    try:
        return abs(Decimal(str(value or "0")))
    except InvalidOperation:
        return Decimal(0)


def needs_renewal(payload: dict) -> bool:
    """The change was approved and its impact reaches one of the thresholds."""
    if payload.get("status") != "approved":
        return False
    days = abs(int(payload.get("schedule_impact_days") or 0))
    return days >= max(settings.COMMITMENT_RENEWAL_DAYS, 1) or _amount(
        payload.get("cost_impact")
    ) >= max(_amount(settings.COMMITMENT_RENEWAL_COST), Decimal("0.01"))


def renew_after_change(event: str, payload: dict) -> CollaborationCommitment | None:
    """The new version, or None (no threshold reached, no commitment yet, or not current)."""
    if not needs_renewal(payload):
        return None
    with transaction.atomic():
        project = Project.objects.filter(code=payload.get("project")).first()
        if project is None:
            return None
        current = (
            CollaborationCommitment.objects.filter(project=project).order_by("-version").first()
        )
        if current is None or current.status not in RENEWABLE:
            return None
        with override(settings.LANGUAGE_CODE):  # the record's language, not a reader's
            reason = _(
                "变更申请 %(number)s 已批准（工期影响 %(days)s 个工作日，"
                "费用影响 %(cost)s %(currency)s）：按承诺书约定以新版本重新签署"
            ) % {
                "number": payload.get("number", ""),
                "days": payload.get("schedule_impact_days") or 0,
                "cost": payload.get("cost_impact") or "0",
                "currency": payload.get("currency") or "",
            }
        new = amend_commitment(current.pk, by=None, reason=reason)
    log.info("commitment v%s opened after change %s", new.version, payload.get("number"))
    return new
