"""Query filters of the projects API (django-filter). Bad values answer 400, never 500."""

import datetime

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from projects.core.models import Customer, Milestone, Project, Risk, Stage


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    """ISO 8601, handed to the database in UTC: PostgreSQL refuses offsets beyond ±15:59
    (a 500 otherwise); a moment outside years 1-9999 once in UTC answers 400."""

    def filter(self, qs, value):
        if value:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError({self.field_name: [_("时间超出范围。")]})
        return super().filter(qs, value)


class UpdatedSinceFilterSet(filters.FilterSet):
    """Every ERP-facing list: `?updated_since=<ISO 8601 datetime>` for incremental sync."""

    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("只返回在此时间（含）之后更新的记录，ISO 8601，例如 2026-11-25T08:00:00Z"),
    )


class CustomerFilter(UpdatedSinceFilterSet):
    erp_id = filters.CharFilter(field_name="erp_id", label=_("ERP编号"))

    class Meta:
        model = Customer
        fields = ["erp_id", "updated_since"]


class ProjectFilter(UpdatedSinceFilterSet):
    stage = filters.MultipleChoiceFilter(
        choices=Stage.choices, label=_("阶段（可重复：?stage=a&stage=b）")
    )
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户ID"))
    business_pm = filters.CharFilter(
        field_name="business_pm__username", label=_("业务项目经理（用户名）")
    )
    engineering_pm = filters.CharFilter(
        field_name="engineering_pm__username", label=_("工程项目经理（用户名）")
    )
    is_key_project = filters.BooleanFilter(label=_("重点项目"))
    erp_id = filters.CharFilter(field_name="erp_id", label=_("ERP编号"))

    class Meta:
        model = Project
        fields = [
            "stage",
            "customer",
            "business_pm",
            "engineering_pm",
            "is_key_project",
            "erp_id",
            "updated_since",
        ]


class MilestoneFilter(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=Milestone.Status.choices, label=_("状态"))

    class Meta:
        model = Milestone
        fields = ["status", "updated_since"]


class RiskFilter(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=Risk.Status.choices, label=_("状态"))
    category = filters.MultipleChoiceFilter(choices=Risk.Category.choices, label=_("类别"))

    class Meta:
        model = Risk
        fields = ["status", "category", "updated_since"]


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` plus `id` as the last key, so paging through equal values misses nothing;
    with `?updated_since=` and no `?ordering=`: `updated_at, id`."""

    def get_ordering(self, request, queryset, view):
        if "updated_since" in request.query_params and not request.query_params.get(
            self.ordering_param
        ):
            # incremental sync: oldest change first, so a record changed while the client
            # pages moves behind it (seen later) instead of slipping past it
            return ["updated_at", "id"]
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            last_desc = bool(ordering) and ordering[-1].startswith("-")
            ordering.append("-id" if last_desc else "id")
        return ordering
