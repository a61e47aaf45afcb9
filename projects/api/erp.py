"""ERP integration endpoints: idempotent upserts of customers and projects by `erp_id`,
and the bulk project upsert (set-based: valid rows in one transaction per batch)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import DatabaseError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from coordination.api.exceptions import validation_error_dict
from coordination.api.fields import (
    ERP_ID_MAX_LENGTH,
    ERP_ID_PATTERN,
    AsciiDecimalField,
    ErpIdField,
    check_erp_id,
)
from coordination.api.schema import BAD_REQUEST as R400
from coordination.api.schema import FORBIDDEN as R403
from coordination.api.schema import TOO_LARGE, whole_array
from coordination.api.schema import UNAUTHORIZED as R401
from coordination.core.exceptions import Conflict
from coordination.core.roles import remember_group_names
from projects.api.serializers import (
    MAX_BULK_ROWS,
    CustomerSerializer,
    ErpBulkResultSerializer,
    ErpCustomerUpsertSerializer,
    ErpProjectBulkRowSerializer,
    ErpProjectUpsertSerializer,
    ProjectSerializer,
)
from projects.core import services
from projects.core.erp_bulk import bulk_upsert_projects
from projects.core.models import Customer
from projects.core.permissions import (
    CREATE_CUSTOMER_REFUSED,
    EDIT_CUSTOMER_REFUSED,
    can_create_project,
    can_upsert_customer,
    require,
)
from projects.core.team import with_client_flags

User = get_user_model()

# OpenAPI examples of the ERP endpoints (what an integrator sends and gets back)
_PROJECT_BODY = {
    "name": "南京地铁车辆段智能仓储",
    "customer_erp_id": "C-10023",
    "contract_value": "8800000.00",
    "currency": "CNY",
    "planned_start": "2026-04-01",
    "planned_end": "2027-03-31",
    "business_pm": "li.na",
    "engineering_pm": "wang.qiang",
    "primary_owner": "engineering",
    "is_key_project": True,
}
CUSTOMER_EXAMPLES = [
    OpenApiExample(
        "upsert a customer",
        request_only=True,
        value={
            "name": "南京地铁集团有限公司",
            "contact_name": "张伟",
            "contact_phone": "025-1234567",
        },
    ),
]
PROJECT_EXAMPLES = [
    OpenApiExample("upsert a project", request_only=True, value=_PROJECT_BODY),
    OpenApiExample(
        "unknown PM username",
        response_only=True,
        status_codes=["400"],
        value={"business_pm": ["未知的用户名：nobody"]},
    ),
]
_SECOND_ROW = {
    **_PROJECT_BODY,
    "erp_id": "P-2",
    "name": "南京地铁二号线车辆段改造",
    "business_pm": "nobody",
}
# The request example is the whole array (coordination.api.schema.whole_array); a response
# example of ErpBulkResultSerializer(many=True) is one row, shown inside the array.
BULK_EXAMPLES = [
    OpenApiExample(
        "two rows", request_only=True, value=[{"erp_id": "P-1", **_PROJECT_BODY}, _SECOND_ROW]
    ),
    OpenApiExample(
        "a row created",
        response_only=True,
        status_codes=["200"],
        value={"erp_id": "P-1", "status": "created", "code": "PRJ-2026-0042", "errors": {}},
    ),
    OpenApiExample(
        "a row refused",
        response_only=True,
        status_codes=["200"],
        value={
            "erp_id": "P-2",
            "status": "error",
            "code": None,
            "errors": {"business_pm": ["未知的用户名：nobody"]},
        },
    ),
]


# The ERP id in the path, with its rule (coordination.api.fields.check_erp_id).
ERP_ID_PATH = OpenApiParameter(
    "erp_id",
    str,
    OpenApiParameter.PATH,
    pattern=ERP_ID_PATTERN,
    description=f"ERP编号：1–{ERP_ID_MAX_LENGTH} 个可见字符，无首尾空格、控制字符或零宽字符。",
)


class ErpCustomerUpsertView(APIView):
    """Idempotent upsert of a customer by its ERP id."""

    @extend_schema(
        summary="按ERP编号创建或更新客户（幂等）",
        description=(
            "201 新建，200 更新或无变化。完全相同的重复请求不写入任何内容："
            "`updated_at` 不变，也不产生审计事件。"
            "新建需要业务部或PMO，更新需要PMO或该客户某个项目的业务项目经理/业务负责人。"
        ),
        request=ErpCustomerUpsertSerializer,
        parameters=[ERP_ID_PATH],
        examples=CUSTOMER_EXAMPLES,
        responses={
            200: CustomerSerializer,
            201: CustomerSerializer,
            400: R400,
            401: R401,
            403: R403,
        },
    )
    def put(self, request, erp_id: str):
        check_erp_id(erp_id)
        known = Customer.objects.filter(erp_id=erp_id).first()
        require(
            can_upsert_customer(request.user, known),
            CREATE_CUSTOMER_REFUSED if known is None else EDIT_CUSTOMER_REFUSED,
        )
        serializer = ErpCustomerUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer, outcome = services.upsert_customer_by_erp_id(
            erp_id, by=request.user, data=serializer.validated_data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(CustomerSerializer(customer).data, status=code)


class ErpProjectUpsertView(APIView):
    """Idempotent upsert of a project by its ERP id."""

    @extend_schema(
        summary="按ERP编号创建或更新项目（幂等）",
        description=(
            "201 新建，200 更新或无变化。省略的可选字段在更新时保持原值。"
            "完全相同的重复请求不写入任何内容：`updated_at` 不变，也不产生审计事件。"
            "未知的 `customer_erp_id` 或用户名返回 400 并指明字段。"
            "新建需要业务部或PMO，更新需要该项目的项目经理/负责人或PMO。"
        ),
        request=ErpProjectUpsertSerializer,
        parameters=[ERP_ID_PATH],
        examples=PROJECT_EXAMPLES,
        responses={200: ProjectSerializer, 201: ProjectSerializer, 400: R400, 401: R401, 403: R403},
    )
    def put(self, request, erp_id: str):
        check_erp_id(erp_id)
        require(can_create_project(request.user), _("只有业务部或PMO可以同步ERP项目。"))
        serializer = ErpProjectUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project, outcome = services.upsert_project_by_erp_id(
            erp_id, by=request.user, data=serializer.validated_data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(ProjectSerializer(project).data, status=code)


class _Slow(Exception):
    """The value needs the serializer's own run: it may be invalid, or need coercing."""


