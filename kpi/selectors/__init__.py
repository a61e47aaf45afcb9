"""KPI reads: every value is an SQL aggregation over the project data, never typed in.

    scopes       Scope, parse_scope, the projects a scope covers, the PMs
    formulas     what each KPI computes (LIVE), KpiValue
    statements   many aggregates in one SQL statement; the per-process statement cache
    config       KPI definitions, closed periods, the per-process scorecard configuration memo
    kpi_values   compute, compute_many, values (frozen snapshots of closed periods, else live)
    scorecards   department scorecards and their scores
    comparison   before/after comparison

Periods: see kpi/periods.py. Code inside kpi imports from those modules; the names below are
the ones views, API, services and tests have used from kpi.selectors.
"""

from kpi.selectors.comparison import compare_projects, compare_split
from kpi.selectors.config import CONFIG_VERSION_KEY, active_kpis, config_changed
from kpi.selectors.formulas import LIVE
from kpi.selectors.kpi_values import compute, compute_many, project_kpi_panel, values
from kpi.selectors.scopes import COMPANY, SCORECARD_DEPARTMENTS, Scope, parse_scope, pm_usernames
from kpi.selectors.scorecards import kpi_score, scorecard, scorecards_side_by_side
from kpi.selectors.statements import _aggregate_together

__all__ = [
    "COMPANY",
    "CONFIG_VERSION_KEY",
    "LIVE",
    "SCORECARD_DEPARTMENTS",
    "Scope",
    "_aggregate_together",
    "active_kpis",
    "compare_projects",
    "compare_split",
    "compute",
    "compute_many",
    "config_changed",
    "kpi_score",
    "parse_scope",
    "pm_usernames",
    "project_kpi_panel",
    "scorecard",
    "scorecards_side_by_side",
    "values",
]
