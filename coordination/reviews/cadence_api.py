"""REST API of company-wide and department cadences (`/api/v1/cadences/`): the same services
as the pages (coordination.reviews.services)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import BAD_REQUEST
from coordination.reviews import selectors, services
from coordination.reviews.api import ERROR, CadenceSerializer


def _company_cadences(user):
    return selectors.visible_cadences(user).filter(project__isnull=True).order_by("kind", "id")


def _arguments(v: dict) -> dict:
    out = {
        name: v[name]
        for name in (
            "kind",
            "title",
            "time_of_day",
            "duration_minutes",
            "weekday",
            "day_of_month",
            "departments",
            "participants",
            "is_active",
        )
        if name in v
    }
    if "timezone" in v:
        out["tz"] = v["timezone"]
    return out


class CompanyCadencesView(APIView):
    """Company-wide and department cadences: each user sees those they take part in, PMO all
    of them; PMO sets one up with its participants."""

    @extend_schema(responses={200: CadenceSerializer(many=True)})
    def get(self, request):
        return Response(CadenceSerializer(_company_cadences(request.user), many=True).data)

    @extend_schema(
        request=CadenceSerializer,
        responses={201: CadenceSerializer, 400: BAD_REQUEST, 403: ERROR},
    )
    def post(self, request):
        data = CadenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cadence = services.create_cadence(by=request.user, **_arguments(data.validated_data))
        return Response(CadenceSerializer(cadence).data, status=status.HTTP_201_CREATED)


class CompanyCadenceView(APIView):
    @extend_schema(responses={200: CadenceSerializer, 404: ERROR})
    def get(self, request, pk: int):
        return Response(
            CadenceSerializer(get_object_or_404(_company_cadences(request.user), pk=pk)).data
        )

    @extend_schema(
        request=CadenceSerializer(partial=True),
        responses={200: CadenceSerializer, 400: BAD_REQUEST, 403: ERROR, 404: ERROR},
    )
    def patch(self, request, pk: int):
        cadence = get_object_or_404(_company_cadences(request.user), pk=pk)
        data = CadenceSerializer(cadence, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        args = _arguments(data.validated_data)
        services.update_cadence(cadence.pk, by=request.user, **args)
        updated = get_object_or_404(_company_cadences(request.user), pk=pk)
        return Response(CadenceSerializer(updated).data)
