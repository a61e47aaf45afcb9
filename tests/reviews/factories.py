"""Factories of the review loop (ReviewCadence, Review, ReviewAttendance, ActionItem).

The review loop carries no derived data a service computes, so these are plain model
factories; they keep the models' rules instead:

- a weekly cadence has a weekday and a monthly one a day of the month (the defaults, a
  Wednesday and the 25th, agree with the default review date, Wednesday 2026-11-25);
- a review copies its cadence's project and kind and starts at the cadence's local time;
- an action item marked done has a `done_at`.
"""

import datetime

import factory
from django.utils import timezone

from coordination.reviews.models import (
    ActionItem,
    Reminder,
    Review,
    ReviewAttendance,
    ReviewCadence,
    ReviewKind,
)
from tests.factories import ProjectFactory, UserFactory

REVIEW_DATE = datetime.date(2026, 11, 25)  # a Wednesday


class CadenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCadence
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    kind = ReviewKind.DAILY_STANDUP
    time_of_day = datetime.time(9, 0)
    timezone = "Asia/Shanghai"
    weekday = factory.LazyAttribute(
        lambda o: REVIEW_DATE.weekday() if o.kind == ReviewKind.WEEKLY_MEETING else None
    )
    day_of_month = factory.LazyAttribute(
        lambda o: REVIEW_DATE.day if o.kind == ReviewKind.MONTHLY_RETROSPECTIVE else None
    )

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        """Default: both PMs of the project (as create_cadence does); a list replaces them."""
        if not create:
            return
        if extracted is None and self.project_id:
            extracted = [self.project.business_pm, self.project.engineering_pm]
        self.participants.set(extracted or [])


ReviewCadenceFactory = CadenceFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    cadence = factory.SubFactory(CadenceFactory)
    project = factory.LazyAttribute(lambda o: o.cadence.project)
    kind = factory.LazyAttribute(lambda o: o.cadence.kind)
    date = REVIEW_DATE
    starts_at = factory.LazyAttribute(lambda o: o.cadence.starts_at(o.date))


class ReviewAttendanceFactory(factory.django.DjangoModelFactory):
    """One participant's attendance (default: the project's business PM, present)."""

    class Meta:
        model = ReviewAttendance

    review = factory.SubFactory(ReviewFactory)
    user = factory.LazyAttribute(
        lambda o: o.review.project.business_pm if o.review.project_id else UserFactory()
    )
    attended = True


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    review = factory.SubFactory(ReviewFactory)
    project = factory.LazyAttribute(lambda o: o.review.project if o.review else None)
    title = factory.Sequence(lambda n: f"待办 {n}")
    owner = factory.LazyFunction(lambda: UserFactory())
    due_date = datetime.date(2026, 11, 20)
    status = ActionItem.Status.OPEN
    done_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == ActionItem.Status.DONE else None
    )


def overdue_reminder(item, **fields):
    """An overdue-owner reminder row for action item `item`, in-app unless said otherwise."""
    values = {
        "target_key": f"action:{item.pk}",
        "action_item": item,
        "recipient": item.owner,
        "channel": "inapp",
        "kind": "overdue_owner",
        "subject": "逾期",
        "due_at": "2026-11-25T00:30:00Z",
        **fields,
    }
    return Reminder.objects.create(**values)
