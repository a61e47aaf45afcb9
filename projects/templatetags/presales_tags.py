"""Pre-sales template tags: the promise-gap badge (anywhere a project appears) and the panel.

For lists call projects.presales.promise_gaps.attach_promise_gaps(projects) first: the badge then
reads `project.promise_gaps` and adds no query per row.
"""

from django import template

from projects.presales.promise_gaps import promise_gaps
from projects.presales.views import panel_context

register = template.Library()


@register.inclusion_tag("projects/presales/_badge.html")
def promise_gap_badge(project):
    gaps = getattr(project, "promise_gaps", None)
    if gaps is None:
        gaps = promise_gaps(project)
    return {"project": project, "gaps": gaps, "blocking": bool(gaps) and project.is_key_project}


@register.inclusion_tag("projects/presales/panel.html", takes_context=True)
def presales_panel(context, project):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {**panel_context(project, user), "request": request, "user": user}
