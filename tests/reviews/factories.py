"""Factories of the review loop (tests/reviews only)."""

import datetime

import factory

from coordination.reviews.models import ActionItem, Review, ReviewCadence, ReviewKind
from tests.factories import ProjectFactory, UserFactory


class CadenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCadence
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    kind = ReviewKind.DAILY_STANDUP
    time_of_day = datetime.time(9, 0)
    timezone = "Asia/Shanghai"

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None and self.project_id:
            extracted = [self.project.business_pm, self.project.engineering_pm]
        self.participants.set(extracted or [])


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    cadence = factory.SubFactory(CadenceFactory)
    project = factory.LazyAttribute(lambda o: o.cadence.project)
    kind = factory.LazyAttribute(lambda o: o.cadence.kind)
    date = datetime.date(2026, 11, 25)
    starts_at = factory.LazyAttribute(lambda o: o.cadence.starts_at(o.date))


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    review = factory.SubFactory(ReviewFactory)
    project = factory.LazyAttribute(lambda o: o.review.project)
    title = factory.Sequence(lambda n: f"待办 {n}")
    owner = factory.LazyFunction(lambda: UserFactory())
    due_date = datetime.date(2026, 11, 20)
