"""REST API of the notification centre (API.md): `GET /api/v1/notifications/?unread=1` and
`POST /api/v1/notifications/read/` `{"ids": [...]}` or `{"all": true}`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.authentication import ApiClientScopes, BodyIsParsed
from coordination.api.fields import ModelSerializer, id_field
from coordination.api.schema import BAD_REQUEST, UNAUTHORIZED
from coordination.core import services
from coordination.core.models import Notification
from coordination.notifications import selectors

MAX_IDS = 500


class NotificationSerializer(ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class ReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=MAX_IDS,
        help_text="Your notifications to mark read (at most 500); others' ids are ignored.",
    )
    all = serializers.BooleanField(required=False, help_text="true: mark all of yours read.")

    def validate(self, attrs):
        if "ids" in attrs and attrs.get("all"):
            raise ValidationError({"ids": [_("只能给出 ids 或 all 之一。")]})
        if "ids" not in attrs and not attrs.get("all"):
            raise ValidationError({"ids": [_("请给出要标记的通知（ids），或 all: true。")]})
        return attrs


class ReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many of yours are still unread.")


def _flag(request, name: str) -> bool:
    raw = request.query_params.get(name, "")
    if raw not in ("", "0", "1", "true", "false"):
        raise ValidationError({name: [_("请用 1 或 0。")]})
    return raw in ("1", "true")


class NotificationListView(generics.ListAPIView):
    """The caller's own notifications, newest first, paged."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            OpenApiParameter("unread", str, enum=["1", "0"], description="1: unread only."),
            OpenApiParameter("kind", str, description="One kind, e.g. `handover.item_provided`."),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        kind = self.request.query_params.get("kind", "").strip()[:60] or None
        return selectors.inbox(self.request.user, unread=_flag(self.request, "unread"), kind=kind)


class NotificationReadView(APIView):
    """Mark the caller's notifications read: some by id, or all. The caller's own inbox, so
    an executive (read-only everywhere else) may do it too."""

    permission_classes = [IsAuthenticated, ApiClientScopes, BodyIsParsed]

    @extend_schema(
        operation_id="notifications_read",
        request=ReadSerializer,
        responses={200: ReadResultSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample("Some", value={"ids": [12, 13]}, request_only=True),
            OpenApiExample("All", value={"all": True}, request_only=True),
            OpenApiExample("Done", value={"marked": 2, "unread": 5}, response_only=True),
        ],
    )
    def post(self, request):
        body = ReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = services.mark_notifications_read(
            request.user,
            ids=body.validated_data.get("ids"),
            everything=bool(body.validated_data.get("all")),
        )
        unread = selectors.inbox(request.user, unread=True).count()
        return Response({"marked": marked, "unread": unread})
