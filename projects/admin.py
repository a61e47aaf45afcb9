"""The projects app's admin, room by room: each room registers its own models."""

from projects.changes import admin as changes_admin
from projects.core import admin as core_admin
from projects.payments import admin as payments_admin
from projects.presales import admin as presales_admin
from projects.tasks import admin as tasks_admin
from projects.warning import admin as warning_admin

__all__ = [
    "changes_admin",
    "core_admin",
    "payments_admin",
    "presales_admin",
    "tasks_admin",
    "warning_admin",
]
