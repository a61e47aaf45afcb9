"""The KPI charts as drawn by the vendored Chart.js: the target legend is text, an open period
is a hollow point, a period without cases is a gap, the compare chart is one dataset of
relative changes. No script error on either page."""

from __future__ import annotations

import pytest

from tests import factories
from tests.kpi.test_compare import history  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chart(page, canvas_id: str) -> dict:
    return page.evaluate(
        """(id) => {
            const chart = window.Chart.getChart(document.getElementById(id));
            return {
                labels: chart.data.labels,
                datasets: chart.data.datasets.map((d) => ({
                    label: d.label, data: d.data, fill: d.pointBackgroundColor,
                })),
                legend: chart.legend.legendItems.map((item) => item.text),
            };
        }""",
        canvas_id,
    )


@pytest.mark.usefixtures("history")
def test_trend_and_compare_charts(live_server, page, login, shot):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, factories.pmo_user())

    page.goto(f"{live_server.url}/kpi/?granularity=month&from=2026-10&to=2026-12")
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart('chart-delivery_cycle_time')"
    )
    cycle = _chart(page, "chart-delivery_cycle_time")
    assert cycle["legend"][1].startswith("目标 ") and cycle["legend"][1].endswith("天")
    assert all(ord(ch) < 0x2000 or "\u4e00" <= ch <= "\u9fff" for t in cycle["legend"] for ch in t)
    assert cycle["datasets"][0]["data"][-1] is None  # no case in December: a gap, not 0
    assert cycle["datasets"][0]["fill"][-1] == "#ffffff"  # the open month: a hollow point
    assert cycle["labels"][-1].endswith("(截至目前)")
    shot(page, "trends")

    page.goto(f"{live_server.url}/kpi/compare/?split=2026-01-01&months=6")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('compare-chart')")
    compare = _chart(page, "compare-chart")
    assert len(compare["datasets"]) == 1
    assert compare["datasets"][0]["data"] == [-24, 100, -75, -60]
    assert compare["legend"] == ["之后相对之前的变化(%)"]
    shot(page, "compare")
    assert errors == []
