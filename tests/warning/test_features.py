"""Features as of a date read nothing dated after it: changing the future changes nothing."""

import datetime

import pytest
from django.utils import timezone

from coordination.core.services import record_audit
from coordination.devtools.history import seed_history
from coordination.reviews.models import ActionItem
from handover.models import HandoverItem
from kpi.models import Complaint
from projects.changes.models import ChangeRequest, MilestoneChange
from projects.core.models import Milestone, Project, Risk
from projects.warning.features import FEATURE_NAMES, build_features

TODAY = datetime.date(2026, 6, 1)


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def history(db):
    seed_history(today=TODAY, finished=6, open_=2, seed=3, log=lambda m: None)
    return list(Project.objects.filter(code__startswith="HIS-").order_by("code"))


def _change_the_future(project, after: datetime.date):
    later = after + datetime.timedelta(days=1)
    cr = ChangeRequest.objects.create(
        project=project,
        number="CR-FUT",
        title="future",
        origin=ChangeRequest.Origin.CUSTOMER,
        requested_by=project.business_pm,
        status=ChangeRequest.Status.APPROVED,
        cost_impact=5_000_000,
        schedule_impact_days=60,
        submitted_at=_at(later),
        decided_at=_at(later),
    )
    for m in Milestone.objects.filter(project=project):
        mc = MilestoneChange.objects.create(
            milestone=m,
            change_request=cr,
            old_forecast=m.forecast_date,
            new_forecast=m.forecast_date + datetime.timedelta(days=90),
        )
        MilestoneChange.objects.filter(pk=mc.pk).update(created_at=_at(later))
    Complaint.objects.create(
        project=project, source="customer", severity="high", description="x", opened_on=later
    )
    risk = Risk.objects.create(project=project, title="late news", category="cost")
    Risk.objects.filter(pk=risk.pk).update(created_at=_at(later))
    item = HandoverItem.objects.filter(handover__project=project).first()
    record_audit(
        actor=None,
        action="handover_item.rejected",
        target=item,
        project_code=project.code,
        at=_at(later),
    )
    ai = ActionItem.objects.create(
        project=project, title="x", owner=project.engineering_pm, due_date=later
    )
    ActionItem.objects.filter(pk=ai.pk).update(created_at=_at(later))
    # the customer's other project finishing late after the date
    Project.objects.filter(customer=project.customer).exclude(pk=project.pk).update(
        actual_end=later
    )


def test_changing_the_future_leaves_the_features_of_a_past_date_unchanged(history):
    project = history[2]
    as_of = project.contract_signed_on + datetime.timedelta(days=60)
    ids = [p.pk for p in history]
    before = build_features(ids, as_of)
    assert set(before[project.pk]) == set(FEATURE_NAMES)

    _change_the_future(project, as_of)

    assert build_features(ids, as_of) == before
    # the same changes are seen once their day has come
    later = build_features(ids, as_of + datetime.timedelta(days=2))[project.pk]
    assert later["change_requests"] == before[project.pk]["change_requests"] + 1
    assert later["high_complaints"] >= 1
    assert later["handover_rejections"] == before[project.pk]["handover_rejections"] + 1


def test_a_project_not_signed_by_the_date_has_no_features(history):
    project = history[0]
    day = project.contract_signed_on - datetime.timedelta(days=1)
    assert project.pk not in build_features([project.pk], day)


def test_features_of_many_projects_take_a_fixed_number_of_queries(
    history, django_assert_max_num_queries
):
    ids = [p.pk for p in history]
    with django_assert_max_num_queries(12):
        rows = build_features(ids, TODAY)
    assert len(rows) == len(history)
