"""API for the early warning (API.md): `GET /api/v1/projects/{code}/warning/`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import ApiErrorSerializer
from projects.core.selectors import visible_projects

from .selectors import project_warning

Factor = inline_serializer(
    "WarningFactor",
    {
        "feature": serializers.CharField(),
        "label": serializers.CharField(),
        "contribution": serializers.FloatField(),
    },
    many=True,
)
WarningSerializer = inline_serializer(
    "ProjectWarning",
    {
        "model_version": serializers.CharField(),
        "slip_probability": serializers.FloatField(),
        "overrun_probability": serializers.FloatField(),
        "factors": Factor,
        "slip_factors": Factor,
        "overrun_factors": Factor,
        "computed_at": serializers.DateTimeField(),
    },
)


class ProjectWarningView(APIView):
    """The project's latest early warning: probabilities of a late delivery (more than 14 days
    after the baseline) and of a cost overrun beyond the contingency, with the factors pushing
    them most. 404 when the project is not visible or no model has scored it yet."""

    @extend_schema(
        operation_id="project_warning",
        responses={200: WarningSerializer, 404: ApiErrorSerializer},
        tags=["warning"],
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        data = project_warning(project)
        if data is None:
            raise NotFound("no early warning for this project yet")
        return Response(data)
