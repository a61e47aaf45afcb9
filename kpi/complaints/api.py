"""Complaint handling API: read a complaint, assign its owner, answer it, confirm closure."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer
from coordination.api.schema import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND
from coordination.core.limits import TEXT_MAX_LENGTH, USERNAME_MAX_LENGTH
from kpi.complaints import selectors, services
from kpi.models import Complaint, RootCause


class ComplaintHandlingSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "project",
            "source",
            "category",
            "severity",
            "description",
            "responsible_department",
            "opened_on",
            "status",
            "owner",
            "response_due",
            "response",
            "responded_on",
            "root_cause",
            "corrective_actions",
            "closed_on",
            "closed_by",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return services.status_of(obj)


class AssignSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=USERNAME_MAX_LENGTH, help_text="username of the owner")


class RespondSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    root_cause = serializers.ChoiceField(choices=RootCause.choices)
    corrective_actions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )


def _visible(request, pk: int) -> Complaint:
    return get_object_or_404(selectors.visible_complaints(request.user), pk=pk)


def _answer(request, pk: int) -> Response:
    return Response(ComplaintHandlingSerializer(_visible(request, pk)).data)


class ComplaintDetailView(APIView):
    @extend_schema(responses={200: ComplaintHandlingSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        """One complaint the caller may see, with its handling (owner, answer, cause, status)."""
        return _answer(request, pk)


class ComplaintAssignView(APIView):
    @extend_schema(
        request=AssignSerializer,
        responses={
            200: ComplaintHandlingSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        """Name the complaint's owner (a username); who may and in which state are checked."""
        services.check_handle(request.user, _visible(request, pk))
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = (
            get_user_model()
            .objects.filter(username=data.validated_data["owner"], is_active=True)
            .first()
        )
        if owner is None:
            raise serializers.ValidationError({"owner": ["unknown user"]})
        services.assign_complaint(pk, owner_id=owner.pk, by=request.user)
        return _answer(request, pk)


class ComplaintRespondView(APIView):
    @extend_schema(
        request=RespondSerializer,
        responses={
            200: ComplaintHandlingSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        """The owner's answer: `response`, `root_cause` and optional `corrective_actions`."""
        services.check_respond(request.user, _visible(request, pk))
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.respond_to_complaint(pk, by=request.user, **data.validated_data)
        return _answer(request, pk)


class ComplaintCloseView(APIView):
    @extend_schema(
        request=None,
        responses={200: ComplaintHandlingSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk: int):
        """Close the complaint; one that may not be closed yet is 409 saying why."""
        services.check_close(request.user, _visible(request, pk))
        services.close_complaint(pk, by=request.user)
        return _answer(request, pk)
