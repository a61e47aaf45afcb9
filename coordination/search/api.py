"""REST API of search: `GET /api/v1/search/?q=` (API.md, docs/notifications-and-search.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import BAD_REQUEST, UNAUTHORIZED
from coordination.search import selectors


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(
        min_length=selectors.MIN_LENGTH,
        max_length=selectors.MAX_LENGTH,
        trim_whitespace=True,
        help_text="The text to find (2–100 characters), matched anywhere in a title or name.",
        error_messages={
            "required": _("请输入要搜索的内容（q）。"),
            "blank": _("请输入要搜索的内容（q）。"),
            "min_length": _("搜索内容至少 {min_length} 个字符。"),
        },
    )


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class HitIdField(serializers.ReadOnlyField):
    pass


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(name, name) for name in selectors.KINDS],
        help_text="project, customer, task, change_request, document, comment.",
    )
    id = HitIdField(
        help_text="What the API addresses the record by: a project's code, otherwise its id."
    )
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page (a path on this site).")
    project = serializers.CharField(
        allow_null=True, help_text="The code of the project the record belongs to, or null."
    )


class SearchResultsSerializer(serializers.Serializer):
    results = HitSerializer(many=True)


class SearchView(APIView):
    """Projects, customers, tasks, change requests, documents (by name) and comments the
    caller may see, grouped by kind (at most 8 of each, newest first)."""

    @extend_schema(
        operation_id="search",
        summary="Search what the caller may see",
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="2–100 characters; an empty q is a 400."
            )
        ],
        responses={200: SearchResultsSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample(
                "A 2-character Chinese text",
                value={
                    "results": [
                        {
                            "kind": "project",
                            "id": "PRJ-2026-0001",
                            "title": "PRJ-2026-0001 泵站改造",
                            "url": "/projects/PRJ-2026-0001/",
                            "project": "PRJ-2026-0001",
                        },
                        {
                            "kind": "task",
                            "id": 12,
                            "title": "泵站设备安装",
                            "url": "/tasks/12/",
                            "project": "PRJ-2026-0001",
                        },
                    ]
                },
                response_only=True,
            ),
            OpenApiExample(
                "No q",
                value={"q": ["请输入要搜索的内容（q）。"]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def get(self, request):
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        groups = selectors.search(request.user, query.validated_data["q"])
        hits = [hit for _kind, group in groups for hit in group]
        return Response(SearchResultsSerializer({"results": hits}).data)
