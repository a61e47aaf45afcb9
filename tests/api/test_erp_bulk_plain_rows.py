"""The bulk endpoint's fast row validation (projects/api/erp.py PlainRows) accepts only rows
the serializer accepts, with exactly the serializer's validated data; every other row goes
to the serializer, so its errors stay the serializer's."""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from projects.api.erp import ErpProjectBulkView, PlainRows
from projects.api.serializers import ErpProjectBulkRowSerializer
from tests import factories
from tests.api.test_malformed_input import NASTY_VALUES
from tests.erp.conftest import PROJECT_BODY

pytestmark = pytest.mark.django_db

BASE = {"erp_id": "E-1", **PROJECT_BODY}
TEXT = ["x", " x", "x ", "\tx", "a\x00b", "\ud800", "x" * 64, "x" * 65, "x" * 200, "x" * 201, 7]
VALUES = {
    "erp_id": TEXT,
    "name": TEXT,
    "customer_erp_id": ["CUST-1", " CUST-1", "NO-SUCH", 1],
    "business_pm": ["biz_pm", "eng_pm", "biz_pm ", "nobody", "inactive_pm"],
    "engineering_pm": ["eng_pm", "biz_pm", "nobody"],
    "currency": ["USD", "cny", "CN", "CNYY", "CNY\n", " CNY", "ＣＮＹ"],
    "contract_value": [
        "0",
        "0.00",
        "100",
        "100.5",
        "100.50",
        "100.555",
        "007.10",
        "-1",
        "-0",
        "+1",
        "1e3",
        ".5",
        "5.",
        " 5",
        "12345678901234.99",
        "123456789012345",
        "٣",
        0,
        12345678901234,
        10**14,
        1.25,
    ],
    "planned_start": [
        None,
        "2026-01-01",
        "2026-02-30",
        "2026-1-01",
        "20260101",
        "2026-01-01T00:00",
    ],
    "planned_end": [None, "2026-03-31", "2020-01-01", "2026-W01-1", "٢٠٢٦-01-01"],
    "primary_owner": ["business", "engineering", "Business", "boss", 1],
    "is_key_project": [True, False, "true", "1", 1, 0, "yes"],
}


@pytest.fixture
def serializer(db):
    factories.CustomerFactory(erp_id="CUST-1")
    factories.business_user(username="biz_pm")
    factories.engineering_user(username="eng_pm")
    factories.business_user(username="inactive_pm", is_active=False)
    context = ErpProjectBulkView._lookups(
        [BASE, *({"business_pm": u} for u in VALUES["business_pm"])]
    )
    return ErpProjectBulkRowSerializer(context=context)


def _shape(data: dict) -> dict:
    """Values with their exact type and text (Decimal("1.5") == Decimal("1.50"))."""
    return {k: (type(v), getattr(v, "pk", None) or str(v)) for k, v in data.items()}


def _serializer_answer(serializer, row):
    try:
        return _shape(dict(serializer.run_validation(dict(row))))
    except ValidationError:
        return None


def _rows():
    yield BASE
    for field, values in VALUES.items():
        yield {k: v for k, v in BASE.items() if k != field}  # missing
        for value in [*values, *NASTY_VALUES]:
            yield {**BASE, field: value}


def test_fast_rows_equal_the_serializer_or_defer_to_it(serializer):
    plain = PlainRows(serializer)
    assert plain.converters is not None  # every field of the bulk row is of a handled kind
    taken = 0
    for row in _rows():
        fast = plain(dict(row))
        if fast is None:
            continue
        taken += 1
        assert _shape(fast) == _serializer_answer(serializer, row), row
    assert taken > 40  # the fast path is really used


def test_the_plain_shape_of_the_common_row_is_taken(serializer):
    fast = PlainRows(serializer)(dict(BASE))
    assert fast is not None
    assert fast["contract_value"] == Decimal("8800000.00")
    assert fast["planned_start"] == datetime.date(2026, 4, 1)
    assert fast["customer"].erp_id == "CUST-1" and fast["business_pm"].username == "biz_pm"
    assert "customer_erp_id" not in fast


def test_a_serializer_it_does_not_know_is_never_taken_over(serializer):
    class Other(ErpProjectBulkRowSerializer):
        tags = serializers.ListField(child=serializers.CharField(), required=False)

    assert PlainRows(Other(context=serializer.context))(dict(BASE)) is None

    class Checked(ErpProjectBulkRowSerializer):
        def validate_name(self, value):
            return value

    assert PlainRows(Checked(context=serializer.context))(dict(BASE)) is None
