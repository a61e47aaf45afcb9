"""REST API of the handover checklist (API.md). Views parse, authorize, call one service."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer
from coordination.api.parsers import JSONParser  # deep nesting: 400, not 500
from coordination.api.schema import BAD_REQUEST
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.uploads import UploadTooLarge
from handover import selectors, services
from handover.models import Handover, HandoverItem
from projects.core.selectors import visible_projects

# Multipart requests carry the file plus form overhead (boundaries, headers).
MULTIPART_OVERHEAD = 64 * 1024


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    unmet = serializers.ListField(child=serializers.CharField())


class HandoverItemSerializer(ModelSerializer):
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    file_name = serializers.CharField(source="evidence_filename", read_only=True)
    file_size = serializers.IntegerField(source="evidence_size", read_only=True, allow_null=True)
    file_url = serializers.SerializerMethodField()
    link = serializers.CharField(source="evidence_link", read_only=True)
    text = serializers.CharField(source="evidence_text", read_only=True)
    provided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = HandoverItem
        fields = [
            "id",
            "order",
            "title",
            "title_zh",
            "title_en",
            "description",
            "category",
            "required",
            "evidence_kind",
            "responsible_department",
            "status",
            "file_name",
            "file_size",
            "file_url",
            "link",
            "text",
            "provided_by",
            "provided_at",
            "reviewed_by",
            "reviewed_at",
            "rejection_reason",
            "rejection_count",
            "updated_at",
        ]
        read_only_fields = fields

    def get_file_url(self, item: HandoverItem) -> str | None:
        if not item.evidence_version_id:
            return None
        return f"/handover/items/{item.pk}/file/"


class ProgressSerializer(serializers.Serializer):
    required_total = serializers.IntegerField()
    required_provided = serializers.IntegerField()
    required_accepted = serializers.IntegerField()
    items_total = serializers.IntegerField()
    rejections = serializers.IntegerField()


class HandoverSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.SerializerMethodField()
    lead_time_days = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    items = HandoverItemSerializer(many=True, read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "project",
            "status",
            "template_name",
            "due_date",
            "overdue",
            "created_at",
            "submitted_at",
            "accepted_at",
            "lead_time_days",
            "progress",
            "items",
        ]
        read_only_fields = fields

    def get_overdue(self, handover: Handover) -> bool:
        return selectors.is_overdue(handover)

    def get_lead_time_days(self, handover: Handover) -> int | None:
        return selectors.lead_time_days(handover)

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, handover: Handover) -> dict:
        return {
            "required_total": handover.required_total,
            "required_provided": handover.required_provided,
            "required_accepted": handover.required_accepted,
            "items_total": handover.items_total,
            "rejections": handover.rejections,
        }


def _handover_for(user, code: str) -> Handover:
    project = get_object_or_404(visible_projects(user), code=code)
    handover = selectors.handover_detail(project)
    if handover is None:
        raise Http404
    return handover


def _item_for(user, item_id: int) -> HandoverItem:
    return get_object_or_404(selectors.visible_items(user), pk=item_id)


def _handover_response(code: str, user) -> Response:
    return Response(HandoverSerializer(_handover_for(user, code)).data)


class HandoverView(APIView):
    @extend_schema(
        operation_id="project_handover_retrieve",
        responses={200: HandoverSerializer, 404: OpenApiResponse(ErrorSerializer)},
        tags=["handover"],
    )
    def get(self, request, code: str):
        """The project's handover checklist: its status and every item with its evidence."""
        return _handover_response(code, request.user)


class HandoverSubmitView(APIView):
    @extend_schema(
        operation_id="project_handover_submit",
        request=None,
        responses={
            200: HandoverSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
            409: OpenApiResponse(ConflictSerializer),
        },
        tags=["handover"],
    )
    def post(self, request, code: str):
        """Submit the handover for acceptance; unmet conditions are 409 listed in `unmet`."""
        handover = _handover_for(request.user, code)
        services.submit_handover(handover.pk, by=request.user)
        return _handover_response(code, request.user)


class ProvideSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="multipart/form-data only")
    link = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, required=False)

    class Meta:
        ref_name = "HandoverItemReject"  # projects.changes.api has a RejectSerializer too


def _item_response(item_id: int, user) -> Response:
    item = HandoverItem.objects.select_related("provided_by", "reviewed_by").get(pk=item_id)
    return Response(HandoverItemSerializer(item).data)


ITEM_ERRORS = {
    403: OpenApiResponse(ErrorSerializer),
    404: OpenApiResponse(ErrorSerializer),
    409: OpenApiResponse(ConflictSerializer),
}


class ProvideItemView(APIView):
    """The only endpoint that accepts multipart (for the file upload)."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="handover_item_provide",
        request={"application/json": ProvideSerializer, "multipart/form-data": ProvideSerializer},
        responses={
            200: HandoverItemSerializer,
            400: OpenApiResponse(description="bad input or file refused (type or content)"),
            413: OpenApiResponse(ErrorSerializer, description="file larger than the limit"),
            **ITEM_ERRORS,
        },
        tags=["handover"],
    )
    def post(self, request, item_id: int):
        item = _item_for(request.user, item_id)
        limit_mb = round(settings.UPLOAD_MAX_BYTES / 1048576, 1)
        too_large = Response(
            {
                "detail": _("文件过大。"),
                "file": [_("文件过大：上限为 %(limit)s MB。") % {"limit": limit_mb}],
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD:
            return too_large
        data = ProvideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.provide_item(
                item.pk,
                by=request.user,
                file=data.validated_data.get("file"),
                link=data.validated_data.get("link", ""),
                text=data.validated_data.get("text", ""),
            )
        except UploadTooLarge as exc:
            return Response(
                {"detail": _("文件过大。"), **exc.message_dict},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return _item_response(item.pk, request.user)


class AcceptItemView(APIView):
    @extend_schema(
        operation_id="handover_item_accept",
        request=None,
        responses={200: HandoverItemSerializer, **ITEM_ERRORS},
        tags=["handover"],
    )
    def post(self, request, item_id: int):
        """Accept one checklist item; who may and in which state are checked (403, 409)."""
        item = _item_for(request.user, item_id)
        services.accept_item(item.pk, by=request.user)
        return _item_response(item.pk, request.user)


class RejectItemView(APIView):
    @extend_schema(
        operation_id="handover_item_reject",
        request=RejectSerializer,
        responses={
            200: HandoverItemSerializer,
            400: OpenApiResponse(description="reason missing"),
            **ITEM_ERRORS,
        },
        tags=["handover"],
    )
    def post(self, request, item_id: int):
        """Reject one checklist item with a `reason`; who may and in which state are checked."""
        item = _item_for(request.user, item_id)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reject_item(item.pk, by=request.user, reason=data.validated_data.get("reason", ""))
        return _item_response(item.pk, request.user)
