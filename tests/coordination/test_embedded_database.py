"""`make run`'s embedded default is SQLite: the paths written as PostgreSQL statements for
speed (reminder outbox, ERP bulk upsert, KPI aggregates in one statement) have portable
equivalents there. Runs the real commands in a subprocess on a fresh SQLite database."""

import json
import subprocess

import pytest

from tests.coordination.ops_helpers import BASE_DIR, PYTHON, clean_env

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json
from django.contrib.auth.models import User
from django.test import Client
from coordination.core.tokens.services import issue_token
from coordination.core.models import Notification
from coordination.reviews.models import Reminder
from coordination.reviews.reminders import create, send
from projects.core.models import Customer, Project

out = {
    "overdue": create.create_overdue_reminders(),
    "digests": create.create_weekly_digests(),
    "reviews": create.create_review_reminders(),
}
out["sent"] = send.send_due_reminders()
out["pending"] = Reminder.objects.filter(status="pending").count()
pmo = User.objects.get(username="pmo")
api = Client(HTTP_AUTHORIZATION="Token " + issue_token(pmo)[1])
project = Project.objects.select_related("customer", "business_pm", "engineering_pm").first()
row = {
    "erp_id": "SQLITE-1", "name": "嵌入式数据库项目", "customer_erp_id": project.customer.erp_id,
    "contract_value": "10.00", "currency": "CNY", "planned_start": "2026-01-01",
    "planned_end": "2026-12-31", "business_pm": project.business_pm.username,
    "engineering_pm": project.engineering_pm.username, "primary_owner": "business",
}
bulk = "/api/v1/erp/projects/bulk/"
out["bulk"] = [r["status"] for r in api.post(bulk, [row], content_type="application/json").json()]
row["name"] = "改名"
out["bulk"] += [r["status"] for r in api.post(bulk, [row], content_type="application/json").json()]
out["renamed"] = Project.objects.get(erp_id="SQLITE-1").name
out["scorecard"] = api.get("/api/v1/kpis/scorecard/?department=business").status_code
out["values"] = api.get("/api/v1/kpis/values/").status_code
web = Client()
web.force_login(pmo)
out["pages"] = {url: web.get(url).status_code for url in ["/", "/kpi/", "/projects/", "/handover/"]}
out["count"] = api.get("/api/v1/projects/").json()["count"] == Project.objects.count()
print("RESULT " + json.dumps(out))
"""


def test_make_run_paths_work_on_sqlite(tmp_path):
    env = clean_env(tmp_path, DEBUG="1", ALLOWED_HOSTS="testserver,localhost")
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=BASE_DIR, env=env, check=True)
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-3000:]
    out = json.loads(lines[0][len("RESULT ") :])
    assert out["overdue"] > 0 and out["digests"] > 0
    assert out["sent"]["failed"] == 0 and out["sent"]["sent"] > 0 and out["pending"] == 0
    assert out["bulk"] == ["created", "updated"] and out["renamed"] == "改名"
    assert out["scorecard"] == 200 and out["values"] == 200
    assert out["pages"] == {"/": 200, "/kpi/": 200, "/projects/": 200, "/handover/": 200}
    assert out["count"] is True
