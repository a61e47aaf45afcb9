"""Who sees and who resets a project's calendar feed (the pages and services ask these)."""

from __future__ import annotations

from coordination.core.roles import can_write, is_pmo
from projects.core.models import Project
from projects.core.roles import PM_ROLES
from projects.core.selectors import project_roles, visible_projects


def can_see_project_feed(user, project: Project) -> bool:
    """Whoever may see the project (its members, PMO, executives)."""
    return visible_projects(user).filter(pk=project.pk).exists()


def can_reset_project_feed(user, project: Project) -> bool:
    """The project's two PMs and PMO."""
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & PM_ROLES))
