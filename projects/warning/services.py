"""Training, storing and scoring the early-warning models (docs/early-warning.md).

`retrain(today)`:
1. With fewer than MIN_FINISHED finished projects: nothing is trained, the rules stay in use.
2. The backtest (learning.backtest) chooses the candidate per outcome.
3. The chosen candidate is fitted on every snapshot of every finished project and stored as a
   new WarningModel version with its backtest metrics and data window; older versions of the
   outcome are deactivated.
4. `score_open_projects(today)` writes each open project's EarlyWarning.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone
from lightgbm import Booster

from projects.core.models import Project, Stage

from .features import FEATURE_NAMES, build_features
from .learning import MIN_FINISHED, backtest, fit, outcomes, snapshots
from .models import EarlyWarning, WarningModel

OPEN_STAGES = [Stage.CONTRACTED, Stage.HANDOVER, Stage.KICKOFF, Stage.EXECUTION]
TOP_FACTORS = 3


def _parameters(kind: str, model) -> tuple[dict, str]:
    if kind == "logistic":
        scaler, lr = model[0], model[-1]
        return {
            "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(),
            "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0]),
            "features": FEATURE_NAMES,
        }, ""
    return {"features": FEATURE_NAMES}, model.booster_.model_to_string()


@transaction.atomic
def retrain(today: datetime.date | None = None) -> list[WarningModel]:
    today = today or timezone.localdate()
    finished = outcomes()
    if len(finished) < MIN_FINISHED:
        return []
    result = backtest(today)
    snaps = snapshots(finished, today)
    version = timezone.now().strftime("%Y%m%d-%H%M%S")
    window = (
        min(o["signed"] for o in finished.values()),
        max(o["end"] for o in finished.values()),
    )
    stored = []
    for outcome, summary in result["outcomes"].items():
        kind = summary["chosen"]
        y = [int(finished[s.project_id][outcome]) for s in snaps]
        params, booster = _parameters(kind, fit(kind, snaps, y))
        WarningModel.objects.filter(outcome=outcome, is_active=True).update(is_active=False)
        stored.append(
            WarningModel.objects.create(
                version=version,
                outcome=outcome,
                algorithm=kind,
                parameters=params,
                booster=booster,
                metrics={**summary, "folds": result["folds"], "snapshots": result["snapshots"]},
                finished_projects=len(finished),
                window_start=window[0],
                window_end=window[1],
            )
        )
    score_open_projects(today)
    return stored


def active_models() -> dict[str, WarningModel]:
    out = {}
    for m in WarningModel.objects.filter(is_active=True).order_by("-trained_at", "-id"):
        out.setdefault(m.outcome, m)
    return out


def predict(model: WarningModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, per-feature contributions on the log-odds scale) for the rows of x."""
    if model.algorithm == "logistic":
        p = model.parameters
        z = (x - np.array(p["mean"])) / np.array(p["scale"])
        contrib = z * np.array(p["coef"])
        logit = contrib.sum(axis=1) + p["intercept"]
        return 1 / (1 + np.exp(-logit)), contrib
    booster = Booster(model_str=model.booster)
    raw = booster.predict(x, pred_contrib=True)
    logit = raw.sum(axis=1)
    return 1 / (1 + np.exp(-logit)), raw[:, :-1]


def _top(contrib_row: np.ndarray) -> list[dict]:
    order = np.argsort(-np.abs(contrib_row))[:TOP_FACTORS]
    return [
        {"feature": FEATURE_NAMES[i], "contribution": round(float(contrib_row[i]), 3)}
        for i in order
        if contrib_row[i] != 0
    ]


@transaction.atomic
def score_open_projects(today: datetime.date | None = None) -> int:
    """Write the EarlyWarning of every open project from the active models."""
    today = today or timezone.localdate()
    models = active_models()
    if set(models) != {"late", "overrun"}:
        return 0
    ids = list(Project.objects.filter(stage__in=OPEN_STAGES).values_list("pk", flat=True))
    rows = build_features(ids, today)
    if not rows:
        return 0
    pids = list(rows)
    x = np.array([[rows[pid][f] for f in FEATURE_NAMES] for pid in pids], dtype=float)
    late_p, late_c = predict(models["late"], x)
    over_p, over_c = predict(models["overrun"], x)
    version = models["late"].version
    existing = {w.project_id: w for w in EarlyWarning.objects.filter(project_id__in=pids)}
    new, changed = [], []
    for i, pid in enumerate(pids):
        factors = {"late": _top(late_c[i]), "overrun": _top(over_c[i])}
        w = existing.get(pid) or EarlyWarning(project_id=pid)
        w.model_version = version
        w.slip_probability = round(float(late_p[i]), 4)
        w.overrun_probability = round(float(over_p[i]), 4)
        w.factors = factors
        w.computed_at = timezone.now()
        (changed if w.pk else new).append(w)
    EarlyWarning.objects.bulk_create(new)
    EarlyWarning.objects.bulk_update(
        changed,
        ["model_version", "slip_probability", "overrun_probability", "factors", "computed_at"],
    )
    EarlyWarning.objects.exclude(project_id__in=pids).delete()
    return len(pids)
