"""Health badge (coordination.dashboard.health) anywhere a project appears.

For lists call coordination.dashboard.health.attach_health(projects) first: the tags then read
`project.health` and add no query per row; otherwise they compute it for the one project.
"""

from django import template

from coordination.dashboard.health import project_health

register = template.Library()


def _health(project):
    value = getattr(project, "health", None)
    if value is None:
        value = project_health(project)
        project.health = value
    return value


@register.inclusion_tag("projects/dashboard/_health_badge.html")
def health_badge(project, show_reasons=False):
    return {"project": project, "health": _health(project), "show_reasons": show_reasons}


@register.inclusion_tag("projects/dashboard/_health_reasons.html")
def health_reasons(project, limit=0):
    h = _health(project)
    reasons = h.reasons[:limit] if limit else h.reasons
    return {"health": h, "reasons": reasons, "more": len(h.reasons) - len(reasons)}
