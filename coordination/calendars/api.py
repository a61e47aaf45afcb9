"""REST API of the working calendar: `GET /api/v1/calendar/working-days/` (API.md)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import BAD_REQUEST, UNAUTHORIZED
from coordination.core import workdays

# Dates the computation accepts: far enough for any plan, short of date.max.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
MAX_DAYS = 3650


class WorkingDaysQuery(serializers.Serializer):
    start = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text="First day of the span (YYYY-MM-DD); a day off counts from the next working day.",
    )
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, help_text="Working days in the span (1–3650)."
    )

    def validate_start(self, value: datetime.date) -> datetime.date:
        if not FIRST_DAY <= value <= LAST_DAY:
            raise serializers.ValidationError(
                _("日期须在 %(first)s 至 %(last)s 之间。")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return value


class WorkingDaysSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    finish = serializers.DateField(
        help_text="The working day on which the span ends, inclusive: a 1-day span starting "
        "on a working day finishes that day."
    )
    estimated = serializers.BooleanField(
        help_text="True when a day of the span lies beyond the statutory holiday data "
        "(chinese-calendar): that part was computed Monday to Friday."
    )


class WorkingDaysView(APIView):
    """China's working calendar (statutory holidays with 调休 make-up days, plus PMO's
    company days off and site shutdowns)."""

    @extend_schema(
        operation_id="calendar_working_days",
        summary="The finish of N working days starting on a date",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("days", OpenApiTypes.INT, required=True, description="1–3650"),
        ],
        responses={200: WorkingDaysSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample(
                "Across 国庆 2025 (1–8 October off, Saturday 11 October a working day)",
                value={
                    "start": "2025-09-30",
                    "days": 3,
                    "finish": "2025-10-10",
                    "estimated": False,
                },
                response_only=True,
            ),
            OpenApiExample(
                "Beyond the statutory data (computed Monday to Friday)",
                value={
                    "start": "2027-03-01",
                    "days": 5,
                    "finish": "2027-03-05",
                    "estimated": True,
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        query = WorkingDaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        finish = workdays.finish_of(start, days)
        return Response(
            WorkingDaysSerializer(
                {
                    "start": start,
                    "days": days,
                    "finish": finish,
                    "estimated": workdays.estimated(start, finish),
                }
            ).data
        )
