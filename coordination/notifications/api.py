"""REST API of the notification centre (API.md): `GET /api/v1/notifications/?unread=1`,
`POST /api/v1/notifications/read/` `{"ids": [...]}` or `{"all": true}`, and the caller's
preferences `GET/PUT /api/v1/notifications/preferences/`."""

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
from coordination.core import channels_rule, services
from coordination.core.models import Notification
from coordination.notifications import selectors

MAX_IDS = 500


class NotificationSerializer(ModelSerializer):
    unread = serializers.SerializerMethodField()
    project = serializers.CharField(
        source="project_code",
        read_only=True,
        help_text="Code of the project it is about; empty when none.",
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "project",
            "subject",
            "body",
            "url",
            "created_at",
            "read_at",
            "unread",
        ]
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
            OpenApiParameter(
                "project",
                str,
                description="A project's code: only notifications about it. A code none of "
                "your notifications is about is a 400 naming `project`.",
            ),
        ],
        responses={200: NotificationSerializer(many=True), 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        kind = self.request.query_params.get("kind", "").strip()[:60] or None
        project = self.request.query_params.get("project", "").strip()
        if project and (len(project) > 40 or not selectors.has_project(self.request.user, project)):
            raise ValidationError({"project": [_("您的通知中没有这个项目。")]})
        return selectors.inbox(
            self.request.user,
            unread=_flag(self.request, "unread"),
            kind=kind,
            project=project or None,
        )


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


class PreferenceRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=sorted(channels_rule.KIND_CODES), help_text="The kind of event."
    )
    label = serializers.CharField(read_only=True, help_text="The kind's name, in your language.")
    inapp = serializers.BooleanField(required=False, help_text="In the in-app inbox.")
    email = serializers.BooleanField(required=False, help_text="By e-mail.")
    work_notice = serializers.BooleanField(
        required=False, help_text="As a DingTalk / WeCom / Feishu work notice."
    )
    inapp_required = serializers.BooleanField(
        read_only=True, help_text="In-app cannot be switched off (awaits your decision)."
    )


class PreferencesSerializer(serializers.Serializer):
    daily_digest = serializers.BooleanField(
        required=False, help_text="One e-mail a day with the last day's unread notifications."
    )
    kinds = PreferenceRowSerializer(many=True, required=False, max_length=200)


PREFERENCES_EXAMPLE = {
    "daily_digest": False,
    "kinds": [
        {
            "kind": "task.assigned",
            "label": "任务分配",
            "inapp": True,
            "email": False,
            "work_notice": True,
            "inapp_required": False,
        }
    ],
}


class NotificationPreferencesView(APIView):
    """The caller's notification preferences: per kind of event, in-app / e-mail / work
    notice, and the daily digest. PUT sets the kinds and channels it names (the others keep
    theirs) and answers with the whole grid. The caller's own settings, so an executive may
    change them too."""

    permission_classes = [IsAuthenticated, ApiClientScopes, BodyIsParsed]

    @extend_schema(
        operation_id="notifications_preferences",
        responses={200: PreferencesSerializer, 401: UNAUTHORIZED},
        examples=[OpenApiExample("Grid", value=PREFERENCES_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return Response(PreferencesSerializer(services.notification_preferences(request.user)).data)

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample(
                "E-mail off for tasks, digest on",
                value={"daily_digest": True, "kinds": [{"kind": "task.assigned", "email": False}]},
                request_only=True,
            ),
            OpenApiExample("Grid", value=PREFERENCES_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request):
        body = PreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        choices = [
            (row["kind"], channel, row[channel])
            for row in data.get("kinds", [])
            for channel in channels_rule.PREFERENCE_CHANNELS
            if channel in row
        ]
        services.set_notification_preferences(
            request.user, choices, daily_digest=data.get("daily_digest")
        )
        return Response(PreferencesSerializer(services.notification_preferences(request.user)).data)
