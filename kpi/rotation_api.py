"""GET /api/v1/kpis/rotation-comparison/: the joint KPIs of projects whose PM rotated against
the others (kpi.selectors.rotation_comparison, the page's figures)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import AsciiDecimalField
from coordination.api.schema import BAD_REQUEST
from kpi.params import parse_rotation_params
from kpi.selectors.rotation_comparison import rotation_comparison


def _decimal():
    return AsciiDecimalField(max_digits=16, decimal_places=4, allow_null=True)


class RotationComparisonCellSerializer(serializers.Serializer):
    value = _decimal()
    numerator = _decimal()
    denominator = _decimal()
    no_cases = serializers.BooleanField()
    per_project = AsciiDecimalField(max_digits=16, decimal_places=2, allow_null=True)


class RotationComparisonRowSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    per_project = serializers.BooleanField(help_text="compare `per_project` (a count KPI)")
    rotated = RotationComparisonCellSerializer()
    others = RotationComparisonCellSerializer()


class RotationComparisonGroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    projects = serializers.IntegerField()


class RotationComparisonGroupsSerializer(serializers.Serializer):
    rotated = RotationComparisonGroupSerializer()
    others = RotationComparisonGroupSerializer()


class RotationComparisonSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    min_group = serializers.IntegerField()
    groups = RotationComparisonGroupsSerializer()
    too_few = serializers.ListField(
        child=serializers.CharField(), help_text="groups of fewer than min_group projects"
    )
    comparable = serializers.BooleanField()
    rows = RotationComparisonRowSerializer(many=True)


class KpiRotationComparison(APIView):
    """Projects whose business or engineering PM completed a job rotation before the
    project's contract date (`rotated`) against the other contracted projects (`others`):
    the joint KPIs of the period and change requests per project, each group's size, and
    `comparable` false when a group has fewer than `min_group` projects."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="2026, 2026-Q3 or 2026-07 (default: this year)"
            )
        ],
        responses={200: RotationComparisonSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        period = parse_rotation_params(request.query_params)
        return Response(RotationComparisonSerializer(rotation_comparison(period)).data)
