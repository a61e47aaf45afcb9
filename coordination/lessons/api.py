"""REST API of the lessons library: the same services and selectors as the pages."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer
from coordination.api.pagination import paged_response, updated_since
from coordination.api.schema import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    SYNC_PARAMETERS,
    sync_page,
)
from coordination.core.limits import TEXT_MAX_LENGTH, USERNAME_MAX_LENGTH
from coordination.core.models import RootCause
from coordination.lessons import selectors, services
from coordination.lessons.models import Lesson, LessonDiscipline, LessonPhase
from coordination.reviews import selectors as review_selectors
from coordination.reviews.models import ActionItem
from coordination.reviews.services import RETRO_FIELDS
from projects.core.selectors import visible_projects

User = get_user_model()


class LessonSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    promoted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    review = serializers.PrimaryKeyRelatedField(read_only=True)
    action_count = serializers.IntegerField(read_only=True, required=False)
    open_action_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "text",
            "kind",
            "phase",
            "discipline",
            "customer_type",
            "cause",
            "project",
            "review",
            "source_field",
            "source_index",
            "promoted_by",
            "action_count",
            "open_action_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "kind",
            "project",
            "review",
            "source_field",
            "source_index",
            "promoted_by",
            "created_at",
            "updated_at",
        ]


class LessonEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    phase = serializers.ChoiceField(choices=LessonPhase.choices, required=False)
    discipline = serializers.ChoiceField(choices=LessonDiscipline.choices, required=False)
    customer_type = serializers.CharField(max_length=60, required=False, allow_blank=True)
    cause = serializers.ChoiceField(choices=RootCause.choices, required=False, allow_blank=True)


class PromoteSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[(f, f) for f in RETRO_FIELDS])
    index = serializers.IntegerField(min_value=0, max_value=10_000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phase = serializers.ChoiceField(choices=LessonPhase.choices)
    discipline = serializers.ChoiceField(choices=LessonDiscipline.choices)
    customer_type = serializers.CharField(max_length=60, required=False, allow_blank=True)
    cause = serializers.ChoiceField(choices=RootCause.choices, required=False, allow_blank=True)


class ImprovementActionSerializer(ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    title = serializers.CharField(max_length=255)

    class Meta:
        model = ActionItem
        fields = ["id", "title", "owner", "due_date", "status", "lesson"]
        read_only_fields = ["id", "status", "lesson"]
        extra_kwargs = {"owner": {"max_length": USERNAME_MAX_LENGTH}}


PaginatedLessons = sync_page("PaginatedLessonList", LessonSerializer(many=True))

FILTERS = [
    OpenApiParameter("q", str, description="text in title, text, customer type, project"),
    OpenApiParameter("phase", str, enum=LessonPhase.values),
    OpenApiParameter("discipline", str, enum=LessonDiscipline.values),
    OpenApiParameter("cause", str, enum=RootCause.values),
    OpenApiParameter("customer_type", str),
    *SYNC_PARAMETERS,
]


class LessonListView(APIView):
    @extend_schema(
        parameters=FILTERS, responses={200: LessonSerializer(many=True), 400: BAD_REQUEST}
    )
    def get(self, request):
        """The lessons library, newest first (every lesson is company-wide)."""
        params = LessonEditSerializer(
            data={
                k: request.query_params[k]
                for k in ("phase", "discipline", "cause")
                if request.query_params.get(k)
            },
            partial=True,
        )
        params.is_valid(raise_exception=True)
        qs = selectors.lessons(
            search=request.query_params.get("q", "")[:100],
            customer_type=request.query_params.get("customer_type", "")[:60],
            **params.validated_data,
        )
        since = updated_since(request)
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        return paged_response(request, self, qs, LessonSerializer)


def _lesson(pk: int) -> Lesson:
    return get_object_or_404(selectors.lessons(), pk=pk)


class LessonDetailView(APIView):
    @extend_schema(responses={200: LessonSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        return Response(LessonSerializer(_lesson(pk)).data)

    @extend_schema(
        request=LessonEditSerializer,
        responses={200: LessonSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        """Edit a lesson's text and tags (the person who promoted it, PMO)."""
        lesson = _lesson(pk)
        data = LessonEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_lesson(lesson.pk, by=request.user, **data.validated_data)
        return Response(LessonSerializer(_lesson(pk)).data)


class ReviewLessonsView(APIView):
    @extend_schema(
        request=PromoteSerializer,
        responses={
            201: LessonSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        """Promote entry `index` of a retrospective's `field` to a lesson (once)."""
        review = get_object_or_404(review_selectors.visible_reviews(request.user), pk=pk)
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        lesson = services.promote_entry(
            review.pk, by=request.user, field=v.pop("field"), index=v.pop("index"), **v
        )
        return Response(LessonSerializer(_lesson(lesson.pk)).data, status=status.HTTP_201_CREATED)


class LessonActionsView(APIView):
    @extend_schema(responses={200: ImprovementActionSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk: int):
        return Response(
            ImprovementActionSerializer(selectors.lesson_actions(_lesson(pk)), many=True).data
        )

    @extend_schema(
        request=ImprovementActionSerializer,
        responses={
            201: ImprovementActionSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        """An improvement action from the lesson, tracked as an action item."""
        lesson = _lesson(pk)
        data = ImprovementActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.spawn_action(lesson.pk, by=request.user, **data.validated_data)
        return Response(ImprovementActionSerializer(item).data, status=status.HTTP_201_CREATED)


class SimilarLessonsView(APIView):
    @extend_schema(responses={200: LessonSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, code: str):
        """The lessons a project's kickoff sees: of similar projects, for the phases ahead."""
        project = get_object_or_404(visible_projects(request.user), code=code)
        return Response(LessonSerializer(selectors.similar_lessons(project), many=True).data)
