"""Admin building blocks for tables with millions of rows (used by the apps' admin modules).

Django's admin asks the database for the distinct values of a column twice on a changelist:
the values of an AllValuesFieldListFilter (`SELECT DISTINCT col`) and the years/months/days of
`date_hierarchy` (`SELECT DISTINCT date_trunc(...)`). Both read the whole table (0.2 s for the
2.4M KPI snapshots or the 560k reminders at 100k projects). When the column is indexed and has
few distinct values, jumping from one value to the next through the index (`WHERE col > v
ORDER BY col LIMIT 1`) returns the same answer in milliseconds.

Registers nothing (this module is imported with the feature admins of the package).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import timezone

MAX_VALUES = 400  # past this many values the walk gives way to Django's single query


def _walk(queryset, field_path: str, start_of, next_after, lookup: str = "gte") -> list | None:
    """Distinct buckets of `field_path` in `queryset`, one index lookup per bucket: the next
    value is the first one `lookup` (gte/gt) `next_after(bucket)`. None past MAX_VALUES."""
    rows = (
        queryset.exclude(**{f"{field_path}__isnull": True})
        .order_by(field_path)
        .values_list(field_path, flat=True)
    )
    values: list = []
    current = rows.first()
    while current is not None:
        if len(values) == MAX_VALUES:
            return None
        bucket = start_of(current)
        values.append(bucket)
        current = rows.filter(**{f"{field_path}__{lookup}": next_after(bucket)}).first()
    return values


def _truncate(value, kind: str):
    if kind == "year":
        return value.replace(month=1, day=1)
    if kind == "month":
        return value.replace(day=1)
    return value


def _next(value, kind: str):
    """The first instant of the bucket after `value` (a truncated date or local datetime)."""
    if kind == "year":
        return value.replace(year=value.year + 1)
    if kind == "month":
        if value.month == 12:
            return value.replace(year=value.year + 1, month=1)
        return value.replace(month=value.month + 1)
    return value + datetime.timedelta(days=1)


class IndexedDatesQuerySet(models.QuerySet):
    """dates()/datetimes() answered by walking the column's index (see the module docstring).

    Same values, types and time zone as Django's (the admin's date_hierarchy uses them).
    Only for year/month/day on an indexed column; anything else goes to Django.
    """

    def dates(self, field_name, kind, order="ASC"):
        if kind not in ("year", "month", "day"):
            return super().dates(field_name, kind, order)
        values = _walk(self, field_name, lambda d: _truncate(d, kind), lambda d: _next(d, kind))
        if values is None:
            return super().dates(field_name, kind, order)
        return values if order == "ASC" else values[::-1]

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if kind not in ("year", "month", "day"):
            return super().datetimes(field_name, kind, order, tzinfo)
        tz = (tzinfo or timezone.get_current_timezone()) if settings.USE_TZ else None

        def start_of(value):
            local = timezone.localtime(value, tz) if tz else value
            day = _truncate(local.date(), kind)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=tz)

        def next_after(bucket):
            day = _next(bucket.date(), kind)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=tz)

        values = _walk(self, field_name, start_of, next_after)
        if values is None:
            return super().datetimes(field_name, kind, order, tzinfo)
        return values if order == "ASC" else values[::-1]


_COMBINED: dict[type, type] = {}


def with_indexed_dates(queryset):
    """The same queryset (filters, prefetches, its own QuerySet class's methods kept) answering
    dates()/datetimes() by the index walk."""
    cls = type(queryset)
    if issubclass(cls, IndexedDatesQuerySet):
        return queryset
    combined = _COMBINED.get(cls)
    if combined is None:
        combined = _COMBINED.setdefault(
            cls, type(f"IndexedDates{cls.__name__}", (IndexedDatesQuerySet, cls), {})
        )
    clone = queryset._chain()
    clone.__class__ = combined
    return clone


class IndexedDateHierarchyMixin:
    """A ModelAdmin whose date_hierarchy column is indexed: its drill-down walks the index."""

    def get_queryset(self, request):
        return with_indexed_dates(super().get_queryset(request))


class IndexedValuesListFilter(admin.AllValuesFieldListFilter):
    """Django's AllValuesFieldListFilter (same choices and parameters) for an indexed column
    with few values: the values are read by walking the index, not by SELECT DISTINCT."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        queryset = model_admin.get_queryset(request)  # as Django's, for a field of the model
        values = _walk(queryset, field_path, lambda v: v, lambda v: v, lookup="gt")
        if values is None:
            return  # many values: Django's SELECT DISTINCT (set by super()) stays
        if field.null and queryset.filter(**{f"{field_path}__isnull": True}).exists():
            values.append(None)  # Django's filter then offers its "empty" choice
        self.lookup_choices = values


class ReadOnlyMixin:
    """A log or a record written by services only: PMO reads it here, nobody adds, edits or
    deletes it (for ModelAdmin and inlines alike)."""

    def get_readonly_fields(self, request, obj=None):
        meta = self.model._meta
        every = [f.name for f in meta.fields if f.name != "id"] + [
            f.name for f in meta.many_to_many
        ]
        return list(self.readonly_fields) or every

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
