"""Early-warning template tags: a project's warning with its factors (project page, lists)."""

from django import template

from projects.warning.selectors import project_warning

register = template.Library()


@register.inclusion_tag("projects/warning/_project_warning.html")
def project_warning_panel(project):
    return {"warning": project_warning(project), "project": project}


@register.filter
def percent(value) -> str:
    return f"{float(value) * 100:.0f}%"
