"""Query filters of the projects API (django-filter). Bad values answer 400, never 500."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from coordination.api.filters import IntegerFilter
from coordination.api.pagination import SINCE, parse_updated_since
from projects.core.models import Customer, Milestone, Project, Risk, Stage


class _UpdatedSinceField(forms.Field):
    """`parse_updated_since` as a form field: only an absent parameter means "no filter"
    (an empty one is refused like any other value that is not a datetime with an offset)."""

    def clean(self, value):
        if value is None:
            return None
        try:
            return parse_updated_since(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.detail[SINCE])


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    field_class = _UpdatedSinceField


class UpdatedSinceFilterSet(filters.FilterSet):
    """Every ERP-facing list: `?updated_since=<ISO 8601 datetime with offset>` for incremental
    sync, paged by `coordination.api.pagination.SyncPagination`'s cursor."""

    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_(
            "只返回此时间（含）之后更新的记录：带时区偏移的 ISO 8601，如 2026-11-25T08:00:00Z；"
            "按 (updated_at, id) 以游标分页，沿 next 读到 null 为止，不含 count"
        ),
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
    customer = IntegerFilter(field_name="customer_id", label=_("客户ID"))
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
    """`?ordering=` plus `id` as the last key, so paging through equal values misses nothing.
    (With `?updated_since=` the cursor pagination orders by `updated_at, id` itself.)"""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            last_desc = bool(ordering) and ordering[-1].startswith("-")
            ordering.append("-id" if last_desc else "id")
        return ordering
