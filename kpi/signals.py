"""The scorecard configuration read by kpi.selectors (cards, weights, KPI definitions,
closed periods) is kept per process under a shared version: any save or delete of those
rows — services, admin, shell, cascades — sets a new version at once and again when its
transaction commits (readers that looked in between read the database again)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import ClosedPeriod, KpiDefinition, Scorecard, ScorecardWeight


def _changed(sender, **kwargs) -> None:
    from .selectors import config_changed

    config_changed()
    transaction.on_commit(config_changed, using=kwargs.get("using"))


def connect() -> None:
    for model in (Scorecard, ScorecardWeight, KpiDefinition, ClosedPeriod):
        post_save.connect(_changed, sender=model, dispatch_uid=f"kpi-config-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kpi-config-del-{model.__name__}")
    m2m_changed.connect(_changed, sender=Scorecard.kpis.through, dispatch_uid="kpi-config-m2m")
