from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("联动指标")

    def ready(self) -> None:
        from . import (
            gates,  # noqa: F401  (registers the delivered → closed gate)
            signals,
        )

        signals.connect()  # the scorecard configuration's shared version (kpi/selectors.py)
