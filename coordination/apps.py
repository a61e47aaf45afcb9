from axes import apps as axes_apps
from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    default = True  # LoginProtectionConfig below is axes' config, not this app's
    name = "coordination"
    verbose_name = _("协同中心")

    def ready(self) -> None:
        # Registrations that run on import: a profile for every user (signal), the kickoff
        # stage gate; then webhooks listen to every domain event and the
        # beat schedule is copied into its admin rows after migrate; the reminder outbox's
        # channel timeouts are checked against its lease.
        from django.contrib.auth.signals import user_logged_in

        from coordination.accounts.middleware import note_step_after_login
        from coordination.beat import sync_after_migrate
        from coordination.chat import services as chat
        from coordination.core import events, signals  # noqa: F401
        from coordination.core.services import add_notify_channel
        from coordination.integration import deliveries
        from coordination.kickoff import gates  # noqa: F401
        from coordination.kickoff.renewal import renew_after_change
        from coordination.reviews.reminders.rules import check_channel_timeouts

        # after the password: the second factor's step (coordination/accounts/middleware.py)
        user_logged_in.connect(note_step_after_login, dispatch_uid="second_factor_step")
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="sync_beat_schedule")
        events.listen("*", deliveries.fan_out)
        events.listen("change_request.decided", renew_after_change)
        checks.register(check_channel_timeouts)
        add_notify_channel(chat.queue_work_notices)  # personal work notices (docs/integrations.md)


class LoginProtectionConfig(axes_apps.AppConfig):
    """django-axes (the login protection: coordination/core/login_protection.py) under a name
    PMO reads in the admin."""

    default = False  # named in INSTALLED_APPS; CoordinationConfig is this module's default
    verbose_name = _("登录保护")
