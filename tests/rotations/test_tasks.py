"""The rotation's scheduled work: approved rotations start on their start date; a rotation in
progress without a check-in this month reminds its person and mentor once a month."""

from __future__ import annotations

import datetime

import pytest

from coordination.core.models import Notification
from coordination.rotations import services
from coordination.rotations.models import JobRotation, RotationCheckIn
from coordination.schedules import BEAT_SCHEDULE
from tests.rotations.factories import Cast, approved, in_progress

pytestmark = pytest.mark.django_db
D = datetime.timedelta


def _reminded() -> list[int]:
    return sorted(
        Notification.objects.filter(kind="job_rotation.check_in_due").values_list("user", flat=True)
    )


def test_the_tasks_are_scheduled():
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"coordination.start_due_rotations", "coordination.remind_rotation_check_ins"} <= tasks


def test_an_approved_rotation_starts_on_its_start_date_once():
    c = Cast()
    rotation = approved(c)
    start = rotation.start_date
    assert services.start_due_rotations(today=start - D(days=1)) == 0
    assert services.start_due_rotations(today=start) == 1
    rotation.refresh_from_db()
    assert (rotation.status, rotation.actual_start) == ("in_progress", start)
    assert services.start_due_rotations(today=start + D(days=1)) == 0


def test_the_monthly_reminder_goes_once_to_the_person_and_the_mentor(settings):
    settings.ROTATION_CHECK_IN_REMINDER_DAY = 20
    c = Cast()
    rotation = in_progress(c)
    JobRotation.objects.filter(pk=rotation.pk).update(actual_start=datetime.date(2026, 8, 3))
    assert services.remind_check_ins(today=datetime.date(2026, 9, 19)) == 0  # not yet the day
    assert services.remind_check_ins(today=datetime.date(2026, 9, 20)) == 1
    assert _reminded() == sorted([c.person.pk, c.mentor.pk])
    # the next days (and a second worker) send nothing more this month
    assert services.remind_check_ins(today=datetime.date(2026, 9, 21)) == 0
    assert services.remind_check_ins(today=datetime.date(2026, 9, 30)) == 0
    assert len(_reminded()) == 2
    # October: a check-in this month means no reminder
    RotationCheckIn.objects.create(
        rotation=rotation, author=c.person, date=datetime.date(2026, 10, 5), note="十月"
    )
    assert services.remind_check_ins(today=datetime.date(2026, 10, 25)) == 0
    # November without one: reminded again, once
    assert services.remind_check_ins(today=datetime.date(2026, 11, 20)) == 1
    assert services.remind_check_ins(today=datetime.date(2026, 11, 21)) == 0


def test_no_reminder_for_a_rotation_not_in_progress_or_started_after_the_day(settings):
    settings.ROTATION_CHECK_IN_REMINDER_DAY = 20
    c = Cast()
    approved(c)
    late = in_progress(Cast())
    JobRotation.objects.filter(pk=late.pk).update(actual_start=datetime.date(2026, 9, 25))
    assert services.remind_check_ins(today=datetime.date(2026, 9, 28)) == 0
    assert _reminded() == []
