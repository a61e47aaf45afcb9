"""Reads of the early warning shared by the API, the pages and the dashboard."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .features import FEATURES
from .models import EarlyWarning, WarningModel


def factor_rows(factors: list[dict]) -> list[dict]:
    """Each factor with its label in the reader's language."""
    return [
        {
            "feature": f["feature"],
            "label": str(FEATURES.get(f["feature"], f["feature"])),
            "contribution": f["contribution"],
        }
        for f in factors
    ]


def project_warning(project) -> dict | None:
    """The API.md shape of one project's warning, or None when none was computed."""
    w = EarlyWarning.objects.filter(project=project).first()
    if w is None:
        return None
    late = w.factors.get("late", [])
    over = w.factors.get("overrun", [])
    merged = sorted(late + over, key=lambda f: -abs(f["contribution"]))
    return {
        "model_version": w.model_version,
        "slip_probability": w.slip_probability,
        "overrun_probability": w.overrun_probability,
        "factors": factor_rows(merged[:3]),
        "slip_factors": factor_rows(late),
        "overrun_factors": factor_rows(over),
        "computed_at": w.computed_at,
    }


def warnings_by_project(project_ids) -> dict[int, EarlyWarning]:
    """One query for a list (dashboard, portfolio)."""
    return {w.project_id: w for w in EarlyWarning.objects.filter(project_id__in=list(project_ids))}


def model_overview() -> list[WarningModel]:
    """The active model of each outcome, newest first (the PMO page)."""
    seen, out = set(), []
    for m in WarningModel.objects.filter(is_active=True).order_by("-trained_at", "-id"):
        if m.outcome not in seen:
            seen.add(m.outcome)
            out.append(m)
    return out


def no_model_message() -> str:
    return _("已完成项目少于30个，暂不启用预警模型，继续按规则评估健康度。")
