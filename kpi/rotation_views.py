"""The KPI page comparing projects whose PM rotated (互换岗位体验) with the others."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpi import periods as P
from kpi.params import BadParams, parse_rotation_params
from kpi.selectors.rotation_comparison import rotation_comparison


@login_required
@require_GET
def rotation_compare(request):
    """Joint KPIs of a period: projects with a PM who completed a job rotation before the
    contract date, against the others (company figures: every signed-in user)."""
    errors: list[str] = []
    status = 200
    try:
        period = parse_rotation_params(request.GET)
    except BadParams as exc:
        errors = [str(m) for ms in exc.detail.values() for m in ms]
        period, status = P.current(P.YEAR), 400
    return render(
        request,
        "kpi/rotation_compare.html",
        {
            "result": rotation_comparison(period),
            "period": period,
            "previous": P.preceding(period),
            "next": P.following(period),
            "errors": errors,
        },
        status=status,
    )
