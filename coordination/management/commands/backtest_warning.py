"""`manage.py backtest_warning`: the early-warning models against the health rules."""

import datetime
import json

from django.core.management.base import BaseCommand

from projects.warning.learning import CANDIDATES, OUTCOMES, backtest


class Command(BaseCommand):
    help = (
        "Rolling-origin backtest of the early-warning candidates (logistic regression, "
        "LightGBM) against the rule-based health: AUC, Brier, calibration, precision at top 10, "
        "lead time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, today=None, json=False, **options):
        result = backtest(today)
        if json:
            self.stdout.write(_dumps(result))
            return
        if not result["enough"]:
            self.stdout.write(
                f"{result['finished']} finished projects: fewer than 30, the rules stay in use."
            )
            return
        self.stdout.write(
            f"finished projects: {result['finished']}  snapshots: {result['snapshots']}  "
            f"origins: {', '.join(result['folds'])}"
        )
        for outcome in OUTCOMES:
            summary = result["outcomes"][outcome]
            self.stdout.write(f"\n{outcome}  (chosen: {summary['chosen']})")
            self.stdout.write(
                f"  {'':10} {'n':>5} {'pos':>5} {'AUC':>6} {'Brier':>6} {'P@10':>6} {'lead wk':>8}"
            )
            for name in ("rules", *CANDIDATES):
                s = summary[name]
                if s.get("auc") is None:
                    self.stdout.write(f"  {name:10} {s['n']:>5}  (one class only)")
                    continue
                lead = "-" if s["lead_weeks_median"] is None else f"{s['lead_weeks_median']:+.1f}"
                self.stdout.write(
                    f"  {name:10} {s['n']:>5} {s['positives']:>5} {s['auc']:>6.3f} "
                    f"{s['brier']:>6.3f} {s['precision_at_10']:>6.2f} {lead:>8}"
                )
            for name in ("rules", *CANDIDATES):
                cal = summary[name].get("calibration") or []
                pts = "  ".join(f"{p:.2f}→{f:.2f}" for p, f in cal)
                self.stdout.write(f"  calibration {name:9} (predicted→observed): {pts}")


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, default=str)
