"""Every bench script runs at a tiny scale (--smoke) and prints its RATIO line."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

RATIO = re.compile(r"^RATIO (\w+)=([0-9.]+) target=(\S+) ok=(yes|no)$", re.M)


@pytest.fixture
def seeded():
    call_command(
        "seed_perf", scale=20, today=datetime.date.today(), force=True, stdout=io.StringIO()
    )


def ratio_of(capsys, name):
    out = capsys.readouterr().out
    found = {m.group(1): m for m in RATIO.finditer(out)}
    assert name in found, out
    return float(found[name].group(2))


def test_project_list(seeded, capsys):
    from bench import project_list

    result = project_list.run(["--smoke"])
    assert ratio_of(capsys, "project_list_vs_bare") == pytest.approx(result["ratio"], abs=1e-3)


def test_pages(seeded, capsys):
    from bench import pages

    result = pages.run(["--smoke"])
    ratio_of(capsys, "pages_time_growth")
    assert result["ok"]  # one size: query counts trivially constant
    assert all(result["results"][0][name]["queries"] > 0 for name in ("home", "project_list"))


def test_kpi(seeded, capsys):
    from bench import kpi

    result = kpi.run(["--smoke"])
    ratio_of(capsys, "kpi_scorecard_vs_raw")
    assert result["mismatches"] == {"business": [], "finance": []}


def test_reminders(seeded, capsys):
    from bench import reminders
    from coordination.reviews.models import Reminder, Review

    result = reminders.run(["--smoke"])
    ratio_of(capsys, "reminder_fanout_vs_raw")
    app_rows, raw_rows = result["rows"]
    assert app_rows == raw_rows > 0
    assert result["sent"] == app_rows
    assert not Review.objects.filter(minutes=reminders.MARK).exists()
    assert not Reminder.objects.filter(status="pending").exists()


def test_upsert(seeded, capsys):
    from bench import upsert
    from projects.core.models import Project

    result = upsert.run(["--smoke"])
    ratio_of(capsys, "erp_upsert_vs_raw")
    assert all(t[2] == 10 for t in result["timings"].values())
    assert not Project.objects.filter(erp_id__startswith="BENCH-").exists()


def test_critical_path(capsys):
    from bench import critical_path

    result = critical_path.run(["--smoke"])
    assert ratio_of(capsys, "critical_path_vs_networkx") == pytest.approx(result["ratio"], abs=1e-3)
    assert result["critical"] > 0
