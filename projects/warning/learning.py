"""The two outcomes, the two candidate models and the rolling-origin backtest
(docs/early-warning.md).

Outcomes of a finished project (one with an actual end):
- `late`: delivered more than 14 days after its baseline end (`planned_end`);
- `overrun`: final cost (`forecast_budget` at the end) above the baseline budget by more than
  the approved assessment's contingency.

Candidates: `logistic` (scikit-learn, standardised inputs: the transparent baseline) and
`lightgbm` (gradient-boosted trees). The backtest chooses, never taste:
1. Snapshots: every project is rebuilt (features.build_features) every 14 days from its
   contract date until it finished.
2. Origins: the finished projects sorted by contract date; four origins at 50 %, 62.5 %, 75 %
   and 87.5 % of them. At an origin, training sees the snapshots dated before it of projects
   that had finished before it (their outcome was known then), and nothing else.
3. The projects signed from that origin to the next are scored at their first snapshot past
   40 % of their planned duration (AUC, Brier score, calibration, precision among the fold's 10
   highest), and at every snapshot for the lead time.
4. The rules (features.rule_level, the dashboard's health rules on the as-of state) are scored
   the same way; their probability is the training share of the outcome at that level.
5. Lead time: for each project that turned out positive, weeks between the first snapshot the
   model's probability reached 0.5 and the first snapshot the rules turned red (the actual end
   when they never did). The median is reported.
6. Per outcome the candidate with the higher pooled AUC wins (the lower Brier score on a tie).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _
from lightgbm import LGBMClassifier
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from projects.core.models import Project
from projects.presales.models import FeasibilityAssessment

from .features import FEATURE_NAMES, LATE_DAYS, build_features, rule_level

OUTCOMES = {"late": _("延期交付(超过基线14天)"), "overrun": _("成本超支(超过不可预见费)")}
CANDIDATES = ("logistic", "lightgbm")
STEP_DAYS = 14
SCORE_AT_SHARE = 0.4
ORIGINS = (0.5, 0.625, 0.75, 0.875)
ALERT = 0.5
MIN_FINISHED = 30


def make_model(kind: str):
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))
    return LGBMClassifier(
        n_estimators=150,
        learning_rate=0.05,
        num_leaves=7,
        min_child_samples=10,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=21,
        n_jobs=1,  # the threads of a small fit cost more than they save on a shared host
        verbose=-1,
    )


def outcomes(project_ids=None) -> dict[int, dict]:
    """{project id: {"late": bool, "overrun": bool, "signed": date, "end": date}}, finished."""
    qs = Project.objects.filter(
        actual_end__isnull=False, planned_end__isnull=False, contract_signed_on__isnull=False
    )
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    rows = list(
        qs.values(
            "id",
            "contract_signed_on",
            "planned_end",
            "actual_end",
            "baseline_budget",
            "forecast_budget",
        )
    )
    contingency = dict(
        FeasibilityAssessment.objects.filter(
            project_id__in=[r["id"] for r in rows], status=FeasibilityAssessment.Status.APPROVED
        ).values_list("project_id", "contingency_cost")
    )
    out = {}
    for r in rows:
        over = False
        if r["baseline_budget"] is not None and r["forecast_budget"] is not None:
            over = r["forecast_budget"] - r["baseline_budget"] > contingency.get(r["id"], 0)
        out[r["id"]] = {
            "late": (r["actual_end"] - r["planned_end"]).days > LATE_DAYS,
            "overrun": bool(over),
            "signed": r["contract_signed_on"],
            "end": r["actual_end"],
        }
    return out


@dataclass
class Snapshot:
    project_id: int
    day: datetime.date
    row: dict

    @property
    def x(self) -> list[float]:
        return [self.row[f] for f in FEATURE_NAMES]


def snapshots(finished: dict[int, dict], until: datetime.date) -> list[Snapshot]:
    """Every finished project every STEP_DAYS from its contract date until its end."""
    if not finished:
        return []
    first = min(o["signed"] for o in finished.values())
    out = []
    day = first + datetime.timedelta(days=STEP_DAYS)
    while day <= until:
        active = [pid for pid, o in finished.items() if o["signed"] < day < o["end"]]
        if active:
            for pid, row in build_features(active, day).items():
                out.append(Snapshot(pid, day, row))
        day += datetime.timedelta(days=STEP_DAYS)
    return out


def _matrix(snaps: list[Snapshot]) -> np.ndarray:
    return np.array([s.x for s in snaps], dtype=float)


def fit(kind: str, snaps: list[Snapshot], y: list[int]):
    model = make_model(kind)
    model.fit(_matrix(snaps), np.array(y))
    return model


@dataclass
class Scores:
    y: list[int] = field(default_factory=list)
    p: list[float] = field(default_factory=list)
    top10: list[float] = field(default_factory=list)
    leads: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        if len(set(self.y)) < 2:
            return {"n": len(self.y), "auc": None}
        frac, mean = calibration_curve(self.y, self.p, n_bins=5, strategy="quantile")
        return {
            "n": len(self.y),
            "positives": int(sum(self.y)),
            "auc": round(float(roc_auc_score(self.y, self.p)), 3),
            "brier": round(float(brier_score_loss(self.y, self.p)), 3),
            "calibration": [
                [round(float(m), 3), round(float(f), 3)] for m, f in zip(mean, frac, strict=True)
            ],
            "precision_at_10": round(statistics.mean(self.top10), 3) if self.top10 else None,
            "lead_weeks_median": round(statistics.median(self.leads), 1) if self.leads else None,
        }


def _precision_top10(y: list[int], p: list[float]) -> float:
    order = sorted(range(len(p)), key=lambda i: -p[i])[:10]
    return sum(y[i] for i in order) / len(order) if order else 0.0


def backtest(today: datetime.date | None = None) -> dict:
    """{"finished", "folds", "outcomes": {outcome: {"rules"|kind: summary, "chosen"}}}."""
    finished = outcomes()
    if len(finished) < MIN_FINISHED:
        return {"finished": len(finished), "enough": False}
    today = today or max(o["end"] for o in finished.values())
    snaps = snapshots(finished, today)
    by_project: dict[int, list[Snapshot]] = defaultdict(list)
    for s in snaps:
        by_project[s.project_id].append(s)
    order = sorted(finished, key=lambda pid: (finished[pid]["signed"], pid))
    cuts = [finished[order[int(q * len(order))]]["signed"] for q in ORIGINS]
    result: dict = {"finished": len(finished), "snapshots": len(snaps), "enough": True}
    result["folds"] = [d.isoformat() for d in cuts]
    result["outcomes"] = {}
    for outcome in OUTCOMES:
        scores = {name: Scores() for name in ("rules", *CANDIDATES)}
        for i, origin in enumerate(cuts):
            nxt = cuts[i + 1] if i + 1 < len(cuts) else datetime.date.max
            train = [s for s in snaps if s.day < origin and finished[s.project_id]["end"] < origin]
            y_train = [int(finished[s.project_id][outcome]) for s in train]
            test_ids = [pid for pid in order if origin <= finished[pid]["signed"] < nxt]
            if len(set(y_train)) < 2 or not test_ids:
                continue
            models = {kind: fit(kind, train, y_train) for kind in CANDIDATES}
            level_rate = _rule_rates(train, y_train)
            fold = {name: ([], []) for name in scores}
            for pid in test_ids:
                series = by_project.get(pid, [])
                if not series:
                    continue
                at = next((s for s in series if s.row["elapsed_share"] >= SCORE_AT_SHARE), None)
                at = at or series[-1]
                y = int(finished[pid][outcome])
                probs = {k: m.predict_proba(_matrix(series))[:, 1] for k, m in models.items()}
                idx = series.index(at)
                for name in scores:
                    p = (
                        level_rate[rule_level(at.row)]
                        if name == "rules"
                        else float(probs[name][idx])
                    )
                    scores[name].y.append(y)
                    scores[name].p.append(p)
                    fold[name][0].append(y)
                    fold[name][1].append(p)
                if y:
                    red = next(
                        (s.day for s in series if rule_level(s.row) == 2), finished[pid]["end"]
                    )
                    for kind in CANDIDATES:
                        hit = next(
                            (s.day for s, p in zip(series, probs[kind], strict=True) if p >= ALERT),
                            finished[pid]["end"],
                        )
                        scores[kind].leads.append((red - hit).days / 7)
                    scores["rules"].leads.append(0.0)
            for name, (ys, ps) in fold.items():
                if ys:
                    scores[name].top10.append(_precision_top10(ys, ps))
        summary = {name: sc.summary() for name, sc in scores.items()}
        summary["chosen"] = choose(summary)
        result["outcomes"][outcome] = summary
    return result


def _rule_rates(train: list[Snapshot], y: list[int]) -> dict[int, float]:
    counts = defaultdict(lambda: [0, 0])
    for s, label in zip(train, y, strict=True):
        c = counts[rule_level(s.row)]
        c[0] += label
        c[1] += 1
    base = sum(y) / len(y)
    return {lvl: (counts[lvl][0] + base) / (counts[lvl][1] + 1) for lvl in (0, 1, 2)}


def choose(summary: dict) -> str:
    """The candidate with the higher AUC, then the lower Brier score."""
    ranked = sorted(
        CANDIDATES,
        key=lambda k: (-(summary[k].get("auc") or 0), summary[k].get("brier") or 1),
    )
    return ranked[0]
