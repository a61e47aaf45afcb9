from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("合同移交")

    def ready(self) -> None:
        from handover import gates  # noqa: F401  (stage gates and the on-enter hook)
