"""Incremental sync as an ERP reads it (API.md, Conventions): with `?updated_since=` every
ERP-facing list pages by a cursor over `(updated_at, id)`; rows that change while the ERP
reads come again later and none is skipped. Without it, page numbers as before."""

from __future__ import annotations

import base64
import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from coordination.integration.models import ApiScope
from coordination.reviews.models import ActionItem, Review
from coordination.rotations.models import JobRotation
from kpi.models import Complaint, SatisfactionSurvey
from projects.changes.models import ChangeRequest
from projects.core.models import Customer, Milestone, Project, Risk
from projects.presales.models import FeasibilityAssessment
from tests import factories
from tests.changes.factories import ChangeRequestFactory
from tests.kpi.factories import ComplaintFactory, SurveyFactory
from tests.presales.factories import AssessmentFactory
from tests.reviews.factories import REVIEW_DATE, ActionItemFactory, CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db
SUPERSEDED = FeasibilityAssessment.Status.SUPERSEDED  # any number of them per project
User = get_user_model()
BASE = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
SINCE = "2026-03-01T00:00:00Z"


@pytest.fixture
def erp(make_api_client):
    _client, _key, api = make_api_client(
        scopes=[ApiScope.READ, ApiScope.WRITE_PROJECTS, ApiScope.WRITE_CUSTOMERS],
        throttle_rate="10000/min",
    )
    return api


# ---------------------------------------------------------------- the ERP-facing lists
@dataclass(frozen=True)
class Listing:
    """One list that accepts `updated_since`: how to fill it with `n` rows (→ its URL and
    the rows), and how a row is named in its answer."""

    name: str
    model: type
    fill: Callable[[int], tuple[str, list]]
    ident: str = "id"

    def key(self, obj) -> object:
        return getattr(obj, self.ident)


def _customers(n):
    return "/api/v1/customers/", [factories.CustomerFactory(name=f"客户{i}") for i in range(n)]


def _projects(n):
    return "/api/v1/projects/", factories.ProjectFactory.create_batch(n)


def _per_project(make, path):
    def fill(n):
        project = factories.ProjectFactory()
        return f"/api/v1/projects/{project.code}/{path}/", [make(project, i) for i in range(n)]

    return fill


def _reviews(n):
    cadence = CadenceFactory()
    days = [REVIEW_DATE + datetime.timedelta(days=i) for i in range(n)]
    return "/api/v1/reviews/", [ReviewFactory(cadence=cadence, date=day) for day in days]


def _action_items(n):
    review = ReviewFactory()
    return "/api/v1/action-items/", ActionItemFactory.create_batch(n, review=review)


def _job_rotations(n):
    project = factories.ProjectFactory()
    rows = [
        JobRotation.objects.create(
            user=project.business_pm,
            from_department="business",
            to_project=project,
            start_date=datetime.date(2026, 1, 5) + datetime.timedelta(days=i),
        )
        for i in range(n)
    ]
    return "/api/v1/job-rotations/", rows


def _change_requests(n):
    project = factories.ProjectFactory(stage="execution")
    return "/api/v1/change-requests/", ChangeRequestFactory.create_batch(n, project=project)


LISTS = [
    Listing("customers", Customer, _customers),
    Listing("projects", Project, _projects, ident="code"),
    Listing(
        "milestones",
        Milestone,
        _per_project(lambda p, i: factories.MilestoneFactory(project=p, sequence=i), "milestones"),
    ),
    Listing("risks", Risk, _per_project(lambda p, i: factories.RiskFactory(project=p), "risks")),
    Listing("change-requests", ChangeRequest, _change_requests),
    Listing(
        "project change-requests",
        ChangeRequest,
        _per_project(lambda p, i: ChangeRequestFactory(project=p), "change-requests"),
    ),
    Listing(
        "feasibility",
        FeasibilityAssessment,
        _per_project(
            lambda p, i: AssessmentFactory(project=p, version=i + 1, status=SUPERSEDED),
            "feasibility",
        ),
    ),
    Listing(
        "surveys",
        SatisfactionSurvey,
        _per_project(lambda p, i: SurveyFactory(project=p), "surveys"),
    ),
    Listing(
        "complaints",
        Complaint,
        _per_project(lambda p, i: ComplaintFactory(project=p), "complaints"),
    ),
    Listing("reviews", Review, _reviews),
    Listing("action-items", ActionItem, _action_items),
    Listing("job-rotations", JobRotation, _job_rotations),
]
by_name = pytest.mark.parametrize("listing", LISTS, ids=[listing.name for listing in LISTS])


def _stamp(obj, when):
    type(obj).objects.filter(pk=obj.pk).update(updated_at=when)


def _change(erp, listing: Listing, obj, n: int) -> None:
    """A write while the ERP reads: through the API for customers and projects (their
    services stamp `updated_at`), directly for the others."""
    if listing.name == "customers":
        response = erp.patch(f"/api/v1/customers/{obj.pk}/", {"contact_name": f"改{n}"})
        assert response.status_code == 200, response.content
    elif listing.name == "projects":
        response = erp.patch(f"/api/v1/projects/{obj.code}/", {"name": f"改名{n}"})
        assert response.status_code == 200, response.content
    else:
        _stamp(obj, timezone.now())


