"""API of comment threads (API.md, the shared platform): `GET /api/v1/comments/?target=`,
`POST /api/v1/comments/` `{"target", "body"}`, `PATCH /api/v1/comments/{id}/` `{"body"}`
within the edit window.

A malformed `target` is 400 naming `target`; one outside what the caller may see is 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer, OffsetDateTimeField
from coordination.api.inputs import validated_input
from coordination.api.pagination import PageNumberPagination
from coordination.api.schema import BAD_REQUEST, ApiConflictSerializer, ApiErrorSerializer
from coordination.conversations import services, targets
from coordination.conversations.markup import render
from coordination.conversations.models import Comment, CommentRevision
from coordination.conversations.selectors import thread, visible_comments

TARGET_HELP = (
    "kind:key, kind one of project (key: the project's code), task, change_request, "
    "handover_item, feasibility, commitment, review (key: the record's id)"
)


class RevisionSerializer(ModelSerializer):
    edited_by = serializers.CharField(source="edited_by.username", read_only=True)

    class Meta:
        model = CommentRevision
        fields = ["body", "edited_by", "edited_at"]
        read_only_fields = fields


class CommentSerializer(ModelSerializer):
    target = serializers.CharField(read_only=True, help_text=TARGET_HELP)
    author = serializers.CharField(source="author.username", read_only=True)
    html = serializers.SerializerMethodField(help_text="the body rendered and sanitised")
    mentioned = serializers.SerializerMethodField(help_text="usernames notified")
    editable_until = OffsetDateTimeField(read_only=True, source="edit_deadline")
    revisions = RevisionSerializer(many=True, read_only=True, help_text="earlier texts")

    class Meta:
        model = Comment
        fields = [
            "id",
            "target",
            "author",
            "body",
            "html",
            "mentioned",
            "created_at",
            "edited_at",
            "editable_until",
            "revisions",
        ]
        read_only_fields = fields

    def get_html(self, obj: Comment) -> str:
        return str(render(obj.body, members={u.username for u in obj.mentioned.all()}))

    def get_mentioned(self, obj: Comment) -> list[str]:
        return sorted(u.username for u in obj.mentioned.all())


class CommentInSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=80, help_text=TARGET_HELP)
    body = serializers.CharField(max_length=services.MAX_BODY, help_text="markdown subset")


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_BODY, help_text="markdown subset")


COMMENT_EXAMPLE = {
    "id": 7,
    "target": "task:12",
    "author": "biz_pm",
    "body": "@eng_pm 客户要求 **10 月 15 日**前完成基础验收",
    "html": (
        '<p><span class="mention">@eng_pm</span> 客户要求 '
        "<strong>10 月 15 日</strong>前完成基础验收</p>\n"
    ),
    "mentioned": ["eng_pm"],
    "created_at": "2026-09-28T10:02:00+08:00",
    "edited_at": None,
    "editable_until": "2026-09-28T10:17:00+08:00",
    "revisions": [],
}


def _with_deadline(comments):
    for c in comments:
        c.edit_deadline = services.editable_until(c)
    return comments


def _one(pk: int) -> Comment:
    c = thread_of_one(pk)
    return _with_deadline([c])[0]


def thread_of_one(pk: int) -> Comment:
    return (
        Comment.objects.select_related("author")
        .prefetch_related("mentioned", "revisions__edited_by")
        .get(pk=pk)
    )


class PaginatedComments(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CommentSerializer(many=True)


class CommentListView(APIView):
    """A record's comment thread, oldest first; POST adds a comment (`@username` of a
    project member notifies them)."""

    @extend_schema(
        operation_id="comment_list",
        parameters=[OpenApiParameter("target", str, required=True, description=TARGET_HELP)],
        responses={200: PaginatedComments, 400: BAD_REQUEST, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "a thread",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [COMMENT_EXAMPLE]},
            ),
            OpenApiExample(
                "refused: a malformed target",
                response_only=True,
                status_codes=["400"],
                value={"target": ["对象须写作 类型:编号 …"]},
            ),
        ],
    )
    def get(self, request):
        target = targets.resolve(request.query_params.get("target", ""), request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(thread(target), request, view=self)
        data = CommentSerializer(_with_deadline(page), many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="comment_create",
        request=CommentInSerializer,
        responses={
            201: CommentSerializer,
            400: BAD_REQUEST,
            403: ApiErrorSerializer,
            404: ApiErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "a comment with a mention",
                request_only=True,
                value={
                    "target": "task:12",
                    "body": "@eng_pm 客户要求 **10 月 15 日**前完成基础验收",
                },
            ),
            OpenApiExample(
                "posted", response_only=True, status_codes=["201"], value=COMMENT_EXAMPLE
            ),
        ],
    )
    def post(self, request):
        data = validated_input(CommentInSerializer, request)
        target = targets.resolve(data["target"], request.user)
        comment = services.post_comment(target, by=request.user, body=data["body"])
        return Response(CommentSerializer(_one(comment.pk)).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    """One comment. PATCH: its author changes the text within COMMENT_EDIT_MINUTES of posting
    (403 for anyone else, 409 once the window closed); the previous text is kept in
    `revisions`."""

    @extend_schema(
        operation_id="comment_retrieve",
        responses={200: CommentSerializer, 404: ApiErrorSerializer},
        examples=[OpenApiExample("a comment", response_only=True, value=COMMENT_EXAMPLE)],
    )
    def get(self, request, pk: int):
        comment = _visible(request, pk)
        return Response(CommentSerializer(_one(comment.pk)).data)

    @extend_schema(
        operation_id="comment_partial_update",
        request=CommentEditSerializer,
        responses={
            200: CommentSerializer,
            400: BAD_REQUEST,
            403: ApiErrorSerializer,
            404: ApiErrorSerializer,
            409: ApiConflictSerializer,
        },
        examples=[
            OpenApiExample(
                "a corrected text", request_only=True, value={"body": "客户要求 10 月 **20** 日前"}
            )
        ],
    )
    def patch(self, request, pk: int):
        comment = _visible(request, pk)
        services.require_author(request.user, comment)
        data = validated_input(CommentEditSerializer, request)
        target = targets.resolve(comment.target, request.user)
        services.edit_comment(comment.pk, target, by=request.user, body=data["body"])
        return Response(CommentSerializer(_one(comment.pk)).data)


def _visible(request, pk: int) -> Comment:
    return get_object_or_404(visible_comments(request.user), pk=pk)
