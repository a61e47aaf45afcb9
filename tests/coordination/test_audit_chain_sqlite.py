"""`make run`'s SQLite database keeps the audit chain too (computed in Python there): the demo
seed, the ERP bulk upsert and single events chain, and verify_audit finds an edited row."""

import sqlite3
import subprocess

import pytest

from tests.coordination.ops_helpers import BASE_DIR, PYTHON, clean_env

pytestmark = pytest.mark.slow

BULK = r"""
from django.contrib.auth.models import User
from django.test import Client
from coordination.core.tokens.services import issue_token
from projects.core.models import Project

pmo = User.objects.get(username="pmo")
api = Client(HTTP_AUTHORIZATION="Token " + issue_token(pmo)[1])
project = Project.objects.select_related("customer", "business_pm", "engineering_pm").first()
rows = [
    {
        "erp_id": f"SQLITE-{i}", "name": f"嵌入式 {i}", "customer_erp_id": project.customer.erp_id,
        "contract_value": "10.00", "currency": "CNY", "planned_start": "2026-01-01",
        "planned_end": "2026-12-31", "business_pm": project.business_pm.username,
        "engineering_pm": project.engineering_pm.username, "primary_owner": "business",
    }
    for i in range(20)
]
done = api.post("/api/v1/erp/projects/bulk/", rows, content_type="application/json")
print("RESULT " + json.dumps(sorted({r["status"] for r in done.json()})))
"""


def _manage(env, *args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def test_the_chain_is_kept_and_checked_on_sqlite(tmp_path):
    env = clean_env(tmp_path, DEBUG="1", ALLOWED_HOSTS="testserver,localhost")
    _manage(env, "migrate", "-v0")
    _manage(env, "seed_demo")
    bulk = _manage(env, "shell", "-c", "import json\n" + BULK)
    assert 'RESULT ["created"]' in bulk.stdout, bulk.stdout[-2000:] + bulk.stderr[-2000:]
    ok = _manage(env, "verify_audit")
    assert ok.stdout.startswith("OK events="), ok.stdout + ok.stderr

    database = sqlite3.connect(tmp_path / "coordination.sqlite3")
    with database:
        (count, middle) = database.execute(
            "SELECT count(*), (SELECT id FROM coordination_auditevent ORDER BY id "
            "LIMIT 1 OFFSET 10) FROM coordination_auditevent"
        ).fetchone()
        assert count > 20
        database.execute(
            "UPDATE coordination_auditevent SET reason = 'changed' WHERE id = ?", [middle]
        )
    database.close()
    broken = _manage(env, "verify_audit", check=False)
    assert broken.returncode != 0
    assert f"BROKEN id={middle} what=content_changed" in broken.stderr, broken.stderr
