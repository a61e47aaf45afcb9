from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("协同中心")

    def ready(self) -> None:
        # signals: framework glue (a profile for every user); admin_kickoff, gates: kickoff
        # gate and admin; admin_reviews: review loop admin; sync_after_migrate: beat schedule
        # → admin rows after migrate.
        from . import admin_kickoff, admin_reviews, gates, signals  # noqa: F401
        from .schedules import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="sync_beat_schedule")

        # ERP integration: webhooks out (one delivery per subscribed endpoint), its tasks
        from . import events, tasks_integration, webhooks  # noqa: F401

        events.listen("*", webhooks.fan_out)
