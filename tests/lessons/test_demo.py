"""The learning loop's demo: the joint retrospective with both departments, lessons promoted
from a project's retrospective, an improvement action; seeding twice adds nothing."""

import datetime

import pytest

from coordination.devtools.demo import DemoContext
from coordination.devtools.demo.lessons import JOINT_RETRO, seed_lessons
from coordination.devtools.demo.reviews import seed_reviews
from coordination.lessons.models import Lesson
from coordination.lessons.selectors import similar_lessons
from coordination.reviews.models import ActionItem, Review, ReviewCadence
from tests.factories import ProjectFactory, business_user, engineering_user, pmo_user

pytestmark = pytest.mark.django_db


def test_seed_lessons_twice_gives_the_same_data():
    active = ProjectFactory(stage="execution", is_key_project=True)
    ctx = DemoContext(
        today=datetime.date(2026, 11, 25),
        users={"biz_pm": business_user(), "eng_pm": engineering_user(), "pmo": pmo_user()},
        projects=[active],
        log=lambda msg: None,
    )
    seed_reviews(ctx)
    seed_lessons(ctx)

    def counts():
        return (
            ReviewCadence.objects.count(),
            Review.objects.count(),
            Lesson.objects.count(),
            ActionItem.objects.count(),
        )

    before = counts()
    seed_lessons(ctx)
    assert counts() == before
    joint = ReviewCadence.objects.get(title=JOINT_RETRO)
    assert joint.project is None and joint.departments == ["business", "engineering"]
    departments = set(joint.participants.values_list("profile__department", flat=True))
    assert {"business", "engineering"} <= departments
    assert Review.objects.filter(cadence=joint, status="held").exclude(went_wrong=[]).exists()
    assert Lesson.objects.count() == 3
    assert ActionItem.objects.filter(lesson__isnull=False, status="open").count() == 1
    # the next project of the same customer sees them all, the phases ahead first
    follower = ProjectFactory(customer=active.customer, stage="kickoff")
    assert [lesson.phase for lesson in similar_lessons(follower)][0] == "execution"
    assert len(similar_lessons(follower)) == 3
