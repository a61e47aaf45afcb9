"""The PMO page 预警模型: the models in use, their backtest against the rules, the warnings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.core.roles import sees_everything

from .learning import CANDIDATES, OUTCOMES
from .models import EarlyWarning
from .selectors import model_overview, no_model_message


@require_GET
@login_required
def model_page(request):
    if not sees_everything(request.user):
        raise PermissionDenied
    models = model_overview()
    rows = []
    for m in models:
        names = ["rules", *CANDIDATES]
        rows.append(
            {
                "model": m,
                "label": OUTCOMES.get(m.outcome, m.outcome),
                "scores": [(n, m.metrics.get(n, {})) for n in names],
            }
        )
    top = (
        EarlyWarning.objects.select_related("project")
        .order_by("-slip_probability")
        .values("project__code", "project__name", "slip_probability", "overrun_probability")[:10]
    )
    return render(
        request,
        "projects/warning/models.html",
        {"rows": rows, "top": list(top), "no_model": no_model_message() if not models else ""},
    )
