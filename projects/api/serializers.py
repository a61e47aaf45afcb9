"""Shapes of the projects API (API.md). Serializers validate shape only; services decide rules."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from coordination.api.fields import AsciiDecimalField, ErpIdField, ModelSerializer
from coordination.core.limits import NOTE_MAX_LENGTH
from projects.core.models import (
    PROJECT_READ_ONLY_FIELDS,
    PROJECT_SHOWN_FIELDS,
    Customer,
    Milestone,
    PrimaryOwner,
    Project,
    Risk,
    Stage,
    check_planned_dates,
)

User = get_user_model()

MAX_BULK_ROWS = 1000


def _blank_to_none(value):
    return value or None


class UsernameField(serializers.SlugRelatedField):
    """A user addressed by username; unknown or inactive usernames are a 400 on that field."""

    default_error_messages = {
        "does_not_exist": _("未知的用户名：{value}"),
        "invalid": _("无效的用户名。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(slug_field="username", **kwargs)


# ---------------------------------------------------------------- customers
class CustomerSerializer(ModelSerializer):
    erp_id = ErpIdField(
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[
            UniqueValidator(queryset=Customer.objects.all(), message=_("该ERP编号已被使用。"))
        ],
        help_text=_("ERP中的客户编号（唯一），可为空"),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "erp_id",
            "name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_erp_id(self, value):
        return _blank_to_none(value)


class ErpCustomerUpsertSerializer(ModelSerializer):
    """Body of `PUT /api/v1/erp/customers/{erp_id}/` (erp_id comes from the path)."""

    class Meta:
        model = Customer
        fields = ["name", "contact_name", "contact_email", "contact_phone", "address", "notes"]


# ---------------------------------------------------------------- projects
# The API's project: its shown fields with the customer's ERP id and name after `customer`.
PROJECT_API_FIELDS = [
    *PROJECT_SHOWN_FIELDS[: PROJECT_SHOWN_FIELDS.index("customer") + 1],
    "customer_erp_id",
    "customer_name",
    *PROJECT_SHOWN_FIELDS[PROJECT_SHOWN_FIELDS.index("customer") + 1 :],
]
# the `values()` path of each API field that is not one of the project's own columns
_VALUES_PATH = {
    "customer": "customer_id",
    "customer_erp_id": "customer__erp_id",
    "customer_name": "customer__name",
    "business_pm": "business_pm__username",
    "engineering_pm": "engineering_pm__username",
}


class ProjectSerializer(ModelSerializer):
    erp_id = ErpIdField(
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[
            UniqueValidator(queryset=Project.objects.all(), message=_("该ERP编号已被使用。"))
        ],
        help_text=_("ERP中的项目编号（唯一），可为空"),
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), help_text=_("客户ID")
    )
    customer_erp_id = serializers.CharField(
        source="customer.erp_id", read_only=True, allow_null=True, help_text=_("客户的ERP编号")
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    business_pm = UsernameField(help_text=_("业务项目经理的用户名"))
    engineering_pm = UsernameField(help_text=_("工程项目经理的用户名"))
    contract_value = AsciiDecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("合同金额（十进制字符串）"),
    )
    baseline_budget = AsciiDecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    forecast_budget = AsciiDecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, help_text=_("ISO 4217 币种代码，默认 CNY")
    )

    class Meta:
        model = Project
        fields = PROJECT_API_FIELDS
        read_only_fields = PROJECT_READ_ONLY_FIELDS

    def validate_erp_id(self, value):
        return _blank_to_none(value)


# The project list's read path: `values()` rows -> the same dicts `ProjectSerializer`
# produces (DRF's field-by-field serializer dominates the list's cost: docs/performance.md).
# tests/api/test_project_list_fast.py compares both field by field; `project_list_rows`
# reads the columns in this order.
PROJECT_LIST_VALUES = tuple(_VALUES_PATH.get(name, name) for name in PROJECT_API_FIELDS)
_CENTS = Decimal("0.01")


def _decimal(value):
    # DRF DecimalField(decimal_places=2): quantized, fixed-point string
    return None if value is None else f"{value.quantize(_CENTS):f}"


def _date(value):
    return None if value is None else value.isoformat()


def _datetime(value, tz):
    # DRF DateTimeField: in the current time zone, ISO 8601, "+00:00" written "Z"
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def project_list_rows(rows) -> list[dict]:
    """`ProjectSerializer(...).data` for rows of `qs.values_list(*PROJECT_LIST_VALUES)`."""
    tz = timezone.get_current_timezone()
    return [
        {
            "code": code,
            "erp_id": erp_id,
            "name": name,
            "stage": stage,
            "stage_changed_at": _datetime(stage_changed_at, tz),
            "customer": customer_id,
            "customer_erp_id": customer__erp_id,
            "customer_name": customer__name,
            "business_pm": business_pm__username,
            "engineering_pm": engineering_pm__username,
            "primary_owner": primary_owner,
            "is_key_project": is_key_project,
            "contract_value": _decimal(contract_value),
            "currency": currency,
            "baseline_budget": _decimal(baseline_budget),
            "forecast_budget": _decimal(forecast_budget),
            "contract_signed_on": _date(contract_signed_on),
            "planned_start": _date(planned_start),
            "planned_end": _date(planned_end),
            "forecast_end": _date(forecast_end),
            "actual_start": _date(actual_start),
            "actual_end": _date(actual_end),
            "description": description,
            "customer_core_needs": customer_core_needs,
            "expected_standards": expected_standards,
            "created_at": _datetime(created_at, tz),
            "updated_at": _datetime(updated_at, tz),
        }
        for (
            code,
            erp_id,
            name,
            stage,
            stage_changed_at,
            customer_id,
            customer__erp_id,
            customer__name,
            business_pm__username,
            engineering_pm__username,
            primary_owner,
            is_key_project,
            contract_value,
            currency,
            baseline_budget,
            forecast_budget,
            contract_signed_on,
            planned_start,
            planned_end,
            forecast_end,
            actual_start,
            actual_end,
            description,
            customer_core_needs,
            expected_standards,
            created_at,
            updated_at,
        ) in rows
    ]


class ErpProjectUpsertSerializer(serializers.Serializer):
    """Body of `PUT /api/v1/erp/projects/{erp_id}/`.

    Fields left out keep their current value on an update and the default on a create.
    Customer and users are resolved from `context["customers"]` / `context["users"]`
    (dicts keyed by ERP id / username, filled once per bulk batch) or looked up singly.
    """

    name = serializers.CharField(max_length=200)
    customer_erp_id = ErpIdField(help_text=_("客户的ERP编号（须已存在）"))
    contract_value = AsciiDecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text=_("默认 CNY"))
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    business_pm = serializers.CharField(max_length=150, help_text=_("业务项目经理的用户名"))
    engineering_pm = serializers.CharField(max_length=150, help_text=_("工程项目经理的用户名"))
    primary_owner = serializers.ChoiceField(choices=PrimaryOwner.choices, required=False)
    is_key_project = serializers.BooleanField(required=False)

    def _customer(self, erp_id: str):
        customers = self.context.get("customers")
        if customers is not None:
            return customers.get(erp_id)
        return Customer.objects.filter(erp_id=erp_id).first()

    def _user(self, username: str):
        users = self.context.get("users")
        if users is not None:
            return users.get(username)
        return User.objects.filter(username=username, is_active=True).first()

    def validate(self, attrs):
        errors = {}
        customer = self._customer(attrs.pop("customer_erp_id"))
        if customer is None:
            errors["customer_erp_id"] = [_("未知的客户ERP编号。")]
        else:
            attrs["customer"] = customer
        for field in ("business_pm", "engineering_pm"):
            user = self._user(attrs[field])
            if user is None:
                errors[field] = [_("未知的用户名：%(name)s") % {"name": attrs[field]}]
            else:
                attrs[field] = user
        try:
            check_planned_dates(attrs.get("planned_start"), attrs.get("planned_end"))
        except DjangoValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ErpProjectBulkRowSerializer(ErpProjectUpsertSerializer):
    """One row of `POST /api/v1/erp/projects/bulk/`: an upsert body plus its `erp_id`."""

    erp_id = ErpIdField()


class ErpBulkResultSerializer(serializers.Serializer):
    erp_id = serializers.CharField(allow_null=True, read_only=True)  # an answer, never input
    status = serializers.ChoiceField(
        choices=[
            ("created", "created"),
            ("updated", "updated"),
            ("unchanged", "unchanged"),
            ("error", "error"),
        ]
    )
    code = serializers.CharField(allow_null=True, help_text=_("项目编号（出错时为 null）"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("出错时按字段列出原因，否则为空对象"),
    )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices, help_text=_("目标阶段"))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    override = serializers.BooleanField(
        required=False, default=False, help_text=_("PMO 豁免可豁免的门禁条件（须填写原因）")
    )


# ---------------------------------------------------------------- milestones and risks
class MilestoneSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True, help_text=_("项目编号"))
    forecast_date = serializers.DateField(required=False, help_text=_("默认等于基线日期"))
    slip_days = serializers.IntegerField(read_only=True, help_text=_("预测日期比基线晚的天数"))

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "description",
            "owner_department",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "status",
            "is_committed",
            "sequence",
            "slip_days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class RiskSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True, help_text=_("项目编号"))
    owner = UsernameField(required=False, allow_null=True, help_text=_("负责人的用户名"))
    probability = serializers.IntegerField(min_value=1, max_value=5, required=False)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False)
    score = serializers.IntegerField(read_only=True, help_text=_("可能性 × 影响"))

    class Meta:
        model = Risk
        fields = [
            "id",
            "project",
            "title",
            "description",
            "category",
            "probability",
            "impact",
            "score",
            "owner",
            "owner_department",
            "mitigation",
            "contingency",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
