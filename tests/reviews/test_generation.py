"""Occurrences: the calendar rules and idempotent generation."""

import calendar
import datetime

import pytest

from coordination.reviews.models import Review, ReviewAttendance, ReviewCadence, ReviewKind
from coordination.reviews.services import create_cadence, generate_occurrences
from coordination.reviews.tasks import generate_review_occurrences
from tests.factories import ProjectFactory, pmo_user
from tests.reviews.factories import CadenceFactory

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)  # a Monday


def dates_of(cadence):
    return list(
        Review.objects.filter(cadence=cadence).order_by("date").values_list("date", flat=True)
    )


def test_daily_standup_only_on_working_days():
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    generate_occurrences(today=MON, days=14)
    dates = dates_of(cadence)
    assert len(dates) == 10
    assert all(d.weekday() < 5 for d in dates)
    assert datetime.date(2026, 11, 28) not in dates  # Saturday
    assert datetime.date(2026, 11, 29) not in dates  # Sunday


def test_generation_twice_creates_the_same_rows():
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    first = generate_occurrences(today=MON, days=14)
    ids = set(Review.objects.values_list("id", flat=True))
    second = generate_occurrences(today=MON, days=14)
    assert first == 10 and second == 0
    assert set(Review.objects.values_list("id", flat=True)) == ids
    # attendance rows for both PMs, once
    assert ReviewAttendance.objects.filter(review__cadence=cadence).count() == 20


def test_generation_across_a_month_end_and_weekend():
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    generate_occurrences(today=datetime.date(2026, 11, 27), days=5)  # Fri .. Tue
    assert dates_of(cadence) == [
        datetime.date(2026, 11, 27),
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 1),
    ]


def test_weekly_meeting_on_its_weekday():
    cadence = CadenceFactory(kind=ReviewKind.WEEKLY_MEETING, weekday=2)
    generate_occurrences(today=MON, days=21)
    assert dates_of(cadence) == [
        datetime.date(2026, 11, 25),
        datetime.date(2026, 12, 2),
        datetime.date(2026, 12, 9),
    ]


@pytest.mark.parametrize(
    ("day", "start", "expected"),
    [
        (31, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        (30, datetime.date(2028, 2, 1), datetime.date(2028, 2, 29)),  # leap year
        (31, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)),
        (15, datetime.date(2026, 4, 1), datetime.date(2026, 4, 15)),
    ],
)
def test_monthly_retrospective_clamps_to_month_end(day, start, expected):
    cadence = CadenceFactory(kind=ReviewKind.MONTHLY_RETROSPECTIVE, day_of_month=day)
    generate_occurrences(today=start, days=calendar.monthrange(start.year, start.month)[1])
    assert dates_of(cadence) == [expected]


def test_monthly_run_on_the_first_reaches_next_month():
    cadence = CadenceFactory(kind=ReviewKind.MONTHLY_RETROSPECTIVE, day_of_month=28)
    generate_occurrences(today=datetime.date(2026, 12, 1), kind=ReviewKind.MONTHLY_RETROSPECTIVE)
    assert dates_of(cadence) == [datetime.date(2026, 12, 28), datetime.date(2027, 1, 28)]


def test_start_time_in_the_cadence_time_zone():
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP, time_of_day=datetime.time(9, 30))
    generate_occurrences(today=MON, days=1)
    review = Review.objects.get(cadence=cadence)
    assert review.starts_at == datetime.datetime(2026, 11, 23, 1, 30, tzinfo=datetime.UTC)


def test_inactive_cadence_generates_nothing_and_task_is_idempotent():
    CadenceFactory(kind=ReviewKind.DAILY_STANDUP, is_active=False)
    active = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    generate_review_occurrences.delay(kind="daily_standup")
    count = Review.objects.count()
    generate_review_occurrences.delay(kind="daily_standup")
    assert Review.objects.count() == count
    assert set(Review.objects.values_list("cadence", flat=True)) == {active.pk}


def test_create_cadence_defaults_to_both_pms_and_generates():
    project = ProjectFactory()
    cadence = create_cadence(by=pmo_user(), project=project, kind=ReviewKind.DAILY_STANDUP)
    assert set(cadence.participants.all()) == {project.business_pm, project.engineering_pm}
    assert Review.objects.filter(cadence=cadence).exists()


def test_weekly_cadence_needs_a_weekday():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        create_cadence(by=pmo_user(), project=ProjectFactory(), kind=ReviewKind.WEEKLY_MEETING)
    assert not ReviewCadence.objects.exists()