_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")  # ProhibitNull/SurrogateCharactersValidator
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CHAR_BUILTIN = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def _run(validators, field, value):
    for validator in validators:
        if getattr(validator, "requires_context", False):
            validator(value, field)
        else:
            validator(value)
    return value


def _plain_converter(field):
    """A function giving `field.run_validation(value)` for plain JSON values of the common
    shape (raises _Slow for anything else), or None when the field is not of a kind handled
    here. Only accepts what run_validation accepts, and returns what it returns."""
    kind = type(field)
    if kind in (serializers.CharField, serializers.RegexField, ErpIdField):
        if field.allow_blank or not field.trim_whitespace:
            return None
        limit = field.max_length
        others = [  # the validators the checks below do not already make
            v
            for v in field.validators
            if type(v) not in _CHAR_BUILTIN
            and not (type(v) is MaxLengthValidator and v.limit_value == limit)
        ]

        def char(value):
            if (
                value.__class__ is not str
                or not value
                or (limit is not None and len(value) > limit)
                or value[0].isspace()  # what trim_whitespace would strip
                or value[-1].isspace()
                or _UNSAFE.search(value)
            ):
                raise _Slow
            return _run(others, field, value) if others else value

        return char
    if kind in (serializers.DecimalField, AsciiDecimalField):  # the shape below is ASCII
        if field.max_digits is None or field.decimal_places is None or field.localize:
            return None
        whole, places = field.max_digits - field.decimal_places, field.decimal_places
        if whole < 1:
            return None
        shape = re.compile(
            rf"[0-9]{{1,{whole}}}" + (rf"(?:\.[0-9]{{1,{places}}})?" if places else "")
        )

        def number(value):
            text = str(value) if value.__class__ is int else value
            if text.__class__ is not str or not shape.fullmatch(text):
                raise _Slow
            return _run(field.validators, field, field.quantize(Decimal(text)))

        return number
    if kind is serializers.DateField:
        formats = getattr(field, "input_formats", api_settings.DATE_INPUT_FORMATS)
        if not formats or formats[0].lower() != ISO_8601:
            return None

        def date(value):
            if value is None and field.allow_null:
                return None
            if value.__class__ is not str or not _ISO_DATE.fullmatch(value):
                raise _Slow
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                raise _Slow from None
            return _run(field.validators, field, parsed) if field.validators else parsed

        return date
    if kind is serializers.ChoiceField:

        def choice(value):
            if (
                value.__class__ is not str
                or not value
                or value not in field.choice_strings_to_values
            ):
                raise _Slow
            value = field.choice_strings_to_values[value]
            return _run(field.validators, field, value) if field.validators else value

        return choice
    if kind is serializers.BooleanField:

        def boolean(value):
            if value is not True and value is not False:
                raise _Slow
            return _run(field.validators, field, value) if field.validators else value

        return boolean
    return None


