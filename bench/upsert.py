"""ERP bulk upsert of 1,000 projects through POST /api/v1/erp/projects/bulk/ (PMO token, the
whole request path and service) vs. one raw INSERT … ON CONFLICT (erp_id) DO UPDATE of the
same JSON rows. Two phases each: create 1,000 new projects, then update all 1,000.

    python bench/upsert.py [--smoke] [--rows 1000] [--runs 5]

Runs API and raw side by side `--runs` times, the order alternating. Prints each run, then
RATIO erp_upsert_vs_raw=<median of raw time ÷ API time, i.e. API throughput as a share of
raw> target=>=0.30(every_run) ok=<every run at or above 0.30> (the projects are deleted
afterwards, their audit events kept).
One row through each side first (not timed): the process's first request pays for imports,
not for upserts.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET = 0.30
API_PREFIX = "BENCH-API-"
RAW_PREFIX = "BENCH-RAW-"

RAW_UPSERT = """
INSERT INTO projects_project (code, erp_id, name, customer_id, stage, stage_before_hold,
    stage_changed_at, is_key_project, business_pm_id, engineering_pm_id, primary_owner,
    contract_value, currency, planned_start, planned_end, forecast_end, description,
    customer_core_needs, expected_standards, created_at, updated_at)
SELECT 'BRAW-' || r.erp_id, r.erp_id, r.name, c.id, 'opportunity', '', now(),
       r.is_key_project, b.id, e.id, r.primary_owner, r.contract_value, r.currency,
       r.planned_start, r.planned_end, r.planned_end, '', '', '', now(), now()
FROM jsonb_to_recordset(%s::jsonb) AS r(erp_id text, name text, customer_erp_id text,
        contract_value numeric, currency text, planned_start date, planned_end date,
        business_pm text, engineering_pm text, primary_owner text, is_key_project boolean)
JOIN projects_customer c ON c.erp_id = r.customer_erp_id
JOIN auth_user b ON b.username = r.business_pm AND b.is_active
JOIN auth_user e ON e.username = r.engineering_pm AND e.is_active
ON CONFLICT (erp_id) DO UPDATE SET
    name = EXCLUDED.name, customer_id = EXCLUDED.customer_id,
    contract_value = EXCLUDED.contract_value, currency = EXCLUDED.currency,
    planned_start = EXCLUDED.planned_start, planned_end = EXCLUDED.planned_end,
    business_pm_id = EXCLUDED.business_pm_id, engineering_pm_id = EXCLUDED.engineering_pm_id,
    primary_owner = EXCLUDED.primary_owner, is_key_project = EXCLUDED.is_key_project,
    updated_at = now()
