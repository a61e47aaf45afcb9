"""The portfolio: visible projects by stage (board and table) with health and reasons, filters
by department (primary owner), PM, customer, key project and health; constant queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.dashboard import selectors
from projects.core.models import Stage
from tests import factories
from tests.dashboard import factories as f

pytestmark = pytest.mark.django_db
URL = "/portfolio/"


def get(client, user, params=None, **headers):
    client.force_login(user)
    response = client.get(URL, params or {}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_url_and_nav_entry(client):
    assert reverse("dashboard:portfolio") == URL
    html = get(client, factories.business_user())
    assert f'href="{URL}"' in html and 'aria-current="page"' in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_board_has_a_column_per_stage_with_the_projects_and_reasons(client):
    pmo = factories.pmo_user()
    f.healthy_project(name="顺利项目", stage=Stage.KICKOFF)
    f.troubled_project(name="麻烦项目", stage=Stage.EXECUTION)
    factories.ProjectFactory(name="已关闭项目", stage=Stage.CLOSED)
    html = get(client, pmo)
    for stage in ["opportunity", "contracted", "handover", "kickoff", "execution", "delivered"]:
        assert f'data-stage="{stage}"' in html
    board = html[html.index('id="portfolio-board"') : html.index('id="pane-table"')]
    kickoff = board[board.index('data-stage="kickoff"') : board.index('data-stage="execution"')]
    assert "顺利项目" in kickoff and "麻烦项目" not in kickoff
    assert "里程碑“设备安装”已逾期" in board
    assert "已关闭项目" not in html
    assert "已关闭项目" in get(client, pmo, {"closed": "on"})


def test_table_lists_red_first_with_reasons(client):
    pmo = factories.pmo_user()
    f.healthy_project(name="顺利项目")
    f.troubled_project(name="麻烦项目")
    html = get(client, pmo, {"view": "table"})
    table = html[html.index('id="portfolio-table"') :]
    assert table.index("麻烦项目") < table.index("顺利项目")
    assert "1 个投诉未关闭" in table
    assert 'id="pane-table" role="tabpanel"' in html and "show active" in html


def test_only_visible_projects(client):
    me = factories.business_user()
    f.healthy_project(business_pm=me, name="我的项目")
    f.healthy_project(name="别人的项目")
    html = get(client, me)
    assert "我的项目" in html and "别人的项目" not in html
    assert "别人的项目" in get(client, factories.executive_user())


def test_filters(client):
    pmo = factories.pmo_user()
    pm = factories.engineering_user(first_name="工程王")
    customer = factories.CustomerFactory(name="华东电力")
    a = f.healthy_project(name="甲项目", primary_owner="engineering", engineering_pm=pm)
    b = f.healthy_project(name="乙项目", customer=customer, is_key_project=True)
    c = f.troubled_project(name="丙项目")

    def names(params):
        html = get(client, pmo, {"view": "table", **params})
        table = html[html.index('id="pane-table"') :]
        return {p.name for p in (a, b, c) if p.name in table}

    assert names({}) == {"甲项目", "乙项目", "丙项目"}
    assert names({"department": "engineering"}) == {"甲项目"}
    assert names({"pm": pm.pk}) == {"甲项目"}
    assert names({"customer": customer.pk}) == {"乙项目"}
    assert names({"key": "on"}) == {"乙项目"}
    assert names({"level": "red"}) == {"丙项目"}
    assert names({"level": "green", "department": "business"}) == {"乙项目"}


def test_long_customer_and_pm_lists_become_typed_searches(client, monkeypatch):
    import coordination.core.forms

    monkeypatch.setattr(coordination.core.forms, "CHOICE_LIMIT", 1)
    pmo = factories.pmo_user()
    pm = factories.engineering_user(first_name="工程王")
    a = f.healthy_project(name="甲项目", engineering_pm=pm)
    b = f.healthy_project(name="乙项目", customer=factories.CustomerFactory(name="华东电力"))
    html = get(client, pmo)
    assert 'type="search" name="customer"' in html and 'type="search" name="pm"' in html

    def names(params):
        html = get(client, pmo, {"view": "table", **params})
        table = html[html.index('id="pane-table"') :]
        return {p.name for p in (a, b) if p.name in table}

    assert names({"pm": "工程王"}) == {"甲项目"}
    assert names({"pm": pm.username}) == {"甲项目"}
    assert names({"customer": "华东"}) == {"乙项目"}
    assert names({"customer": "nobody"}) == set()
    assert names({"customer": ""}) == {"甲项目", "乙项目"}


def test_filter_choices_only_name_visible_customers_and_pms(client):
    me = factories.business_user()
    f.healthy_project(business_pm=me, customer=factories.CustomerFactory(name="可见客户"))
    f.healthy_project(customer=factories.CustomerFactory(name="保密客户"))
    html = get(client, me)
    assert "可见客户" in html and "保密客户" not in html
    assert '<label class="form-label small mb-1" for="filter-customer">' in html


def test_htmx_filter_returns_only_the_results(client):
    pmo = factories.pmo_user()
    f.healthy_project(name="甲项目")
    html = get(
        client, pmo, {"key": "on"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="portfolio-results"
    )
    assert html.lstrip().startswith('<div id="portfolio-results"')
    assert "<html" not in html and "甲项目" not in html


def test_invalid_filters_are_ignored(client):
    pmo = factories.pmo_user()
    f.healthy_project(name="甲项目")
    assert "甲项目" in get(client, pmo, {"pm": "abc", "customer": "999999"})


@pytest.mark.parametrize("n", [1, 7])
def test_query_count_does_not_grow(client, django_assert_num_queries, n):
    pmo = factories.pmo_user()
    f.portfolio(n)
    client.force_login(pmo)
    client.get(URL)
    with django_assert_num_queries(EXPECTED_PORTFOLIO_QUERIES):
        html = client.get(URL, {"view": "table"}).content.decode()
    assert html.count('<tr data-project="') == n


EXPECTED_PORTFOLIO_QUERIES = 19  # 14, three for the critical tasks in health, the stages'
# counts, the ids of the board's columns and the table's page


def test_project_page_header_shows_health_with_reasons(client):
    project = f.troubled_project(name="麻烦项目")
    client.force_login(project.business_pm)
    html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    header = html[html.index('id="project-health"') :]
    assert 'data-health="red"' in header[:800]
    assert "里程碑“设备安装”已逾期" in header


def test_the_board_is_paged_and_the_pager_keeps_the_filters(client, monkeypatch):
    from coordination.dashboard import selectors

    monkeypatch.setattr(selectors, "PORTFOLIO_PAGE", 4)
    pmo = factories.pmo_user()
    f.portfolio(10)
    first = get(client, pmo, {"view": "table"})
    assert first.count('<tr data-project="') == 4
    assert "共 10 个项目" in first and "表格第 1–4 个" in first and "第 1 / 3 页" in first
    pager = first[first.index('id="portfolio-pager"') :]
    assert 'rel="next"' in pager and 'rel="prev"' not in pager
    last = get(client, pmo, {"view": "table", "page": "3", "key": ""})
    assert last.count('<tr data-project="') == 2 and "表格第 9–10 个" in last
    pager = last[last.index('id="portfolio-pager"') :]
    assert 'rel="prev"' in pager and 'rel="next"' not in pager
    # every project once over the pages, none twice
    seen = []
    for page in ("1", "2", "3"):
        html = get(client, pmo, {"view": "table", "page": page})
        seen += [chunk.split('"', 1)[0] for chunk in html.split('<tr data-project="')[1:]]
    assert len(seen) == len(set(seen)) == 10
    # a page past the end shows the last; nonsense shows the first
    assert "第 3 / 3 页" in get(client, pmo, {"page": "99"})
    assert "第 1 / 3 页" in get(client, pmo, {"page": "abc"})


def test_the_pager_keeps_the_filters_but_not_the_page(client, monkeypatch):
    from coordination.dashboard import selectors

    monkeypatch.setattr(selectors, "PORTFOLIO_PAGE", 1)
    pmo = factories.pmo_user()
    f.portfolio(3)
    html = get(client, pmo, {"department": "business", "page": "1", "view": "table"})
    pager = html[html.index('id="portfolio-pager"') :]
    assert "department=business" in pager and "page=1&amp;page" not in pager


def test_the_page_is_compressed_when_the_browser_accepts_it(client):
    pmo = factories.pmo_user()
    f.portfolio(3)
    client.force_login(pmo)
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    import gzip

    assert "项目组合" in gzip.decompress(response.content).decode()


# ---------------------------------------------------------------- the board at scale
def column(html: str, stage: str) -> str:
    board = html[html.index('id="portfolio-board"') : html.index('id="pane-table"')]
    start = board.index(f'data-stage="{stage}"')
    end = board.find("<section", start)
    return board[start : end if end > 0 else None]


def codes(html: str) -> list[str]:
    return re.findall(r'class="card board-card [^"]*" data-project="([^"]+)"', html)


def test_a_tall_column_shows_its_first_cards_its_total_and_more(client):
    from coordination.dashboard.selectors import BOARD_COLUMN_PAGE

    pmo = factories.pmo_user()
    f.one_stage(600)
    f.troubled_project(name="麻烦的启动项目", stage=Stage.KICKOFF)
    client.force_login(pmo)
    response = client.get(URL)
    html = response.content.decode()
    assert len(response.content) < 200_000, len(response.content)
    execution = column(html, "execution")
    assert 'data-column-total="600"' in execution
    first = codes(execution)
    assert len(first) == BOARD_COLUMN_PAGE
    assert first == sorted(first)  # the portfolio's order: by code (none is a key project)
    assert f"更多（还有 {600 - BOARD_COLUMN_PAGE} 个）" in execution and "cpage=2" in execution
    assert 'data-column-total="1"' in column(html, "kickoff")
    assert "麻烦的启动项目" in column(html, "kickoff")
    assert "共 601 个项目" in html
    # htmx asks for the column's next cards alone
    more = client.get(
        URL,
        {"column": "execution", "cpage": "2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="more-execution",
    ).content.decode()
    assert "<html" not in more and 'id="portfolio-board"' not in more
    second = codes(more)
    assert len(second) == BOARD_COLUMN_PAGE and not set(second) & set(first)
    assert second[0] > first[-1] and "data-board-focus" in more
    assert f"更多（还有 {600 - 2 * BOARD_COLUMN_PAGE} 个）" in more and "cpage=3" in more
    assert 'rel="prev"' not in more
    # without htmx the link opens that page of the column; the last has no "more"
    pages = -(-600 // BOARD_COLUMN_PAGE)
    last = get(client, pmo, {"column": "execution", "cpage": str(pages)})
    assert len(codes(column(last, "execution"))) == 600 - (pages - 1) * BOARD_COLUMN_PAGE
    assert f"cpage={pages + 1}" not in last and 'rel="prev"' in column(last, "execution")
    assert "麻烦的启动项目" in column(last, "kickoff")


def test_the_columns_more_keeps_the_filters(client):
    pmo = factories.pmo_user()
    f.one_stage(15, primary_owner="engineering")
    f.one_stage(15, primary_owner="business")
    html = get(client, pmo, {"department": "engineering"})
    execution = column(html, "execution")
    assert 'data-column-total="15"' in execution and "department=engineering" in execution
    more = get(
        client,
        pmo,
        {"department": "engineering", "column": "execution", "cpage": "2"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="more-execution",
    )
    assert len(codes(more)) == min(15 - selectors.BOARD_COLUMN_PAGE, selectors.BOARD_COLUMN_PAGE)
    # a health filter counts its matches among the projects it examines
    red = get(client, pmo, {"level": "red"})
    assert 'data-column-total="0"' in column(red, "execution")


def test_the_board_is_compressed_at_600_projects(client):
    import gzip

    f.one_stage(600)
    client.force_login(factories.pmo_user())
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert len(body) < 200_000 and len(response.content) < len(body) / 4
    assert 'data-column-total="600"' in body.decode()


def test_the_worst_page_stays_under_200_kb(client):
    """Every column of the board full (closed and cancelled shown too) of projects with long
    names and every reason to be red, and a full page of the table."""
    customer = factories.CustomerFactory(name="华东电力设计院有限公司第二工程分公司" * 2)
    name = "某某市第三污水处理厂提标改造及配套管网工程项目" * 2
    for stage in selectors.board_stages(include_closed=True):
        for _ in range(selectors.BOARD_COLUMN_PAGE + 1):
            f.troubled_project(stage=stage, customer=customer, name=name)
    client.force_login(factories.pmo_user())
    response = client.get(URL, {"closed": "on"})
    html = response.content.decode()
    assert len(codes(html)) == 9 * selectors.BOARD_COLUMN_PAGE
    assert html.count('<tr data-project="') == selectors.PORTFOLIO_PAGE
    assert len(response.content) < 200_000, len(response.content)


@pytest.mark.parametrize("n", [50, 600])
def test_the_boards_queries_do_not_grow_with_a_column(client, django_assert_num_queries, n):
    f.one_stage(n)
    f.troubled_project(stage=Stage.KICKOFF)
    client.force_login(factories.pmo_user())
    client.get(URL)
    with django_assert_num_queries(EXPECTED_PORTFOLIO_QUERIES):
        html = client.get(URL).content.decode()
    assert f'data-column-total="{n}"' in html


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_column_is_read_by_an_index_in_the_board_order():
    """The statement that reads the board's pages (one UNION ALL: each stage's cards, the
    table's page): every branch an index scan to its LIMIT, no sort of a stage's rows; and
    project_board_order (stage, key projects first, code) has the query's shape: left alone
    with it, the planner walks it for every stage."""
    f.one_stage(600)
    f.one_stage(600, stage=Stage.KICKOFF)
    f.one_stage(600, stage=Stage.DELIVERED)
    pmo = factories.pmo_user()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project")
    with CaptureQueriesContext(connection) as queries:
        selectors.portfolio_view(pmo, columns={"execution": 3})
    [sql] = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    plan = _explain(sql)
    assert "Seq Scan" not in plan and "Sort" not in plan, plan
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute("DROP INDEX project_portfolio_order")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'projects_project'"
            " AND indexdef LIKE '%(stage)'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = _explain(sql)
    assert plan.count("Index Scan using project_board_order") == 3, plan
    stage_branches = plan.split("Subquery Scan")[1:4]
    assert all("Sort" not in branch for branch in stage_branches), plan