class PlainRows:
    """`serializer.run_validation(row)` for rows whose values all have the plain shape
    (strings without surrounding blanks, ISO dates, decimal strings, true/false, …),
    without DRF's per-field machinery; None for any other row, which the caller then gives
    to the serializer itself: its answer (and every error message) stays the serializer's.
    The fields' own rules (lengths, patterns, choices, validators) and the serializer's
    `validate()` are used as they are; a serializer with a field of another kind, a
    default, a dotted source, a `validate_<field>` method or serializer-level validators
    is never taken over (every row goes to the serializer)."""

    def __init__(self, serializer):
        self.serializer = serializer
        self.converters: list | None = []
        if serializer.validators:
            self.converters = None
            return
        for name, field in serializer.fields.items():
            if field.read_only:
                continue
            convert = _plain_converter(field)
            if (
                convert is None
                or field.source != name
                or field.default is not empty
                or hasattr(serializer, f"validate_{name}")
            ):
                self.converters = None
                return
            self.converters.append((name, field.required, convert))

    def __call__(self, row: dict) -> dict | None:
        if self.converters is None:
            return None
        attrs = {}
        try:
            for name, required, convert in self.converters:
                value = row.get(name, empty)
                if value is empty:
                    if required:
                        return None
                    continue
                attrs[name] = convert(value)
            return self.serializer.validate(attrs)
        except (_Slow, ValidationError, DjangoValidationError):
            return None


