"""Every bench script runs at a tiny scale (--smoke) and prints its RATIO line."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

RATIO = re.compile(
    r"^RATIO (\w+)=([0-9.]+) target=(\S+) ok=(yes|no)"
    r"(?: spread=[0-9.]+\.\.[0-9.]+)?(?: rounds=\d+)?$",
    re.M,
)


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
    out = capsys.readouterr().out
    found = {m.group(1): float(m.group(2)) for m in RATIO.finditer(out)}
    # PMO and the busiest PM, each against a bare view doing the same work
    assert set(found) >= {"project_list_vs_bare_pmo", "project_list_vs_bare_pm"}, out
    assert min(found.values()) == pytest.approx(result["ratio"], abs=1e-3)
    assert 0 < result["results"]["pm"]["total"] <= result["results"]["pmo"]["total"]


def test_pages(seeded, capsys):
    from bench import pages

    result = pages.run(["--smoke"])
    ratio_of(capsys, "pages_time_growth")
    # every main page answered at both sizes, every round
    names = {"home", "portfolio", "project_list", "project_detail", "gantt", "kpi_scorecards"}
    assert names | {"kpi_trends", "search"} == set(result["rounds"])
    assert all(len(sizes["base"]) == len(sizes["full"]) == 2 for sizes in result["rounds"].values())


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
    assert len(result["ratios"]) == 1
    assert all(t[2] == 10 for t in result["timings"].values())
    assert not Project.objects.filter(erp_id__startswith="BENCH-").exists()


def test_critical_path(capsys):
    from bench import critical_path

    result = critical_path.run(["--smoke"])
    assert ratio_of(capsys, "critical_path_vs_networkx") == pytest.approx(result["ratio"], abs=1e-3)
    assert result["critical"] > 0


def test_make_bench_ends_with_one_table():
    from bench import run_all

    table = run_all.table(
        [
            "RATIO project_list_vs_bare_pm=0.612 target=>=0.60 ok=yes spread=0.580..0.650 rounds=7",
            "RATIO erp_upsert_vs_raw=0.280 target=>=0.30 ok=no spread=0.21..0.31 rounds=5",
        ]
    ).splitlines()
    assert table[0].split() == ["metric", "target", "figure", "spread", "rounds", "holds"]
    assert table[2].split() == [
        "project_list_vs_bare_pm",
        ">=0.60",
        "0.612",
        "0.580–0.650",
        "7",
        "yes",
    ]
    assert table[3].split()[-1] == "no"
