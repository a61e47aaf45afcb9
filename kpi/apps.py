from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("联动指标")

    def ready(self) -> None:
        from kpi import gates, signals  # noqa: F401  (gates: registers the delivered → closed gate)

        signals.connect()  # the scorecard configuration's shared version (kpi/selectors/config.py)
