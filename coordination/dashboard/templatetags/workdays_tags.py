"""The working calendar's note for computed dates (room: core; it lives here only so that
Django finds it). Any page showing a date computed on the working calendar (a due date, an
SLA date, a forecast, a Gantt bar) adds, next to it:

    {% load workdays_tags %}{% workday_estimate date %}       a note if `date` is beyond data
    {% workday_estimate start finish %}                        any of several dates
    {% if date|beyond_statutory_data %}…{% endif %}            the test alone

The note reads "按周一至周五估算（法定节假日数据未覆盖该年）"
(templates/includes/workday_estimate.html).
"""

from __future__ import annotations

from django import template

from coordination.core import workdays

register = template.Library()


@register.filter
def beyond_statutory_data(day) -> bool:
    return workdays.estimated(day) if day else False


@register.inclusion_tag("includes/workday_estimate.html")
def workday_estimate(*days):
    flagged = sorted({d.year for d in days if d and workdays.estimated(d)})
    return {"estimated": bool(flagged), "years": flagged}
