from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目")

    def ready(self) -> None:
        # pre-sales gate and admin; change requests (issue 6)
        from . import admin_changes, admin_presales, gates, gates_changes  # noqa: F401