def _lookup_key(value) -> str | None:
    """The batch key a row refers to, as its serializer will read it (ints become strings);
    None for values the serializer rejects anyway (so they never reach the database)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    value = str(value)
    return value if value and len(value) <= 150 and "\x00" not in value else None


class ErpProjectBulkView(APIView):
    """Bulk upsert of up to 1,000 projects: valid rows written in one transaction per batch,
    invalid rows reported and skipped (projects/erp_bulk.py)."""

    @extend_schema(
        summary="批量按ERP编号创建或更新项目",
        description=(
            f"请求体是最多 {MAX_BULK_ROWS} 个 upsert 请求体的 JSON 数组，每个带 `erp_id`。"
            "应答 200，每行一个结果：`status` 为 created / updated / unchanged / error，"
            "出错时 `errors` 按字段列出原因。"
            "每行各自校验（字段、引用、权限）：出错的行被报告并跳过，"
            "其余有效行在同一个事务中批量写入（每批一个事务）；无变化的行不写入任何内容。"
            "同一批中重复的 `erp_id`，以及与并发请求同时新建的 `erp_id`，"
            "在该事务之后按批内顺序逐行处理（每行一个事务）。"
            "客户和用户按本批的键各查询一次。超过上限或不是数组返回 400。"
        ),
        request=whole_array(ErpProjectBulkRowSerializer(), max_items=MAX_BULK_ROWS),
        examples=BULK_EXAMPLES,
        responses={
            200: ErpBulkResultSerializer(many=True),
            400: R400,
            401: R401,
            403: R403,
            413: TOO_LARGE,
        },
    )
    def post(self, request):
        require(can_create_project(request.user), _("只有业务部或PMO可以同步ERP项目。"))
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": [_("请求体必须是 JSON 数组。")]})
        if len(rows) > MAX_BULK_ROWS:
            raise ValidationError(
                {"non_field_errors": [_("一次最多 %(n)d 行。") % {"n": MAX_BULK_ROWS}]}
            )
        # one serializer validates every row, as a many=True serializer's child does
        serializer = ErpProjectBulkRowSerializer(context=self._lookups(rows))
        plain = PlainRows(serializer)
        results, items, positions = [], [], []
        for row in rows:
            result, data = self._validate_row(row, serializer, plain)
            if data is not None:
                items.append((data.pop("erp_id"), data))
                positions.append(len(results))
            results.append(result)
        try:
            outcomes = bulk_upsert_projects(items, by=request.user)
        except DatabaseError:  # e.g. a deadlock: every row tries again on its own
            outcomes = [None] * len(items)
        # rows the set-based path hands back (duplicate erp_id in the batch, an erp_id
        # inserted concurrently) go through the per-row path, in batch order
        for (erp_id, data), position, outcome in zip(items, positions, outcomes, strict=True):
            if outcome is None:
                outcome = self._upsert_one(request.user, erp_id, data)
            self._record(results[position], outcome)
        return Response(results)

    @staticmethod
    def _lookups(rows: list) -> dict:
        """Customers and users named by the batch, one query each."""
        customer_ids, usernames = set(), set()
        for row in rows:
            if not isinstance(row, dict):
                continue
            if key := _lookup_key(row.get("customer_erp_id")):
                customer_ids.add(key)
            for field in ("business_pm", "engineering_pm"):
                if key := _lookup_key(row.get(field)):
                    usernames.add(key)
        customers = {c.erp_id: c for c in Customer.objects.filter(erp_id__in=customer_ids)}
        users = {
            u.username: u
            for u in with_client_flags(
                User.objects.filter(username__in=usernames, is_active=True)
            ).prefetch_related("groups")
        }
        for user in users.values():  # the PM rule's can_write asks no query per user
            remember_group_names(user, [g.name for g in user.groups.all()])
        return {"customers": customers, "users": users}

    @staticmethod
    def _validate_row(row, serializer, plain) -> tuple[dict, dict | None]:
        """The row's result skeleton and its validated data (None when invalid)."""
        erp_id = _lookup_key(row.get("erp_id")) if isinstance(row, dict) else None
        result = {
            "erp_id": erp_id,
            "status": "error",
            "code": None,
            "errors": {},
        }
        if not isinstance(row, dict):
            result["errors"] = {"non_field_errors": [_("每一行必须是 JSON 对象。")]}
            return result, None
        data = plain(row)
        if data is not None:
            return result, data
        try:
            data = serializer.run_validation(row)
        except ValidationError as exc:  # what is_valid() puts in `errors`
            result["errors"] = exc.detail
            return result, None
        return result, dict(data)

    @staticmethod
    def _upsert_one(user, erp_id: str, data: dict):
        """The per-row path: its own transaction; an outcome like bulk_upsert_projects'."""
        try:
            project, outcome = services.upsert_project_by_erp_id(erp_id, by=user, data=data)
            return project.code, outcome
        except (DjangoValidationError, PermissionDenied, Conflict, DatabaseError) as exc:
            return exc

    @staticmethod
    def _record(result: dict, outcome) -> None:
        if isinstance(outcome, DjangoValidationError):
            result["errors"] = validation_error_dict(outcome)
        elif isinstance(outcome, PermissionDenied):
            result["errors"] = {"non_field_errors": [str(outcome) or _("你没有执行此操作的权限。")]}
        elif isinstance(outcome, Conflict):
            result["errors"] = {"non_field_errors": [outcome.detail, *outcome.unmet]}
        elif isinstance(outcome, DatabaseError):
            result["errors"] = {"non_field_errors": [_("保存失败，请重试该行。")]}
        else:
            code, outcome_status = outcome
            result.update(status=outcome_status, code=code)
