"""Shared OpenAPI pieces: the error shapes of API.md, ready for @extend_schema(responses=...).

Use these instead of declaring per-app "Error"/"Conflict" serializers: components with the
same name and different classes make drf-spectacular warn and produce a wrong schema.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

from coordination.api.pagination import (
    COUNT_DESCRIPTION,
    CURSOR,
    CURSOR_DESCRIPTION,
    NEXT_DESCRIPTION,
    SINCE,
    SINCE_DESCRIPTION,
)


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

# `?updated_since=` of a list paged by SyncPagination (which documents `cursor` itself) ...
SINCE_PARAMETER = OpenApiParameter(SINCE, OpenApiTypes.DATETIME, description=SINCE_DESCRIPTION)
# ... and of one paged by SyncPagination by hand (an APIView): its parameters and envelope.
SYNC_PARAMETERS = [
    SINCE_PARAMETER,
    OpenApiParameter(CURSOR, str, description=CURSOR_DESCRIPTION),
    OpenApiParameter("page", int, description="A page number (not with `updated_since`)."),
    OpenApiParameter("page_size", int, description="Rows per page (at most 200)."),
]


def sync_page(name: str, results: serializers.Serializer) -> serializers.Serializer:
    """`{"count", "next", "previous", "results"}`, `count` absent with `updated_since`."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(required=False, help_text=COUNT_DESCRIPTION),
            "next": serializers.URLField(allow_null=True, help_text=NEXT_DESCRIPTION),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


def postprocess_page_not_found(result, generator, request, public):
    """Paginated lists answer 404 for a page past the end (DRF): document it on each of them."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            params = operation.get("parameters", [])
            if any(p.get("name") == "page" and p.get("in") == "query" for p in params):
                operation.setdefault("responses", {}).setdefault(
                    "404",
                    {
                        "description": "Invalid page (past the last one).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"detail": {"type": "string"}},
                                    "required": ["detail"],
                                }
                            }
                        },
                    },
                )
    return result


TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"


def postprocess_local_time(result, generator, request, public):
    """Times of day are local ("09:00:00", no offset); JSON Schema's `format: time` demands an
    offset (RFC 3339), so validators reject what we send. Describe them by a pattern instead."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node.pop("format")
                node["pattern"] = TIME_PATTERN
                node.setdefault("example", "09:00:00")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("components", {}))
    walk(result.get("paths", {}))
    return result
