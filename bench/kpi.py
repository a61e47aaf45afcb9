"""KPI scorecard computed by the kpi selectors (live, for the current quarter) vs. the
same figures from one hand-written SQL statement, side by side.

    python bench/kpi.py [--smoke] [--department business] [--rounds R]

Prints: RATIO kpi_scorecard_vs_raw=<selector time ÷ raw SQL time> target=<=1.50 ok=…
(company-wide scope, department:business; department:finance reported as a detail)
"""

from __future__ import annotations

import statistics
import sys
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 1.5

RAW_SQL = """
SELECT m.due, m.on_time, s.n, s.satisfied, cc.n, act.n, ic.n, d.total, d.n, h.total, h.n,
       cr.total, cr.n, pq.n
FROM (SELECT count(*) AS due,
             count(*) FILTER (WHERE status = 'done' AND actual_date <= baseline_date) AS on_time
      FROM projects_milestone
      WHERE ((status = 'done' AND actual_date < baseline_date
              AND actual_date >= %(start)s AND actual_date <= %(last_due)s)
             OR (NOT (status = 'done' AND actual_date < baseline_date)
                 AND baseline_date >= %(start)s AND baseline_date <= %(last_due)s))
        AND status <> 'cancelled' {scope_m}
        AND NOT (status <> 'done' AND (baseline_date = %(today)s OR project_id IN
                 (SELECT id FROM projects_project WHERE stage = 'on_hold')))) m,
     (SELECT count(*) AS n, count(*) FILTER (WHERE overall_score >= 4) AS satisfied
      FROM kpi_satisfactionsurvey
      WHERE surveyed_on >= %(start)s AND surveyed_on < %(end)s {scope_s}
        AND id NOT IN (SELECT input_id FROM kpi_restatement
                       WHERE input_kind = 'survey' AND status IN ('pending', 'left'))) s,
     (SELECT count(*) AS n FROM kpi_complaint
      WHERE source = 'customer' AND opened_on >= %(start)s AND opened_on < %(end)s {scope_c}
        AND id NOT IN (SELECT input_id FROM kpi_restatement
                       WHERE input_kind = 'complaint' AND status IN ('pending', 'left'))) cc,
     (SELECT count(*) AS n FROM projects_project p
      WHERE contract_signed_on < %(end)s AND stage NOT IN ('opportunity', 'cancelled')
        AND (actual_end IS NULL OR actual_end >= %(start)s) {scope_p}) act,
     (SELECT count(*) AS n FROM kpi_complaint
      WHERE source = 'internal' AND opened_on >= %(start)s AND opened_on < %(end)s {scope_c}
        AND id NOT IN (SELECT input_id FROM kpi_restatement
                       WHERE input_kind = 'complaint' AND status IN ('pending', 'left'))) ic,
     (SELECT sum(actual_end - contract_signed_on) AS total, count(*) AS n
      FROM projects_project p
      WHERE actual_end >= %(start)s AND actual_end < %(end)s
        AND contract_signed_on IS NOT NULL {scope_p}) d,
     (SELECT sum((h.accepted_at AT TIME ZONE 'Asia/Shanghai')::date - p.contract_signed_on)
             AS total, count(*) AS n
      FROM handover_handover h JOIN projects_project p ON p.id = h.project_id
      WHERE h.accepted_at >= %(start_at)s AND h.accepted_at < %(end_at)s
        AND p.contract_signed_on IS NOT NULL {scope_h}) h,
     (SELECT sum(extract(epoch FROM decided_at - submitted_at)) / 86400 AS total, count(*) AS n
      FROM projects_changerequest
      WHERE decided_at >= %(start_at)s AND decided_at < %(end_at)s
        AND submitted_at IS NOT NULL {scope_cr}) cr,
     (SELECT count(DISTINCT q.project_id) AS n
      FROM projects_quote q JOIN projects_project p ON p.id = q.project_id
      WHERE q.is_current AND p.stage NOT IN ('closed', 'cancelled') {scope_p}) pq
"""


