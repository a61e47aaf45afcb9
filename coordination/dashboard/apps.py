from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """A Django app of its own only so that its template tags (the health badge) are found."""

    name = "coordination.dashboard"
    label = "dashboard"
    verbose_name = _("看板")
