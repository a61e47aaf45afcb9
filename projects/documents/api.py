"""API for project documents (API.md, the shared platform): a project's library (list,
upload), a document with its versions, a new version, and the download of one version.

Views look the object up among what the caller may see (else 404), check the body's shape
with a serializer and call one service in projects.documents.services.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer, OffsetDateTimeField
from coordination.api.pagination import PageNumberPagination
from coordination.api.parsers import JSONParser
from coordination.api.schema import BAD_REQUEST, ApiErrorSerializer
from coordination.core.uploads import UploadTooLarge, allowed_extensions
from projects.core.selectors import visible_projects
from projects.documents import selectors, services
from projects.documents.files import file_response
from projects.documents.models import Category, Document, DocumentVersion

# Multipart requests carry the file plus form overhead (boundaries, headers).
MULTIPART_OVERHEAD = 64 * 1024
FILE_HELP = (
    "the file; its extension must be one of the allowed ones and its bytes must match it "
    "(an .exe renamed .pdf is refused): " + ", ".join(allowed_extensions())
)


class VersionSerializer(ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "version",
            "filename",
            "size",
            "sha256",
            "content_type",
            "note",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, version: DocumentVersion) -> str:
        return f"/api/v1/document-versions/{version.pk}/download/"


class DocumentListSerializer(ModelSerializer):
    project = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    latest_filename = serializers.CharField(read_only=True, allow_null=True)
    latest_size = serializers.IntegerField(read_only=True, allow_null=True)
    latest_uploaded_by = serializers.CharField(read_only=True, allow_null=True)
    latest_uploaded_at = OffsetDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "category",
            "current_version",
            "latest_filename",
            "latest_size",
            "latest_uploaded_by",
            "latest_uploaded_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_project(self, document: Document) -> str:
        return self.context["project"].code


class DocumentSerializer(ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "category",
            "attached_kind",
            "attached_id",
            "current_version",
            "created_by",
            "created_at",
            "updated_at",
            "versions",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_HELP, allow_empty_file=True)
    title = serializers.CharField(max_length=200, help_text="the document's name")
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "DocumentUpload"


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_HELP, allow_empty_file=True)
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="what changed"
    )


class PaginatedDocuments(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DocumentListSerializer(many=True)


VERSION_EXAMPLE = {
    "id": 31,
    "version": 2,
    "filename": "总平面图-v2.pdf",
    "size": 482133,
    "sha256": "9f2c5e0c3b1d4a6f8e7d2c1b0a9f8e7d6c5b4a3928170f6e5d4c3b2a19080706",
    "content_type": "application/pdf",
    "note": "按业主意见调整出入口",
    "uploaded_by": "eng_li",
    "uploaded_at": "2026-11-25T10:30:00+08:00",
    "download_url": "/api/v1/document-versions/31/download/",
}
DOCUMENT_EXAMPLE = {
    "id": 12,
    "project": "PRJ-2026-0001",
    "title": "总平面图",
    "category": "drawings",
    "attached_kind": "",
    "attached_id": None,
    "current_version": 2,
    "created_by": "biz_wang",
    "created_at": "2026-11-20T09:00:00+08:00",
    "updated_at": "2026-11-25T10:30:00+08:00",
    "versions": [VERSION_EXAMPLE, {**VERSION_EXAMPLE, "id": 30, "version": 1, "note": ""}],
}
LIST_EXAMPLE = {
    "id": 12,
    "project": "PRJ-2026-0001",
    "title": "总平面图",
    "category": "drawings",
    "current_version": 2,
    "latest_filename": "总平面图-v2.pdf",
    "latest_size": 482133,
    "latest_uploaded_by": "eng_li",
    "latest_uploaded_at": "2026-11-25T10:30:00+08:00",
    "created_by": "biz_wang",
    "created_at": "2026-11-20T09:00:00+08:00",
    "updated_at": "2026-11-25T10:30:00+08:00",
}
UPLOAD_ERRORS = {
    400: BAD_REQUEST,  # bad input, or the file refused (type, or content not its type)
    403: ApiErrorSerializer,
    404: ApiErrorSerializer,
    413: OpenApiResponse(ApiErrorSerializer, description="file larger than the upload limit"),
}


def _too_large() -> Response:
    limit_mb = round(settings.UPLOAD_MAX_BYTES / 1048576, 1)
    return Response(
        {
            "detail": _("文件过大。"),
            "file": [_("文件过大：上限为 %(limit)s MB。") % {"limit": limit_mb}],
        },
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def _body_too_large(request) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > settings.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD


def _upload(request, serializer_class, write):
    """Shared by both uploads: 413 before reading an oversized body, 400 on bad fields."""
    if _body_too_large(request):
        return None, _too_large()
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return write(data.validated_data), None
    except UploadTooLarge as exc:
        return None, Response(
            {"detail": _("文件过大。"), **exc.message_dict},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


def _document_response(user, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(DocumentSerializer(selectors.document_for(user, pk)).data, status=code)


class ProjectDocumentsView(APIView):
    """The project's library (newest change first; filter `category`); POST uploads a new
    document with its version 1 (any member of the project, PMO)."""

    # JSON too, so a body without a file is a 400 naming `file`, not a 415
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="project_document_list",
        parameters=[OpenApiParameter("category", str, enum=Category.values)],
        responses={200: PaginatedDocuments, 400: BAD_REQUEST, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "a page of documents",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [LIST_EXAMPLE]},
            )
        ],
        tags=["documents"],
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        category = request.query_params.get("category", "")
        if category and category not in Category.values:
            raise ValidationError({"category": [_("未知的类别。")]})
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.library(project, category=category), request, view=self
        )
        rows = DocumentListSerializer(page, many=True, context={"project": project}).data
        return paginator.get_paginated_response(rows)

    @extend_schema(
        operation_id="project_document_create",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **UPLOAD_ERRORS},
        examples=[
            OpenApiExample(
                "uploaded", response_only=True, status_codes=["201"], value=DOCUMENT_EXAMPLE
            ),
            OpenApiExample(
                "refused",
                response_only=True,
                status_codes=["400"],
                value={"file": ["文件内容与扩展名“.pdf”不符，已拒绝。"]},
            ),
        ],
        tags=["documents"],
    )
    def post(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        services.require_uploader(request.user, project)
        document, refused = _upload(
            request,
            DocumentUploadSerializer,
            lambda data: services.create_document(project, by=request.user, **data),
        )
        if refused is not None:
            return refused
        return _document_response(request.user, document.pk, status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(
        operation_id="document_retrieve",
        responses={200: DocumentSerializer, 404: ApiErrorSerializer},
        examples=[OpenApiExample("a document", response_only=True, value=DOCUMENT_EXAMPLE)],
        tags=["documents"],
    )
    def get(self, request, pk: int):
        """One document of a project the caller may see, with its versions."""
        return _document_response(request.user, pk)


class DocumentVersionsView(APIView):
    """A new version of the document; every earlier version stays as it was."""

    # JSON too, so a body without a file is a 400 naming `file`, not a 415
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="document_version_create",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: DocumentSerializer, **UPLOAD_ERRORS},
        examples=[
            OpenApiExample(
                "version 2", response_only=True, status_codes=["201"], value=DOCUMENT_EXAMPLE
            )
        ],
        tags=["documents"],
    )
    def post(self, request, pk: int):
        document = get_object_or_404(
            selectors.visible_documents(request.user).select_related("project"), pk=pk
        )
        services.require_uploader(request.user, document.project)
        _version, refused = _upload(
            request,
            VersionUploadSerializer,
            lambda data: services.add_version(document.pk, by=request.user, **data),
        )
        if refused is not None:
            return refused
        return _document_response(request.user, document.pk, status.HTTP_201_CREATED)


class VersionDownloadView(APIView):
    """The version's bytes, as stored. `?preview=1` opens an image or a PDF inline; every
    other type, and every download without it, is an attachment. Audited."""

    @extend_schema(
        operation_id="document_version_download",
        parameters=[OpenApiParameter("preview", bool, description="inline for images and PDF")],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="the file, with the Content-Type of its checked type",
            ),
            404: ApiErrorSerializer,
        },
        tags=["documents"],
    )
    def get(self, request, pk: int):
        version = selectors.version_for(request.user, pk)  # DoesNotExist: 404
        preview = request.query_params.get("preview", "") in ("1", "true")
        return file_response(version, by=request.user, preview=preview)
