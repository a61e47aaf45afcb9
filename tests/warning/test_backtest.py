"""The rolling-origin backtest and `manage.py backtest_warning` on a small synthetic history."""

import datetime
import io

import pytest
from django.core.management import call_command

from coordination.devtools.history import seed_history
from projects.warning.learning import backtest, outcomes

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def history(db):
    seed_history(today=TODAY, finished=60, open_=0, seed=5, log=lambda m: None)


def test_outcomes_follow_their_definitions(history):
    rows = outcomes()
    assert len(rows) == 60
    assert any(r["late"] for r in rows.values()) and not all(r["late"] for r in rows.values())


def test_backtest_scores_both_candidates_and_the_rules_on_later_projects_only(history):
    result = backtest(TODAY)
    assert result["enough"] is True
    for outcome in ("late", "overrun"):
        summary = result["outcomes"][outcome]
        assert summary["chosen"] in ("logistic", "lightgbm")
        for name in ("rules", "logistic", "lightgbm"):
            # only projects signed after the first origin (half of them) are scored
            assert summary[name]["n"] <= 30
        assert 0 <= summary["logistic"]["brier"] <= 1


def test_the_command_prints_the_table(history):
    out = io.StringIO()
    call_command("backtest_warning", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "finished projects: 60" in text
    assert "AUC" in text and "Brier" in text and "P@10" in text and "lead wk" in text
    assert "calibration logistic" in text


def test_too_little_history_says_so(db):
    seed_history(today=TODAY, finished=10, open_=0, seed=5, log=lambda m: None)
    out = io.StringIO()
    call_command("backtest_warning", stdout=out)
    assert "fewer than 30" in out.getvalue()
