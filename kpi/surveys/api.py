"""Survey links API: a project's links (never a token), send one (the link answered once),
revoke one."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer
from coordination.api.pagination import SyncPagination
from coordination.api.schema import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND
from kpi.surveys import services
from kpi.surveys.models import SurveyInvitation
from kpi.surveys.selectors import invitations_for
from projects.core.selectors import visible_projects


class InvitationSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    status = serializers.ChoiceField(
        choices=SurveyInvitation.Status.choices, read_only=True, help_text="as of now"
    )
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )
    survey = serializers.IntegerField(source="survey_id", read_only=True, allow_null=True)
    email = serializers.CharField(
        read_only=True, help_text="the address it was sent to; empty: none"
    )

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "project",
            "recipient_name",
            "email",
            "language",
            "status",
            "expires_at",
            "used_at",
            "revoked_at",
            "created_by",
            "created_at",
            "survey",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=SurveyInvitation.Language.choices, default=SurveyInvitation.Language.ZH_HANS
    )


class InvitationCreatedSerializer(InvitationSerializer):
    link = serializers.CharField(
        read_only=True, help_text="the customer's link: shown in this answer only, never again"
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields


def _project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


class InvitationList(generics.ListAPIView):
    """The customer survey links of a project, newest first, with their status."""

    serializer_class = InvitationSerializer
    pagination_class = SyncPagination
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SurveyInvitation.objects.none()
        return invitations_for(visible_projects(self.request.user)).filter(
            project=_project(self.request, self.kwargs["code"])
        )

    @extend_schema(responses={200: InvitationSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvitationCreateSerializer,
        responses={
            201: InvitationCreatedSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, code: str):
        """Send the customer a link (e-mailed when `email` is given); the answer holds the
        link, once."""
        project = _project(request, code)  # 404, then 403, before any 400
        services.require_inviter(request.user, project)
        body = InvitationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation, token = services.create_invitation(
            project, by=request.user, **body.validated_data
        )
        invitation.link = services.survey_link(token)
        return Response(InvitationCreatedSerializer(invitation).data, status=201)


class InvitationRevoke(APIView):
    @extend_schema(
        request=None,
        responses={200: InvitationSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, code: str, pk: int):
        """Revoke a link: it stops working at once (an answered one: 409)."""
        project = _project(request, code)
        services.require_inviter(request.user, project)
        found = get_object_or_404(SurveyInvitation, pk=pk, project=project)
        invitation = services.revoke_invitation(found.pk, by=request.user)
        return Response(InvitationSerializer(invitation).data)
