"""Stage gates owned by the KPI app."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kpi.models import SatisfactionSurvey
from projects.core.models import Stage
from projects.core.stages import gate


@gate(Stage.DELIVERED, Stage.CLOSED)
def satisfaction_survey_recorded(project) -> list[str]:
    """A delivered project closes only once the customer's satisfaction is on record."""
    if SatisfactionSurvey.objects.filter(project=project).exists():
        return []
    return [_("尚未录入客户满意度调查。")]
