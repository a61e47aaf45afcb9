"""The demo seeder of the review loop is idempotent and consistent with project stages."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.reviews import seed_reviews
from coordination.reviews.models import ActionItem, Review, ReviewCadence
from tests.factories import ProjectFactory, business_user, pmo_user

pytestmark = pytest.mark.django_db


def test_seed_reviews_twice_gives_the_same_data():
    today = datetime.date(2026, 11, 25)
    active = ProjectFactory(stage="execution")
    ProjectFactory(stage="opportunity")
    ctx = DemoContext(
        today=today,
        users={"biz_pm": business_user(), "pmo": pmo_user()},
        projects=[active, ProjectFactory(stage="opportunity")],
        log=lambda msg: None,
    )
    seed_reviews(ctx)
    counts = (
        ReviewCadence.objects.count(),
        Review.objects.count(),
        ActionItem.objects.count(),
    )
    seed_reviews(ctx)
    assert counts == (
        ReviewCadence.objects.count(),
        Review.objects.count(),
        ActionItem.objects.count(),
    )
    assert set(ReviewCadence.objects.values_list("project", flat=True)) == {active.pk}
    assert ActionItem.objects.filter(status="open", due_date__lt=today).exists()  # overdue
    assert Review.objects.filter(kind="monthly_retrospective").exclude(went_wrong=[]).exists()
    assert Review.objects.filter(date__gt=today).exists()  # upcoming generated
