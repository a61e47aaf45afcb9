"""The portfolio: visible projects by stage (board and table) with health and reasons, filters
by department (primary owner), PM, customer, key project and health; constant queries."""

import pytest
from django.urls import reverse

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


EXPECTED_PORTFOLIO_QUERIES = 18  # 14, three for the critical tasks in health, the count


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
    assert "共 10 个项目" in first and "本页第 1–4 个" in first and "第 1 / 3 页" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = get(client, pmo, {"view": "table", "page": "3", "key": ""})
    assert last.count('<tr data-project="') == 2 and "本页第 9–10 个" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
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
