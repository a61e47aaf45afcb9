"""The bulk gap selector and the badge tag use a constant number of queries."""

import pytest
from django.template import Context, Template

from projects.core.models import Project
from projects.presales.promise_gaps import attach_promise_gaps, promise_gaps_bulk
from tests import factories
from tests.presales.factories import AssessmentFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def make(n):
    for i in range(n):
        a = AssessmentFactory()
        QuoteFactory(project=a.project, assessment=a, quoted_price=800000 if i % 2 else 1000000)
        factories.ProjectFactory()  # nothing yet: two "missing" gaps


@pytest.mark.parametrize("n", [2, 12])
def test_bulk_selector_is_two_queries_whatever_the_size(n, django_assert_num_queries):
    make(n)
    projects = list(Project.objects.all())
    with django_assert_num_queries(2):
        result = promise_gaps_bulk(projects)
    assert len(result) == 2 * n
    assert sum(1 for gaps in result.values() if not gaps) == n - n // 2


@pytest.mark.parametrize("n", [2, 12])
def test_badges_for_a_list_add_no_query_per_row(n, django_assert_num_queries):
    make(n)
    template = Template(
        "{% load presales_tags %}{% for p in projects %}{% promise_gap_badge p %}{% endfor %}"
    )
    with django_assert_num_queries(3):
        projects = attach_promise_gaps(Project.objects.all())
        html = template.render(Context({"projects": projects}))
    assert html.count("data-promise-gaps") == n + n // 2
