"""`GET /api/v1/kpis/appraisal/?year=`: the per-person annual appraisal (the page's and the
export's figures, kpi.appraisal: PMO and executives everyone's, anyone else their own)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import AsciiDecimalField
from coordination.api.schema import BAD_REQUEST
from kpi.appraisal import BadYear, appraisal_for, parse_year

DECIMAL = {"max_digits": 18, "decimal_places": 4, "allow_null": True}


class AppraisalRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    target = AsciiDecimalField(max_digits=12, decimal_places=2)
    value = AsciiDecimalField(**DECIMAL, help_text="over the person's own projects")
    numerator = AsciiDecimalField(**DECIMAL)
    denominator = AsciiDecimalField(**DECIMAL)
    no_cases = serializers.BooleanField(help_text="nothing to count: value is null, not 0")
    department_value = AsciiDecimalField(**DECIMAL, help_text="the person's department's figure")


class AppraisalPersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    projects = serializers.IntegerField(help_text="PM, business lead or engineering director")
    rows = AppraisalRowSerializer(many=True)


class AppraisalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    period = serializers.CharField()
    frozen = serializers.BooleanField(help_text="the year is closed: values frozen at close")
    people = AppraisalPersonSerializer(many=True)


class KpiAppraisal(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="2000–2100; default this year")],
        responses={200: AppraisalSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        """Each PM's and lead's joint KPIs over their own projects for a year, with their
        department's figure beside each (PMO and executives: everyone; others: themselves)."""
        try:
            year_no = parse_year(request.query_params.get("year"))
        except BadYear as exc:
            raise ValidationError({"year": [_("年份无效。")]}) from exc
        return Response(AppraisalSerializer(appraisal_for(request.user, year_no)).data)