WHERE (projects_project.name, projects_project.contract_value, projects_project.planned_end)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.contract_value, EXCLUDED.planned_end)
"""


def rows(prefix: str, n: int, version: int) -> list[dict]:
    from django.contrib.auth import get_user_model

    from coordination.devtools.perfdata import CODE_PREFIX
    from projects.core.models import Customer

    customers = list(
        Customer.objects.filter(erp_id__startswith=f"{CODE_PREFIX}C-")
        .order_by("id")
        .values_list("erp_id", flat=True)[:50]
    )
    users = get_user_model().objects.filter(username__startswith="perf_")
    bpms = list(
        users.filter(username__startswith="perf_bpm_").values_list("username", flat=True)[:20]
    )
    epms = list(
        users.filter(username__startswith="perf_epm_").values_list("username", flat=True)[:20]
    )
    return [
        {
            "erp_id": f"{prefix}{i}",
            "name": f"ERP同步项目 {i} v{version}",
            "customer_erp_id": customers[i % len(customers)],
            "contract_value": f"{100000 + i * 10 + version}.00",
            "currency": "CNY",
            "planned_start": "2026-01-01",
            "planned_end": f"2026-{1 + i % 12:02d}-{10 + version:02d}",
            "business_pm": bpms[i % len(bpms)],
            "engineering_pm": epms[i % len(epms)],
            "primary_owner": "business" if i % 2 else "engineering",
            "is_key_project": i % 10 == 0,
        }
        for i in range(n)
    ]


def _cleanup() -> None:
    """The projects go; their audit events stay: deleting them would break the audit chain
    (`manage.py verify_audit`), and the trail is append-only."""
    from projects.core.models import Project

    Project.objects.filter(erp_id__startswith="BENCH-").delete()


def run(argv: list[str] | None = None) -> dict:
    args = _args(argv)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from coordination.devtools.perfdata import PMO_USERNAME

    n = 10 if args.smoke else args.rows
    user = get_user_model().objects.get(username=PMO_USERNAME)
    client = Client(HTTP_AUTHORIZATION=f"Token {common.api_token(user)}")

    def api(batch):
        response = client.post(
            "/api/v1/erp/projects/bulk/", json.dumps(batch), content_type="application/json"
        )
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return [r["status"] for r in response.json()]

    def raw(batch):
        with connection.cursor() as cursor:
            cursor.execute(RAW_UPSERT, [json.dumps(batch)])
            return cursor.rowcount

    runs = 1 if args.smoke else args.runs
    ratios, timings = [], {}
    try:
        _cleanup()
        # warm-up, both sides alike: the first request of a process imports and builds the
        # URLconf, DRF and the views (~1 s on this machine), which is not upsert throughput
        api(rows(f"{API_PREFIX}WARM-", 1, 1))
        raw(rows(f"{RAW_PREFIX}WARM-", 1, 1))
        for i in range(runs):
            _cleanup()
            order = ("api", "raw") if i % 2 == 0 else ("raw", "api")
            run_timings = {}
            for phase, version in (("create", 1), ("update", 2)):
                batches = {"api": rows(API_PREFIX, n, version), "raw": rows(RAW_PREFIX, n, version)}
                took = {}
                for side in order:
                    func = api if side == "api" else raw
                    took[side] = common.timed(lambda b=batches[side], f=func: f(b))
                expected = "created" if phase == "create" else "updated"
                good = sum(1 for s in took["api"][1] if s == expected)
                t_api, t_raw = took["api"][0], took["raw"][0]
                run_timings[phase] = (t_api, t_raw, good, took["raw"][1], expected)
            api_total = sum(t[0] for t in run_timings.values())
            raw_total = sum(t[1] for t in run_timings.values())
            ratios.append(raw_total / api_total if api_total else 0.0)
            timings = run_timings
            print(f"run {i + 1} ({' first, '.join(order)} second): ratio {ratios[-1]:.3f}")
            for phase, (t_api, t_raw, good, count, expected) in run_timings.items():
                common.detail(
                    f"{phase:<7} api {t_api:7.3f}s ({n / t_api:8.1f} rows/s, {good} {expected})  "
                    f"raw {t_raw:7.3f}s ({n / t_raw:9.1f} rows/s, {count} rows)"
                )
    finally:
        _cleanup()
    ratio = statistics.median(ratios)
    held = sum(1 for r in ratios if r >= TARGET)
    print(
        f"ERP bulk upsert of {n:,} projects (API as PMO vs raw INSERT … ON CONFLICT): "
        f"{held} of {runs} runs at or above {TARGET:.2f}"
    )
    ok = held == runs and all(t[2] == n for t in timings.values())
    line = common.ratio_line(
        "erp_upsert_vs_raw",
        ratio,
        f">={TARGET:.2f}(every_run)",
        ok,
        spread=(min(ratios), max(ratios)),
        rounds=runs,
    )
    return {"ratio": ratio, "ok": ok, "line": line, "timings": timings, "ratios": ratios}


def _args(argv):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--runs", type=int, default=5, help="interleaved runs, order alternating")
    return p.parse_args(argv)


if __name__ == "__main__":
    common.setup()
    run()
