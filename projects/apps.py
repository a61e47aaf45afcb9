from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目")

    def ready(self) -> None:
        # Stage gates register on import: pre-sales (key projects sign only what engineering's
        # estimate supports) and change requests (open ones hold the delivery).
        # Payment milestones follow their delivery milestone's dates (milestone_moves).
        from projects.changes import gates as change_gates  # noqa: F401
        from projects.payments import services as payment_services  # noqa: F401
        from projects.presales import gates as presales_gates  # noqa: F401
