"""The scorecard configuration read by kpi.selectors.config (cards, weights, KPI definitions,
closed periods) is kept per process under a shared version: any save or delete of those
rows — services, admin, shell, cascades — sets a new version at once and again when its
transaction commits (readers that looked in between read the database again); so does
every migrate or flush (post_migrate), which write rows without model signals."""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from kpi.models import ClosedPeriod, KpiDefinition, Scorecard, ScorecardWeight
from kpi.selectors import config

log = logging.getLogger(__name__)


def _new_version() -> None:
    try:
        config.config_changed()
    except Exception:  # noqa: BLE001  (an unreachable cache must not fail the write;
        # readers that cannot reach it keep nothing, others renew within CONFIG_MEMO_SECONDS)
        log.warning("kpi: could not publish a new scorecard configuration version", exc_info=True)


def _changed(sender, **kwargs) -> None:
    _new_version()
    transaction.on_commit(_new_version, using=kwargs.get("using"))


def _migrated(sender, **kwargs) -> None:
    _new_version()


def connect() -> None:
    for model in (Scorecard, ScorecardWeight, KpiDefinition, ClosedPeriod):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"kpi-config-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kpi-config-delete-{name}")
    m2m_changed.connect(_changed, sender=Scorecard.kpis.through, dispatch_uid="kpi-config-m2m")
    post_migrate.connect(_migrated, dispatch_uid="kpi-config-migrate")
