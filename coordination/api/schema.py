"""Shared OpenAPI pieces: the error shapes of API.md, ready for @extend_schema(responses=...).

Use these instead of declaring per-app "Error"/"Conflict" serializers: components with the
same name and different classes make drf-spectacular warn and produce a wrong schema.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ApiConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    unmet = serializers.ListField(child=serializers.CharField(), help_text="unmet conditions")


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Bad input: `{"field": ["message"]}` (`non_field_errors` for the whole body).',
    examples=[OpenApiExample("bad input", value={"business_pm": ["未知的用户名：nobody"]})],
)
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="No or invalid credentials.")
FORBIDDEN = OpenApiResponse(
    ApiErrorSerializer, description="Known object, action not allowed to you."
)
NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description="No such object, or outside what you may see."
)
CONFLICT = OpenApiResponse(
    ApiConflictSerializer,
    description="State conflict or unmet gate: `unmet` lists every unmet condition.",
    examples=[
        OpenApiExample(
            "gate refused",
            value={"detail": "阶段门禁条件未满足。", "unmet": ["里程碑未完成：竣工验收"]},
        )
    ],
)
TOO_LARGE = OpenApiResponse(ApiErrorSerializer, description="Request body too large.")
