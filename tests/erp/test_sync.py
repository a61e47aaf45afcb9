"""What an ERP sync relies on: idempotent upserts, 400 naming the field, bounded bulk queries,
and `updated_since` paging that misses nothing."""

import datetime
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from coordination.core.models import AuditEvent
from coordination.integration.models import ApiScope
from projects.core.models import Customer, Milestone, Project, Risk
from tests import factories
from tests.erp.conftest import PROJECT_BODY

pytestmark = pytest.mark.django_db
BULK = "/api/v1/erp/projects/bulk/"


@pytest.fixture
def erp(make_api_client, erp_refs):
    _client, _key, api = make_api_client(
        scopes=[ApiScope.READ, ApiScope.WRITE_PROJECTS, ApiScope.WRITE_CUSTOMERS],
        throttle_rate="10000/min",
    )
    return api


def test_identical_repeat_changes_nothing(erp):
    first = erp.put("/api/v1/erp/projects/P-1/", PROJECT_BODY, format="json")
    events = AuditEvent.objects.count()
    again = erp.put("/api/v1/erp/projects/P-1/", PROJECT_BODY, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["updated_at"] == first.json()["updated_at"]
    assert AuditEvent.objects.count() == events

    customer = {"name": "南京地铁集团"}
    assert erp.put("/api/v1/erp/customers/C-9/", customer, format="json").status_code == 201
    stamp = Customer.objects.get(erp_id="C-9").updated_at
    events = AuditEvent.objects.count()
    assert erp.put("/api/v1/erp/customers/C-9/", customer, format="json").status_code == 200
    assert Customer.objects.get(erp_id="C-9").updated_at == stamp
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "field, value",
    [("business_pm", "nobody"), ("engineering_pm", "ghost"), ("customer_erp_id", "NO-SUCH")],
)
def test_unknown_references_are_400_naming_the_field(erp, field, value):
    response = erp.put("/api/v1/erp/projects/P-1/", {**PROJECT_BODY, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Project.objects.exists()


def _rows(n: int, offset: int = 0) -> list[dict]:
    return [{**PROJECT_BODY, "erp_id": f"B-{offset + i}"} for i in range(n)]


def _queries(erp, rows, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = erp.post(BULK, rows, format="json")
    assert response.status_code == 200
    return len(captured)


PER_CREATED_ROW = 13  # savepoint, lock, number sequence, FK checks, insert, audit (no lookups)
PER_UNCHANGED_ROW = 3  # savepoint, locked read, release
FIXED = 15  # authentication, throttle bookkeeping, the batch's customer and user lookups


@pytest.mark.parametrize("n", [5, 40])
def test_bulk_queries_are_bounded_per_row_at_two_sizes(erp, n, django_assert_max_num_queries):
    created = _queries(erp, _rows(n), django_assert_max_num_queries, FIXED + PER_CREATED_ROW * n)
    unchanged = _queries(
        erp, _rows(n), django_assert_max_num_queries, FIXED + PER_UNCHANGED_ROW * n
    )
    assert Project.objects.count() == n
    assert unchanged < created


def test_bulk_lookups_do_not_grow_with_the_batch(erp, django_assert_max_num_queries):
    small = _queries(erp, _rows(5), django_assert_max_num_queries, 1000)
    large = _queries(erp, _rows(40, offset=100), django_assert_max_num_queries, 1000)
    per_row = (large - small) / 35
    assert per_row <= PER_CREATED_ROW  # the same cost for every row: no per-row lookups


# ---------------------------------------------------------------- updated_since
def _page_through(api, url: str, since: str) -> list:
    seen, page = [], f"{url}?{urlencode({'updated_since': since, 'page_size': 2})}"
    while page:
        body = api.get(page).json()
        seen += [row.get("id") or row.get("code") for row in body["results"]]
        page = body["next"]
    return seen


def _same_stamp(model, stamp):
    model.objects.update(updated_at=stamp)


def test_updated_since_pages_in_a_stable_order_on_every_erp_list(erp):
    project = factories.ProjectFactory()
    for i in range(5):
        factories.CustomerFactory(name=f"客户{i}")
        factories.MilestoneFactory(project=project, sequence=i)
        factories.RiskFactory(project=project)
    old = timezone.now() - datetime.timedelta(days=2)
    stamp = timezone.now() - datetime.timedelta(hours=1)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    lists = {
        "/api/v1/customers/": Customer,
        f"/api/v1/projects/{project.code}/milestones/": Milestone,
        f"/api/v1/projects/{project.code}/risks/": Risk,
    }
    for url, model in lists.items():
        _same_stamp(model, stamp)  # ties everywhere: only the id keeps the order stable
        model.objects.filter(pk=model.objects.order_by("id").first().pk).update(updated_at=old)
        seen = _page_through(erp, url, since)
        expected = list(model.objects.filter(updated_at__gte=since).order_by("id"))
        assert seen == [o.pk for o in expected], url

    factories.ProjectFactory.create_batch(3)
    Project.objects.update(updated_at=stamp)
    seen = _page_through(erp, "/api/v1/projects/", since)
    assert seen == list(Project.objects.order_by("updated_at", "id").values_list("code", flat=True))


def test_updated_since_orders_oldest_change_first(erp):
    a, b, c = factories.CustomerFactory.create_batch(3)
    now = timezone.now()
    for customer, hours in ((a, 1), (b, 3), (c, 2)):
        Customer.objects.filter(pk=customer.pk).update(
            updated_at=now - datetime.timedelta(hours=hours)
        )
    since = (now - datetime.timedelta(days=1)).isoformat()
    response = erp.get("/api/v1/customers/", {"updated_since": since})
    # (the fixture's customer, changed just now, comes last)
    assert [r["id"] for r in response.json()["results"]][:3] == [b.pk, c.pk, a.pk]
    newer = erp.get(
        "/api/v1/customers/",
        {"updated_since": (now - datetime.timedelta(minutes=150)).isoformat()},
    )
    assert [r["id"] for r in newer.json()["results"]][:2] == [c.pk, a.pk]
    assert b.pk not in [r["id"] for r in newer.json()["results"]]


def test_updated_since_on_change_requests(erp):
    from projects.changes.models import ChangeRequest
    from tests.changes.factories import cast, draft

    c = cast()
    crs = [draft(c, title=f"变更{i}") for i in range(3)]
    ChangeRequest.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    seen = _page_through(erp, f"/api/v1/projects/{c.project.code}/change-requests/", since)
    assert seen == [cr.pk for cr in crs]  # oldest change first, ties by id
    ChangeRequest.objects.filter(pk=crs[0].pk).update(updated_at=timezone.now())
    seen = _page_through(erp, f"/api/v1/projects/{c.project.code}/change-requests/", since)
    assert seen == [crs[1].pk, crs[2].pk, crs[0].pk]


def test_a_bad_updated_since_is_400(erp):
    assert erp.get("/api/v1/customers/", {"updated_since": "yesterday"}).status_code == 400
    assert erp.get("/api/v1/projects/", {"updated_since": "2026-13-01"}).status_code == 400
