"""Query filters typed as they are parsed (the schema says what the filter accepts)."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

BIGINT = 2**63 - 1


@extend_schema_field({"type": "integer", "format": "int64"})
class IntegerFilter(filters.NumberFilter):
    """A whole number (an id): `1.5`, `1e3` or a number past bigint is a 400 naming the
    parameter. django-filter's NumberFilter parses a decimal and drf-spectacular types it
    `number`, so `?customer=1.5` was documented and accepted."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -BIGINT)
        kwargs.setdefault("max_value", BIGINT)
        super().__init__(*args, **kwargs)
