from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("协同中心")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (framework glue: a profile for every user)
        from . import admin_kickoff, gates  # noqa: F401  (kickoff gate and admin)
        from . import admin_reviews  # noqa: F401  (review loop admin)
        from .schedules import sync_after_migrate  # beat schedule → admin rows after migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="sync_beat_schedule")

        # ERP integration: webhooks out (one delivery per subscribed endpoint), its tasks
        from . import events, tasks_integration, webhooks  # noqa: F401

        events.listen("*", webhooks.fan_out)