def _pages(api, url, params, between: Callable[[int], None] = lambda page: None):
    """Follow `next` from the first page, calling `between(number)` after each page; the
    bodies read, in order. Bounded: a read that never ends fails instead of hanging."""
    bodies, response = [], api.get(url, params)
    for number in range(1, 100):
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        if body["next"] is None:
            return bodies
        between(number)
        response = api.get(body["next"])
    raise AssertionError("the read did not end")


def _delivered(listing, bodies) -> list[tuple[object, datetime.datetime]]:
    return [
        (row[listing.ident], parse_datetime(row["updated_at"]))
        for body in bodies
        for row in body["results"]
    ]


# ---------------------------------------------------------------- nothing is missed
@by_name
def test_rows_changed_between_pages_are_never_missed(erp, listing):
    """15 rows, 5 a page. After page 1 all five of its rows change (the measured failure:
    with page numbers, five unseen rows slid onto page 1 and were never delivered); after
    page 2 one of its rows and one of page 3's change; a row of page 3 changed early too."""
    url, rows = listing.fill(15)
    # oldest change first is the reverse of creation, so the order is not the ids'
    for i, obj in enumerate(rows):
        _stamp(obj, BASE + datetime.timedelta(minutes=15 - i))
    order = rows[::-1]  # as the read meets them
    changed_after_read = set()

    def between(page):
        if page == 1:
            for n, obj in enumerate(order[:5]):
                _change(erp, listing, obj, n)
                changed_after_read.add(listing.key(obj))
            _change(erp, listing, order[12], 12)  # not read yet: seen once, later
        elif page == 2:
            _change(erp, listing, order[6], 6)  # read on page 2
            changed_after_read.add(listing.key(order[6]))
            _change(erp, listing, order[10], 10)  # the first row of page 3, not read yet

    bodies = _pages(erp, url, {"updated_since": SINCE, "page_size": 5}, between)

    delivered = _delivered(listing, bodies)
    times = Counter(key for key, _when in delivered)
    assert set(times) == {listing.key(obj) for obj in rows}  # every row, none missed
    assert {key for key, n in times.items() if n == 2} == changed_after_read  # came again
    assert all(n == 1 for key, n in times.items() if key not in changed_after_read)
    assert all("count" not in body for body in bodies)
    # one walk forward through (updated_at, id): the cursor never goes back
    model = listing.model
    positions = [(when, model.objects.get(**{listing.ident: key}).pk) for key, when in delivered]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    last_seen = dict(delivered)
    for key in changed_after_read:  # the last delivery carries the change
        assert last_seen[key] == model.objects.get(**{listing.ident: key}).updated_at


@pytest.mark.parametrize("name", ["customers", "projects"])
def test_ties_on_updated_at_are_broken_by_id(erp, name):
    """Seven rows with the very same `updated_at` (a bulk write stamps them alike), two a
    page: each comes once, in id order; a tied row changed before it is read moves to the
    end, a tied row changed after it was read comes again."""
    listing = next(listing for listing in LISTS if listing.name == name)
    url, rows = listing.fill(7)
    for obj in rows:
        _stamp(obj, BASE)
    by_id = sorted(rows, key=lambda obj: obj.pk)

    def between(page):
        if page == 2:  # read so far: ids 0-3; the cursor sits inside the tie
            _change(erp, listing, by_id[1], 1)  # read: comes again
            _change(erp, listing, by_id[5], 5)  # not read: comes once, after the others

    bodies = _pages(erp, url, {"updated_since": SINCE, "page_size": 2}, between)

    seen = [key for key, _when in _delivered(listing, bodies)]
    keys = [listing.key(obj) for obj in by_id]
    assert seen[:4] == keys[:4]
    assert seen[4:] == [keys[4], keys[6], keys[1], keys[5]]
    assert len(bodies) == 4


@pytest.mark.parametrize("name", ["customers", "projects"])
def test_previous_walks_back_over_the_same_pages(erp, name):
    listing = next(listing for listing in LISTS if listing.name == name)
    url, rows = listing.fill(7)
    for i, obj in enumerate(rows):
        _stamp(obj, BASE + datetime.timedelta(seconds=i % 3))  # ties too
    forward = _pages(erp, url, {"updated_since": SINCE, "page_size": 3})
    assert forward[0]["previous"] is None and forward[-1]["next"] is None

    backward, link = [forward[-1]], forward[-1]["previous"]
    while link:
        backward.append(erp.get(link).json())
        link = backward[-1]["previous"]
        assert len(backward) <= len(forward)
    assert [b["results"] for b in backward[::-1]] == [f["results"] for f in forward]


