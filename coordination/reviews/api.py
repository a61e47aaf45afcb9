"""API of the review loop (API.md): cadences, reviews, action items, reminders.

Views parse and authorise; every write goes through coordination.reviews.services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import ModelSerializer, many_related
from coordination.api.pagination import SyncPagination, updated_since
from coordination.api.schema import BAD_REQUEST, SINCE_PARAMETER
from coordination.core.limits import (
    ITEMS_MAX,
    MINUTES_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
)
from coordination.core.models import Department
from coordination.reviews import selectors, services
from coordination.reviews.models import (
    ActionItem,
    Reminder,
    Review,
    ReviewAttendance,
    ReviewCadence,
    ReviewKind,
)
from projects.core.selectors import visible_projects

User = get_user_model()

ERROR = inline_serializer("ReviewError", {"detail": serializers.CharField()})
CONFLICT = inline_serializer(
    "ReviewConflict",
    {
        "detail": serializers.CharField(),
        "unmet": serializers.ListField(child=serializers.CharField()),
    },
)
# 400 is {"<field>": ["message"]} with any field name: coordination.api.schema.BAD_REQUEST


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _date_param(request, name: str):
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [_("日期格式应为 YYYY-MM-DD。")]})
    return value


def _user_by_name(username: str, field: str):
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: [_("未知用户：%s") % username]})
    return user


# --- serializers -----------------------------------------------------------------------------


class RetroEntrySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    tag = serializers.ChoiceField(choices=["business", "engineering"])


class AttendanceSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    attended = serializers.BooleanField(allow_null=True, required=False, default=None)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CadenceSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="null for a company-wide or department cadence",
    )
    participants = many_related(
        serializers.SlugRelatedField,
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
    )
    weekday = serializers.IntegerField(min_value=0, max_value=6, allow_null=True, required=False)
    day_of_month = serializers.IntegerField(
        min_value=1, max_value=31, allow_null=True, required=False
    )
    timezone = serializers.CharField(max_length=64, required=False, default="Asia/Shanghai")
    departments = serializers.ListField(
        child=serializers.ChoiceField(choices=Department.choices),
        required=False,
        max_length=len(Department.choices),
        help_text="company cadences only: the departments taking part (empty: company-wide)",
    )

    class Meta:
        model = ReviewCadence
        fields = [
            "id",
            "project",
            *services.CADENCE_SCHEDULE_FIELDS,
            "participants",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "project", "created_at", "updated_at"]


class ReviewAttendanceOutSerializer(ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReviewAttendance
        fields = ["user", "attended", "note"]


class ReviewSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    attendance = ReviewAttendanceOutSerializer(many=True, read_only=True)
    went_well = RetroEntrySerializer(many=True, read_only=True)
    went_wrong = RetroEntrySerializer(many=True, read_only=True)
    improvements = RetroEntrySerializer(many=True, read_only=True)
    action_item_count = serializers.IntegerField(read_only=True, required=False, allow_null=True)
    open_action_item_count = serializers.IntegerField(
        read_only=True, required=False, allow_null=True
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "cadence",
            "project",
            "kind",
            "date",
            "starts_at",
            "status",
            "minutes",
            "decisions",
            "went_well",
            "went_wrong",
            "improvements",
            "attendance",
            "action_item_count",
            "open_action_item_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewPatchSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Review.Status.choices, required=False)
    minutes = serializers.CharField(allow_blank=True, required=False, max_length=MINUTES_MAX_LENGTH)
    decisions = serializers.CharField(allow_blank=True, required=False, max_length=TEXT_MAX_LENGTH)
    went_well = RetroEntrySerializer(many=True, required=False, max_length=ITEMS_MAX)
    went_wrong = RetroEntrySerializer(many=True, required=False, max_length=ITEMS_MAX)
    improvements = RetroEntrySerializer(many=True, required=False, max_length=ITEMS_MAX)
    attendance = AttendanceSerializer(many=True, required=False, max_length=ITEMS_MAX)


class ActionItemSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "review",
            "project",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "done_at",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        today = self.context.get("today") or services.local_today()
        return obj.is_overdue(today)


class ActionItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=TEXT_MAX_LENGTH
    )
    owner = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    due_date = serializers.DateField()


class ActionItemPatchSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(
        allow_blank=True, required=False, max_length=TEXT_MAX_LENGTH
    )
    owner = serializers.CharField(max_length=USERNAME_MAX_LENGTH, required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)


class ReminderSerializer(ModelSerializer):
    recipient = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "channel",
            "recipient",
            "subject",
            "body",
            "url",
            "status",
            "due_at",
            "sent_at",
            "attempts",
            "review",
            "action_item",
            "created_at",
        ]
        read_only_fields = fields


def _review_queryset(qs):
    return qs.prefetch_related(
        Prefetch("attendance", queryset=ReviewAttendance.objects.select_related("user"))
    )


# --- views -----------------------------------------------------------------------------------


class ProjectCadencesView(APIView):
    """Review cadences of one project (每日站会 / 每周例会 / 月度复盘)."""

    def _project(self, request, code):
        return get_object_or_404(visible_projects(request.user), code=code)

    @extend_schema(responses={200: CadenceSerializer(many=True), 404: ERROR})
    def get(self, request, code: str):
        project = self._project(request, code)
        qs = (
            ReviewCadence.objects.filter(project=project)
            .select_related("project")
            .prefetch_related("participants")
            .order_by("kind", "id")
        )
        return Response(CadenceSerializer(qs, many=True).data)

    @extend_schema(
        request=CadenceSerializer,
        responses={201: CadenceSerializer, 400: BAD_REQUEST, 403: ERROR, 404: ERROR},
    )
    def post(self, request, code: str):
        project = self._project(request, code)
        data = CadenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        cadence = services.create_cadence(
            by=request.user,
            project=project,
            kind=v["kind"],
            title=v.get("title", ""),
            time_of_day=v.get("time_of_day"),
            duration_minutes=v.get("duration_minutes", 30),
            weekday=v.get("weekday"),
            day_of_month=v.get("day_of_month"),
            tz=v.get("timezone", ""),
            participants=v.get("participants") or None,
            is_active=v.get("is_active", True),
        )
        return Response(CadenceSerializer(cadence).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("project", str, description="project code"),
        OpenApiParameter("kind", str, enum=ReviewKind.values),
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
        SINCE_PARAMETER,
        OpenApiParameter("mine", bool, description="only reviews I take part in"),
        OpenApiParameter("search", str, description="text in minutes, decisions, project"),
    ],
    responses={200: ReviewSerializer(many=True), 400: BAD_REQUEST},
)
class ReviewListView(generics.ListAPIView):
    """Review occurrences the caller may see, in start order."""

    serializer_class = ReviewSerializer
    pagination_class = SyncPagination
    filter_backends: list = []

    def get_queryset(self):
        request = self.request
        kind = request.query_params.get("kind") or None
        if kind and kind not in ReviewKind.values:
            raise ValidationError({"kind": [_("无效的例会类型。")]})
        return _review_queryset(
            selectors.review_list(
                request.user,
                project_code=request.query_params.get("project") or None,
                kind=kind,
                date_from=_date_param(request, "date_from") or _date_param(request, "from"),
                date_to=_date_param(request, "date_to") or _date_param(request, "to"),
                updated_since=updated_since(request),
                mine=_flag(request, "mine"),
                search=request.query_params.get("search", "").strip()[:200] or None,
            )
        )


class ReviewDetailView(APIView):
    """One review: minutes, decisions, attendance and retrospective entries."""

    def _get(self, request, pk):
        return _review_queryset(selectors.visible_reviews(request.user)).get(pk=pk)

    def _answer(self, request, pk):
        review = self._get(request, pk)
        return tagged(Response(ReviewSerializer(review).data), review)

    @extend_schema(parameters=[ETAG], responses={200: ReviewSerializer, 404: ERROR})
    def get(self, request, pk: int):
        return self._answer(request, pk)

    @extend_schema(
        parameters=[IF_MATCH, ETAG],
        request=ReviewPatchSerializer,
        responses={
            200: ReviewSerializer,
            400: BAD_REQUEST,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
            412: PRECONDITION_FAILED,
        },
    )
    def patch(self, request, pk: int):
        self._get(request, pk)  # 404 before 403: outsiders never learn it exists
        data = ReviewPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        attendance = changes.pop("attendance", None)
        for field in services.RETRO_FIELDS:
            if field in changes:
                changes[field] = [dict(e) for e in changes[field]]
        services.update_review(
            pk,
            by=request.user,
            attendance=[dict(a) for a in attendance] if attendance is not None else None,
            expected_version=if_match(request),
            **changes,
        )
        return self._answer(request, pk)


class ReviewActionItemsView(APIView):
    """Action items decided in one review."""

    @extend_schema(responses={200: ActionItemSerializer(many=True), 404: ERROR})
    def get(self, request, pk: int):
        review = selectors.visible_reviews(request.user).get(pk=pk)
        qs = review.action_items.select_related("owner", "project").order_by("due_date", "id")
        return Response(ActionItemSerializer(qs, many=True).data)

    @extend_schema(
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer, 400: BAD_REQUEST, 403: ERROR, 404: ERROR},
    )
    def post(self, request, pk: int):
        selectors.visible_reviews(request.user).get(pk=pk)
        data = ActionItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = services.create_action_item(
            pk,
            by=request.user,
            title=v["title"],
            description=v.get("description", ""),
            owner=_user_by_name(v["owner"], "owner"),
            due_date=v["due_date"],
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("mine", bool, description="only items I own"),
        OpenApiParameter("overdue", bool, description="only open items past their due date"),
        OpenApiParameter("status", str, enum=ActionItem.Status.values),
        OpenApiParameter("project", str, description="project code"),
        SINCE_PARAMETER,
        OpenApiParameter("search", str, description="text in title or description"),
    ],
    responses={200: ActionItemSerializer(many=True), 400: BAD_REQUEST},
)
class ActionItemListView(generics.ListAPIView):
    """Action items of the reviews the caller may see: `mine=1` only the caller's own,
    `overdue=1` only open items past their due date; `updated_since` pages by a cursor."""

    serializer_class = ActionItemSerializer
    pagination_class = SyncPagination
    filter_backends: list = []

    def get_queryset(self):
        request = self.request
        status_ = request.query_params.get("status") or None
        if status_ and status_ not in ActionItem.Status.values:
            raise ValidationError({"status": [_("无效的状态。")]})
        return selectors.action_item_list(
            request.user,
            mine=_flag(request, "mine"),
            overdue=_flag(request, "overdue"),
            status=status_,
            project_code=request.query_params.get("project") or None,
            updated_since=updated_since(request),
            search=request.query_params.get("search", "").strip()[:200] or None,
        )


class ActionItemDetailView(APIView):
    @extend_schema(responses={200: ActionItemSerializer, 404: ERROR})
    def get(self, request, pk: int):
        """One action item of a review the caller may see (404 otherwise)."""
        return Response(
            ActionItemSerializer(selectors.visible_action_items(request.user).get(pk=pk)).data
        )

    @extend_schema(
        request=ActionItemPatchSerializer,
        responses={200: ActionItemSerializer, 400: BAD_REQUEST, 403: ERROR, 404: ERROR},
    )
    def patch(self, request, pk: int):
        """Change an action item's title, description, owner, due date or status."""
        selectors.visible_action_items(request.user).get(pk=pk)
        data = ActionItemPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "owner" in changes:
            changes["owner"] = _user_by_name(changes["owner"], "owner")
        services.update_action_item(pk, by=request.user, **changes)
        return Response(
            ActionItemSerializer(selectors.visible_action_items(request.user).get(pk=pk)).data
        )


@extend_schema(
    parameters=[OpenApiParameter("mine", bool, description="1 (default): reminders sent to me")],
    responses={200: ReminderSerializer(many=True)},
)
class ReminderListView(generics.ListAPIView):
    """Reminders addressed to the caller (PMO may pass mine=0 to list everyone's)."""

    serializer_class = ReminderSerializer
    filter_backends: list = []

    def get_queryset(self):
        mine = self.request.query_params.get("mine", "1").strip().lower() not in {"0", "false"}
        return selectors.reminder_list(self.request.user, mine=mine)
