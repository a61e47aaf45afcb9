"""Training API (docs/loop.md, "Training"): sessions (list, schedule, read, change, move to
held or cancelled), attendance ticked by an organiser, the attendee's feedback, PMO's coverage
grid, a person's record and the download of a material's version.

Views check the body's shape with a serializer and call the same services and selectors as
the pages; refusals map to 403 / 409 / 400 / 412 in the API's exception handler."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import ModelSerializer, OffsetDateTimeField, id_field
from coordination.api.inputs import validated_input
from coordination.api.pagination import filtered, paged_response
from coordination.api.schema import (
    BAD_REQUEST,
    SYNC_PARAMETERS,
    ApiConflictSerializer,
    ApiErrorSerializer,
    sync_page,
)
from coordination.core.limits import ITEMS_MAX, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.limits import USERNAME_MAX_LENGTH as NAME
from coordination.core.models import Department
from coordination.training import permissions, selectors, services
from coordination.training.models import (
    SCORE_MAX,
    SCORE_MIN,
    TrainingAttendance,
    TrainingMaterial,
    TrainingMaterialVersion,
    TrainingSession,
    TrainingTopic,
)
from projects.api.filters import UpdatedSinceFilterSet
from projects.core.team import people
from projects.documents.files import stored_file_response

ERRORS = {403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiConflictSerializer}

# ---------------------------------------------------------------- serializers


class AttendanceSerializer(ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    department = serializers.CharField(source="user.profile.department", read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = ["user", "department", "invited", "attended", "score", "comment", "feedback_at"]
        read_only_fields = fields


class MaterialVersionSerializer(ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingMaterialVersion
        fields = [
            "id",
            "version",
            "filename",
            "size",
            "sha256",
            "note",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, version) -> str:
        return f"/api/v1/training/material-versions/{version.pk}/download/"


class MaterialSerializer(ModelSerializer):
    versions = MaterialVersionSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingMaterial
        fields = ["id", "title", "current_version", "versions"]
        read_only_fields = fields


class SessionSerializer(ModelSerializer):
    topic = serializers.IntegerField(source="topic_id", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    trainer = serializers.CharField(source="trainer.username", read_only=True, allow_null=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )
    audience = serializers.SerializerMethodField()
    invited_count = serializers.IntegerField(read_only=True)
    attended_count = serializers.IntegerField(read_only=True)
    average_score = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "topic",
            "topic_name",
            "title",
            "trainer",
            "trainer_name",
            "starts_at",
            "duration_minutes",
            "location",
            "online_url",
            "description",
            "status",
            "audience",
            "invited_count",
            "attended_count",
            "average_score",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_audience(self, session) -> list[str]:
        return selectors.audience_of(session)


class SessionDetailSerializer(SessionSerializer):
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "attendance", "materials"]
        read_only_fields = fields


def _usernames(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=NAME), max_length=ITEMS_MAX, **kwargs
    )


class SessionInputSerializer(serializers.Serializer):
    topic = id_field(help_text="id of an active training topic")
    title = serializers.CharField(max_length=200)
    trainer = serializers.CharField(
        max_length=NAME, required=False, allow_null=True, allow_blank=True,
        help_text="username of the trainer; empty for an external trainer (trainer_name)",
    )  # fmt: skip
    trainer_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    starts_at = OffsetDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=1440, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True
    )
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=Department.choices), min_length=1, max_length=4
    )
    invitees = _usernames(required=False, help_text="usernames to invite")
    invite_audience = serializers.BooleanField(
        required=False, default=False, help_text="invite everyone of the audience departments"
    )


class SessionPatchSerializer(SessionInputSerializer):
    status = serializers.ChoiceField(
        choices=[TrainingSession.Status.HELD, TrainingSession.Status.CANCELLED],
        required=False,
        help_text="a move: `held` (once started) or `cancelled`; sent alone (with `reason`)",
    )
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class AttendanceInputSerializer(serializers.Serializer):
    attended = _usernames(help_text="everyone who attended; the others on the session did not")


class FeedbackInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX)
    comment = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class FeedbackSerializer(ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = ["session", "user", "score", "comment", "feedback_at"]
        read_only_fields = fields


_CELL = {
    "reached": serializers.IntegerField(),
    "headcount": serializers.IntegerField(),
    "percent": serializers.FloatField(allow_null=True),
}
CoverageSerializer = inline_serializer(
    "TrainingCoverage",
    {
        "year": serializers.IntegerField(),
        "topics": inline_serializer(
            "TrainingCoverageTopic",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            many=True,
        ),
        "rows": inline_serializer(
            "TrainingCoverageRow",
            {
                "department": serializers.CharField(),
                "headcount": serializers.IntegerField(),
                "any": inline_serializer("TrainingCoverageAny", _CELL),
                "cells": inline_serializer(
                    "TrainingCoverageCell", {"topic": serializers.IntegerField(), **_CELL},
                    many=True,
                ),
            },
            many=True,
        ),
    },
)  # fmt: skip
RecordSerializer = inline_serializer(
    "TrainingRecord",
    {
        "username": serializers.CharField(),
        "year": serializers.IntegerField(allow_null=True),
        "sessions_attended": serializers.IntegerField(),
        "hours": serializers.FloatField(),
        "topics": serializers.ListField(child=serializers.CharField()),
        "feedback_given": serializers.IntegerField(),
        "sessions": inline_serializer(
            "TrainingRecordRow",
            {
                "session": serializers.IntegerField(),
                "title": serializers.CharField(),
                "topic": serializers.CharField(),
                "starts_at": serializers.DateTimeField(),
                "status": serializers.CharField(),
                "duration_minutes": serializers.IntegerField(),
                "invited": serializers.BooleanField(),
                "attended": serializers.BooleanField(),
                "score": serializers.IntegerField(allow_null=True),
            },
            many=True,
        ),
    },
)
PaginatedSessions = sync_page("PaginatedTrainingSessionList", SessionSerializer(many=True))

SESSION_EXAMPLE = {
    "id": 3,
    "topic": 1,
    "topic_name": "合同移交规范",
    "title": "合同移交清单实操",
    "trainer": "eng_director",
    "trainer_name": "",
    "starts_at": "2026-12-10T14:00:00+08:00",
    "duration_minutes": 90,
    "location": "3楼大会议室",
    "online_url": "https://meeting.example.com/j/3",
    "description": "",
    "status": "scheduled",
    "audience": ["business", "engineering"],
    "invited_count": 12,
    "attended_count": 0,
    "average_score": None,
    "created_by": "pmo",
    "updated_at": "2026-12-01T09:30:00+08:00",
}


class SessionFilter(UpdatedSinceFilterSet):
    topic = filters.NumberFilter(field_name="topic_id")
    status = filters.ChoiceFilter(choices=TrainingSession.Status.choices)

    class Meta:
        model = TrainingSession
        fields = ["topic", "status", "updated_since"]


# ---------------------------------------------------------------- helpers


def _people_named(names, field: str) -> list:
    names = list(dict.fromkeys(names or []))
    found = list(people().filter(username__in=names))
    missing = sorted(set(names) - {u.username for u in found})
    if missing:
        raise ValidationError({field: [f"unknown user: {', '.join(missing[:10])}"]})
    return found


def _service_data(data: dict) -> dict:
    out = dict(data)
    if "topic" in out:
        out["topic"] = TrainingTopic.objects.filter(pk=out["topic"]).first()
        if out["topic"] is None:
            raise ValidationError({"topic": ["unknown topic"]})
    if "trainer" in out:
        name = out["trainer"]
        out["trainer"] = _people_named([name], "trainer")[0] if name else None
    if "invitees" in out:
        out["invitees"] = _people_named(out["invitees"], "invitees")
    for blank in ("trainer_name", "location", "online_url", "description"):
        if blank in out and out[blank] is None:
            out[blank] = ""
    return out


def _detail(pk: int) -> TrainingSession:
    try:
        return selectors.session_detail(pk)
    except TrainingSession.DoesNotExist:
        raise Http404 from None


def _render(pk: int, code=status.HTTP_200_OK) -> Response:
    session = _detail(pk)
    return tagged(Response(SessionDetailSerializer(session).data, status=code), session)


# ---------------------------------------------------------------- views


class SessionListView(APIView):
    """Every training session (every signed-in person sees them all). `when`: upcoming (not
    started yet, or not yet marked held; soonest first) or past (latest first); POST
    schedules one (PMO)."""

    @extend_schema(
        operation_id="training_session_list",
        parameters=[
            OpenApiParameter("when", str, enum=[selectors.UPCOMING, selectors.PAST]),
            OpenApiParameter("department", str, enum=Department.values),
            OpenApiParameter("topic", int, description="topic id"),
            OpenApiParameter("status", str, enum=TrainingSession.Status.values),
            *SYNC_PARAMETERS,
        ],
        responses={200: PaginatedSessions, 400: BAD_REQUEST},
        examples=[
            OpenApiExample(
                "a page of sessions",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [SESSION_EXAMPLE]},
            )
        ],
    )
    def get(self, request):
        params = request.query_params
        when = params.get("when", "")
        if when not in ("", selectors.UPCOMING, selectors.PAST):
            raise ValidationError({"when": ["upcoming or past"]})
        department = params.get("department", "")
        if department and department not in Department.values:
            raise ValidationError({"department": ["unknown department"]})
        rows = selectors.sessions(request.user, when=when, department=department)
        rows = filtered(SessionFilter(params, queryset=rows))
        return paged_response(request, self, rows, SessionSerializer)

    @extend_schema(
        operation_id="training_session_create",
        parameters=[ETAG],
        request=SessionInputSerializer,
        responses={201: SessionDetailSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "a session for two departments",
                request_only=True,
                value={
                    "topic": 1,
                    "title": "合同移交清单实操",
                    "trainer": "eng_director",
                    "starts_at": "2026-12-10T14:00:00+08:00",
                    "duration_minutes": 90,
                    "location": "3楼大会议室",
                    "audience": ["business", "engineering"],
                    "invitees": ["biz_pm", "eng_pm"],
                },
            )
        ],
    )
    def post(self, request):
        permissions.require_schedule(request.user)
        data = _service_data(validated_input(SessionInputSerializer, request))
        session = services.schedule_session(by=request.user, data=data)
        return _render(session.pk, status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    """One session with its attendance and materials. PATCH changes its details (an
    organiser, while scheduled: new invitees are invited, none removed) or, with `status`
    alone, moves it to held (once started) or cancelled."""

    @extend_schema(
        operation_id="training_session_retrieve",
        parameters=[ETAG],
        responses={200: SessionDetailSerializer, 404: ApiErrorSerializer},
    )
    def get(self, request, pk: int):
        return _render(pk)

    @extend_schema(
        operation_id="training_session_partial_update",
        parameters=[IF_MATCH, ETAG],
        request=SessionPatchSerializer,
        responses={
            200: SessionDetailSerializer,
            400: BAD_REQUEST,
            **ERRORS,
            412: PRECONDITION_FAILED,
        },
        examples=[
            OpenApiExample("held", request_only=True, value={"status": "held"}),
            OpenApiExample("moved", request_only=True, value={"location": "5楼培训室"}),
        ],
    )
    def patch(self, request, pk: int):
        session = _detail(pk)
        permissions.require_organiser(request.user, session)
        data = validated_input(SessionPatchSerializer, request, partial=True)
        move = data.pop("status", None)
        reason = data.pop("reason", "")
        if move and data:
            raise ValidationError({"status": ["send `status` alone (with `reason`)"]})
        if move == TrainingSession.Status.HELD:
            services.mark_held(pk, by=request.user)
        elif move == TrainingSession.Status.CANCELLED:
            services.cancel_session(pk, by=request.user, reason=reason)
        else:
            services.update_session(
                pk, by=request.user, data=_service_data(data), expected_version=if_match(request)
            )
        return _render(pk)


class SessionAttendanceView(APIView):
    @extend_schema(
        operation_id="training_session_attendance",
        request=AttendanceInputSerializer,
        responses={200: SessionDetailSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample("ticked", request_only=True, value={"attended": ["biz_pm", "eng_pm"]})
        ],
    )
    def post(self, request, pk: int):
        """An organiser ticks who attended (the full list; a name not invited is a walk-in);
        only once the session is held (409 before)."""
        permissions.require_organiser(request.user, _detail(pk))
        data = validated_input(AttendanceInputSerializer, request)
        attended = _people_named(data["attended"], "attended")
        services.mark_attendance(pk, by=request.user, attended=attended)
        return _render(pk)


class SessionFeedbackView(APIView):
    @extend_schema(
        operation_id="training_session_feedback",
        request=FeedbackInputSerializer,
        responses={200: FeedbackSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample("feedback", request_only=True, value={"score": 5, "comment": "实用"})
        ],
    )
    def post(self, request, pk: int):
        """The attendee's own score (1–5) and comment, once the session is held; changed until
        the window closes (409 after, and before the session is held)."""
        session = get_object_or_404(TrainingSession, pk=pk)
        services.check_feedback(request.user, session)
        data = validated_input(FeedbackInputSerializer, request)
        row = services.give_feedback(pk, by=request.user, **data)
        return Response(FeedbackSerializer(row).data)


def _year(request, *, default: int | None) -> int | None:
    raw = request.query_params.get("year")
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError({"year": ["a year from 2000 to 2100"]})
    return int(raw)


YEAR = OpenApiParameter("year", int, description="calendar year (2000–2100)")


class CoverageView(APIView):
    @extend_schema(
        operation_id="training_coverage",
        parameters=[YEAR],
        responses={200: CoverageSerializer, 400: BAD_REQUEST, 403: ApiErrorSerializer},
    )
    def get(self, request):
        """PMO and executives: per department × topic, how many of the department's active
        people attended a held session of the topic in `year` (default this year)."""
        permissions.require_coverage(request.user)
        grid = selectors.coverage(_year(request, default=timezone.localdate().year))
        return Response(
            {
                "year": grid["year"],
                "topics": [{"id": t.pk, "name": t.name} for t in grid["topics"]],
                "rows": [
                    {
                        "department": row["department"],
                        "headcount": row["headcount"],
                        "any": _cell(row["any"]),
                        "cells": [
                            {"topic": t.pk, **_cell(c)}
                            for t, c in zip(grid["topics"], row["cells"], strict=True)
                        ],
                    }
                    for row in grid["rows"]
                ],
            }
        )


def _cell(c) -> dict:
    return {"reached": c.reached, "headcount": c.headcount, "percent": c.percent}


class PersonRecordView(APIView):
    @extend_schema(
        operation_id="training_person_record",
        parameters=[YEAR],
        responses={200: RecordSerializer, 400: BAD_REQUEST, 403: ApiErrorSerializer,
                   404: ApiErrorSerializer},
    )  # fmt: skip
    def get(self, request, username: str):
        """A person's training: one's own; PMO and executives anyone's."""
        person = get_object_or_404(people(), username=username)
        permissions.require_record(request.user, person)
        record = selectors.person_record(person, year=_year(request, default=None))
        return Response(
            {
                "username": person.username,
                "year": record.year,
                "sessions_attended": record.sessions_attended,
                "hours": record.hours,
                "topics": record.topics,
                "feedback_given": record.feedback_given,
                "sessions": [
                    {
                        "session": r.session_id,
                        "title": r.session.title,
                        "topic": r.session.topic.name,
                        "starts_at": timezone.localtime(r.session.starts_at).isoformat(),
                        "status": r.session.status,
                        "duration_minutes": r.session.duration_minutes,
                        "invited": r.invited,
                        "attended": r.attended,
                        "score": r.score,
                    }
                    for r in record.rows
                ],
            }
        )


class MaterialDownloadView(APIView):
    @extend_schema(
        operation_id="training_material_download",
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="the file, with the Content-Type of its checked type (audited)",
            ),
            404: ApiErrorSerializer,
        },
    )
    def get(self, request, pk: int):
        """One version of a session's material; the read is audited like a document's."""
        version = get_object_or_404(selectors.visible_versions(), pk=pk)
        services.record_material_download(version, by=request.user, inline=False)
        return stored_file_response(version.file, filename=version.filename, inline=False)