def test_a_sync_that_sees_nothing_new_is_one_empty_page(erp):
    factories.CustomerFactory()
    body = erp.get("/api/v1/customers/", {"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert body == {"next": None, "previous": None, "results": []}


def test_next_keeps_the_filters_and_carries_the_cursor(erp):
    project = factories.ProjectFactory()
    for i in range(4):
        factories.RiskFactory(project=project, status="open" if i % 2 else "closed")
    url = f"/api/v1/projects/{project.code}/risks/"
    first = erp.get(url, {"updated_since": SINCE, "status": "open", "page_size": 1}).json()
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["status"] == ["open"] and query["updated_since"] == [SINCE]
    assert query["page_size"] == ["1"] and len(query["cursor"]) == 1 and "page" not in query
    second = erp.get(first["next"]).json()
    assert [r["status"] for r in first["results"] + second["results"]] == ["open", "open"]
    assert second["next"] is None


# ---------------------------------------------------------------- refusals
def _cursor(text: str) -> str:
    """A cursor as the server writes one (opaque to clients; tests craft bad ones)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


GOOD_CURSOR = _cursor("a|2026-03-01T08:00:00+00:00|1")
BAD_CURSORS = [
    "",
    "garbage!",
    _cursor("not a cursor"),
    _cursor("x|2026-03-01T08:00:00+00:00|1"),  # no such direction
    GOOD_CURSOR[:-3],  # cut short
    GOOD_CURSOR + "A" * 300,  # too long
    _cursor("a|2026-03-01T08:00:00|1"),  # no offset
    _cursor("a|2026-03-01T16:00:00+08:00|1"),  # the server writes UTC
    _cursor("a|2026-03-01T08:00:00+20:00|1"),  # beyond what PostgreSQL accepts
    _cursor("a|2026-03-01T08:00:00+00:00|-1"),
    _cursor("a|2026-03-01T08:00:00+00:00|99999999999999999999"),  # beyond bigint
    _cursor("a|2026-03-01T08:00:00+00:00|1|2"),
    _cursor("a|2026-03-01T08:00:00+00:00|١"),  # a digit, not an ASCII one
    "\x00",
]


@by_name
def test_refusals_name_the_parameter(erp, listing):
    url, _rows = listing.fill(1)
    refusals = {
        "updated_since": [
            {"updated_since": ""},  # would read as "no filter": the whole list
            {"updated_since": "2026-03-01T08:00:00"},  # no offset
            {"updated_since": "2026-03-01"},  # a date is no moment
            {"updated_since": "2026-03-01T08:00:00 08:00"},  # an unencoded "+"
            {"updated_since": "yesterday"},
            {"updated_since": "0001-01-01T00:00:00+01:00"},  # before year 1 in UTC
        ],
        "cursor": [{"updated_since": SINCE, "cursor": c} for c in BAD_CURSORS]
        + [{"cursor": GOOD_CURSOR}],  # a cursor without updated_since
        "page": [{"updated_since": SINCE, "page": "2"}],
        "ordering": [{"updated_since": SINCE, "ordering": "-updated_at"}],
    }
    for name, queries in refusals.items():
        for query in queries:
            response = erp.get(url, query)
            assert response.status_code == 400, (query, response.content)
            assert name in response.json(), (query, response.json())
    ok = [{"updated_since": SINCE, "ordering": o} for o in ("updated_at", "updated_at,id")]
    ok += [
        {"updated_since": "2026-03-01T16:00:00+08:00"},
        {"updated_since": SINCE, "cursor": GOOD_CURSOR},
    ]
    for query in ok:
        assert erp.get(url, query).status_code == 200, query


@by_name
def test_without_updated_since_lists_keep_page_numbers(erp, listing):
    url, rows = listing.fill(3)
    body = erp.get(url, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert parse_qs(urlsplit(body["next"]).query)["page"] == ["2"]
    assert erp.get(body["next"]).json()["previous"] is not None


# ---------------------------------------------------------------- cost
def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user, recently_used=True)}")
    return client


@pytest.mark.parametrize("who", ["pmo", "member"])
@pytest.mark.parametrize("size", [3, 30])
def test_a_sync_page_of_projects_is_one_statement(who, size, django_assert_num_queries):
    user = factories.pmo_user() if who == "pmo" else factories.engineering_user()
    for project in factories.ProjectFactory.create_batch(size):
        factories.MembershipFactory(project=project, user=user)
    client = _token_client(user)
    # token + user + profile + groups (1); the page (1): no count
    with django_assert_num_queries(2):
        body = client.get("/api/v1/projects/", {"updated_since": SINCE, "page_size": 10}).json()
    assert len(body["results"]) == min(size, 10)
    if body["next"]:
        with django_assert_num_queries(2):
            assert client.get(body["next"]).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_a_sync_page_of_customers_is_one_statement(size, django_assert_num_queries):
    factories.CustomerFactory.create_batch(size)
    client = _token_client(factories.engineering_user())
    with django_assert_num_queries(2):  # the token's user (1), the page (1)
        body = client.get("/api/v1/customers/", {"updated_since": SINCE, "page_size": 10}).json()
    assert len(body["results"]) == min(size, 10)
