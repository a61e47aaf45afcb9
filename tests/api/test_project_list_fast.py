"""The project list's values() read path answers exactly what ProjectSerializer answers."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.api.serializers import PROJECT_LIST_VALUES, ProjectSerializer, project_list_rows
from projects.core.models import Project, Stage
from tests import factories
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def _varied_projects():
    full = factories.ProjectFactory(
        stage=Stage.EXECUTION,
        erp_id="ERP-FULL",
        customer__erp_id="ERP-C-FULL",
        is_key_project=True,
        contract_value=Decimal("1234567.5"),
        baseline_budget=Decimal("0.1"),
        forecast_budget=Decimal("99999999999999.99"),
        currency="USD",
        contract_signed_on=datetime.date(2026, 1, 2),
        actual_start=datetime.date(2026, 1, 6),
        actual_end=datetime.date(2026, 11, 30),
        description="概述 <b>",
        customer_core_needs="需求",
        expected_standards="标准",
    )
    # a stage change at exactly midnight UTC and a microsecond part
    Project.objects.filter(pk=full.pk).update(
        stage_changed_at=datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC),
        created_at=datetime.datetime(2026, 2, 1, 15, 59, 59, 123456, tzinfo=datetime.UTC),
    )
    bare = factories.ProjectFactory(
        erp_id=None,
        customer__erp_id=None,
        contract_value=Decimal("0"),
        baseline_budget=None,
        forecast_budget=None,
        planned_start=None,
        planned_end=None,
        forecast_end=None,
    )
    return [full, bare]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC"])
def test_fast_rows_equal_the_serializer_field_by_field(tz):
    projects = _varied_projects()
    pks = [p.pk for p in projects]
    with timezone.override(tz):
        instances = Project.objects.filter(pk__in=pks).order_by("pk")
        expected = ProjectSerializer(
            instances.select_related("customer", "business_pm", "engineering_pm"), many=True
        ).data
        fast = project_list_rows(instances.values_list(*PROJECT_LIST_VALUES))
    assert len(fast) == len(expected) == 2
    for got, want in zip(fast, expected, strict=True):
        assert list(got) == list(want)  # same keys in the same order
        for key in want:
            assert got[key] == want[key], key
            assert type(got[key]) is type(want[key]), key
    assert fast[1]["baseline_budget"] is None and fast[1]["erp_id"] is None
    assert fast[0]["forecast_budget"] == "99999999999999.99"


def test_list_answers_the_serializer_output(db):
    projects = _varied_projects()
    client = client_for(factories.pmo_user())
    response = client.get("/api/v1/projects/", {"ordering": "id"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    expected = ProjectSerializer(
        Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("pk"), many=True
    ).data
    assert body["results"] == [dict(row) for row in expected]
