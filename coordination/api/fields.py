"""Strict input fields shared by every API serializer (issue #18, "strict input").

- `ErpIdField`: an ERP id, trimmed, never blank after trimming, no control, zero-width,
  bidi or other invisible characters, at most 64 characters; its rule is in the schema
  as a `pattern`. `check_erp_id` applies the same rule to an id in a URL path.
- `AsciiDecimalField`: an amount (money) in ASCII digits: Python's `Decimal()` reads
  "１２３" (full-width) or "١٢٣" as 123, so DRF's DecimalField stored them as money.
- `OffsetDateTimeField`: a datetime that carries its offset (`Z`, `+08:00`): a naive one
  was silently read in the server's time zone (Asia/Shanghai).
- `ModelSerializer`: DRF's, with model DecimalFields and DateTimeFields mapped onto the two
  above, so a serializer built from a model inherits the rules; its TextFields get their
  length limit (`coordination.core.limits`).
- `SlugMaxLength`: a SlugRelatedField's `maxLength` in the schema (its slug's).

tests/api/test_strict_input.py holds the rules and checks that every serializer of the API
uses these fields.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from coordination.core.limits import ID_MAX, ITEMS_MAX, text_max_length

ERP_ID_MAX_LENGTH = 64

# Never in an ERP id: C0/C1 controls and DEL, whitespace other than a plain space (tab,
# NBSP, ideographic space …), zero-width and joiner characters, bidi controls, the BOM,
# soft hyphen, Mongolian vowel separator, word joiner and invisible operators, line and
# paragraph separators, interlinear annotation marks. The same class in Python and in
# ECMAScript (the schema's `pattern`).
_FORBIDDEN = (
    r"\u0000-\u001f\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180e"
    r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
    r"\ufff9-\ufffb"
)
ERP_ID_PATTERN = rf"^[^ {_FORBIDDEN}](?:[^{_FORBIDDEN}]*[^ {_FORBIDDEN}])?$"
ERP_ID_INVALID = _("ERP编号不能为空白，不能含控制字符、零宽字符或首尾空格（至多64个字符）。")
_ERP_ID = re.compile(ERP_ID_PATTERN)

validate_erp_id = RegexValidator(ERP_ID_PATTERN, message=ERP_ID_INVALID, code="invalid_erp_id")


def check_erp_id(erp_id: str, field: str = "erp_id") -> str:
    """An ERP id from a URL path, exactly as it must be stored: 400 naming `field` unless
    it is 1–64 visible characters without surrounding blanks."""
    if len(erp_id) > ERP_ID_MAX_LENGTH or not _ERP_ID.match(erp_id):
        raise ValidationError({field: [ERP_ID_INVALID]})
    return erp_id


class ErpIdField(serializers.CharField):
    """An ERP id: surrounding blanks are trimmed; blank, or invisible characters, are a 400.

    With `allow_blank=True` only the empty string means "none" (the field's validator turns
    it into None when `blank_is_none`); "   " or a lone U+200B is still refused."""

    default_error_messages = {"invalid_erp_id": ERP_ID_INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", ERP_ID_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(validate_erp_id)

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and data and not data.strip():
            self.fail("invalid_erp_id")  # blank once trimmed: not "no ERP id"
        return super().run_validation(data)


class AsciiDecimalField(serializers.DecimalField):
    """A decimal string (or JSON number) in ASCII digits; full-width or other scripts' digits
    are a 400 that says so (DRF's own checks refuse the rest: "NaN", "1e400", letters)."""

    default_error_messages = {
        "ascii_digits": _('金额只能使用半角数字 0-9（可带小数点和负号），例如 "1234.50"。'),
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            self.fail("ascii_digits")
        return super().to_internal_value(data)


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime with its offset; a naive one is a 400 saying an offset is needed."""

    default_error_messages = {
        "offset_required": _(
            "时间须带时区偏移，如 2026-11-25T08:00:00Z 或 2026-11-25T16:00:00+08:00。"
        ),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("offset_required")
        return super().to_internal_value(value)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the strict fields for the model fields they cover, and every
    model TextField limited to `coordination.core.limits.text_max_length` (DRF gives a
    TextField no `max_length`: a million characters were stored)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: AsciiDecimalField,
        models.DateTimeField: OffsetDateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and "max_length" not in field_kwargs:
            field_kwargs["max_length"] = text_max_length(model_field)
        return field_class, field_kwargs


def id_field(**kwargs) -> serializers.IntegerField:
    """An object's id given as a number: 1 to ID_MAX (a bigint), else a 400 naming the field."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class PrimaryKeyBounds(OpenApiSerializerFieldExtension):
    """OpenAPI: an object picked by its id states the id's range (1 to a bigint's maximum);
    an id outside it names no row, so the field answers 400 ("does not exist")."""

    target_class = serializers.PrimaryKeyRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if schema.get("type") == "integer":
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", ID_MAX)
            schema.setdefault("format", "int64")
        return schema


class BoundedManyRelatedField(serializers.ManyRelatedField):
    """Related objects picked by a list (`many=True`) of at most `max_items`: a longer list is a
    400 naming the field before any of them is looked up (one query per item)."""

    default_error_messages = {"max_items": _("最多 {max_items} 项。")}

    def __init__(self, *, max_items: int = ITEMS_MAX, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_items:
            self.fail("max_items", max_items=self.max_items)
        return super().to_internal_value(data)


def many_related(related_class, *, max_items: int = ITEMS_MAX, **kwargs) -> BoundedManyRelatedField:
    """`related_class(many=True, **kwargs)`, at most `max_items` of them (as DRF's many_init:
    the child gets every argument, the list those it understands)."""
    from rest_framework.relations import MANY_RELATION_KWARGS

    list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
    return BoundedManyRelatedField(
        child_relation=related_class(**kwargs), max_items=max_items, **list_kwargs
    )


class ManyMaxItems(OpenApiSerializerFieldExtension):
    """OpenAPI: a BoundedManyRelatedField states its `maxItems`."""

    target_class = BoundedManyRelatedField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema.setdefault("maxItems", self.target.max_items)
        return schema


class ListMaxItems(OpenApiSerializerFieldExtension):
    """OpenAPI: a nested list (`Serializer(many=True, max_length=N)`) states `maxItems: N`;
    DRF answers 400 naming the field past N entries."""

    target_class = serializers.ListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.max_length is not None and schema.get("type") == "array":
            schema.setdefault("maxItems", self.target.max_length)
        return schema


class SlugMaxLength(OpenApiSerializerFieldExtension):
    """OpenAPI: a SlugRelatedField (a username, a project code) states its slug's `maxLength`.

    A longer value cannot name a row, so the field answers 400 ("does not exist") for it."""

    target_class = serializers.SlugRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        queryset = getattr(self.target, "queryset", None)
        if queryset is not None and schema.get("type") == "string":
            slug = queryset.model._meta.get_field(self.target.slug_field)
            if getattr(slug, "max_length", None):
                schema.setdefault("maxLength", slug.max_length)
        return schema