def raw_sql(department: str) -> str:
    if department == "finance":
        sub = "IN (SELECT project_id FROM projects_projectmembership WHERE role = 'finance_rep')"
        scopes = {
            "scope_m": f"AND project_id {sub}",
            "scope_s": f"AND project_id {sub}",
            "scope_c": f"AND project_id {sub}",
            "scope_p": f"AND p.id {sub}",
            "scope_h": f"AND p.id {sub}",
            "scope_cr": f"AND project_id {sub}",
        }
    else:  # business and engineering: every project (shared fate)
        scopes = dict.fromkeys(
            ["scope_m", "scope_s", "scope_c", "scope_p", "scope_h", "scope_cr"], ""
        )
    return RAW_SQL.format(**scopes)


def _num(x) -> Decimal:
    return Decimal(x or 0).quantize(Decimal("0.0001"))


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    from django.db import connection
    from django.utils import timezone

    from kpi import periods as P
    from kpi.selectors.scorecards import scorecard

    today = timezone.localdate()
    period = P.current("quarter", today)
    params = {
        "start": period.start,
        "end": period.end,
        "last_due": min(period.last_day, today),
        "today": today,
        "start_at": period.start_at,
        "end_at": period.end_at,
    }

    def orm(department):
        return lambda: scorecard(department, period)

    def raw(department):
        sql = raw_sql(department)

        def call():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()

        return call

    rounds, per_round = (2, 2) if args.smoke else (args.rounds, 3)
    departments = [args.department] + (["finance"] if args.department != "finance" else [])
    variants = {}
    for dept in departments:
        variants[f"orm:{dept}"] = orm(dept)
        variants[f"raw:{dept}"] = raw(dept)
    medians = common.interleaved(variants, rounds, per_round)

    # same figures? (numerators and denominators of the KPIs both compute)
    matches = {}
    for dept in departments:
        card = {r["code"]: r for r in scorecard(dept, period)["kpis"]}
        row = raw(dept)()
        expected = {
            "on_time_delivery_rate": (row[1], row[0]),
            "customer_satisfaction": (row[3], row[2]),
            "customer_complaint_rate": (row[4], row[5]),
            "cross_department_complaints": (row[6], None),
            "delivery_cycle_time": (row[7], row[8]),
            "handover_lead_time": (row[9], row[10]),
            "change_request_cycle_time": (row[11], row[12]),
        }
        bad = [
            code
            for code, (num, den) in expected.items()
            if code in card
            and not card[code]["extra"].get("unavailable")
            and (
                _num(card[code]["numerator"]) != _num(num)
                or (den is not None and _num(card[code]["denominator"]) != _num(den))
            )
        ]
        matches[dept] = bad

    print(
        f"KPI scorecard, period {period.key} (live), {rounds} interleaved rounds × {per_round}: "
        "median ms [spread of round medians]"
    )
    for name, values in medians.items():
        ms = [v * 1000 for v in values]
        common.detail(f"{name:<20} {statistics.median(ms):8.2f} ms  [{min(ms):.2f}–{max(ms):.2f}]")
    ratios = {}
    for dept in departments:
        ratios[dept] = common.per_round(medians[f"orm:{dept}"], medians[f"raw:{dept}"])
        same = "yes" if not matches[dept] else f"no ({', '.join(matches[dept])})"
        common.detail(
            f"department:{dept:<12} selectors/raw {statistics.median(ratios[dept]):.2f}x "
            f"[{min(ratios[dept]):.2f}–{max(ratios[dept]):.2f}]  same figures: {same}"
        )
    main = ratios[args.department]
    ratio = statistics.median(main)
    ok = ratio <= TARGET and not any(matches.values())
    line = common.ratio_line(
        "kpi_scorecard_vs_raw",
        ratio,
        f"<={TARGET:.2f}",
        ok,
        spread=(min(main), max(main)),
        rounds=rounds,
    )
    return {"ratio": ratio, "ok": ok, "line": line, "mismatches": matches}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--department", default="business")
    p.add_argument("--rounds", type=int, default=5)
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
