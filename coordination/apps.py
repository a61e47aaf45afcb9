from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("协同中心")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (framework glue: a profile for every user)
        from . import admin_kickoff, gates  # noqa: F401  (kickoff gate and admin)
