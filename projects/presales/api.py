"""API for pre-sales: feasibility assessments, the quote and its promise gaps (API.md).

Views parse, look the object up among what the caller may see (else 404) and call one
service in projects.presales.services; refusals map to 403 / 409 / 400 in the exception handler.
"""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import AsciiDecimalField, ModelSerializer, id_field
from coordination.api.inputs import validated_input
from coordination.api.pagination import filtered, paged_response
from coordination.api.schema import (  # BAD_REQUEST: {"<field>": ["message"]}
    BAD_REQUEST,
    SYNC_PARAMETERS,
    sync_page,
)
from coordination.core.limits import ITEMS_MAX, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from projects.api.filters import UpdatedSinceFilterSet
from projects.core.selectors import visible_projects
from projects.presales import services
from projects.presales.models import COST_FIELDS, FeasibilityAssessment, Quote
from projects.presales.promise_gaps import margin_floor, promise_gaps

# ---------------------------------------------------------------- serializers


class KeyRiskSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    probability = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)


class FeasibilityAssessmentSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    based_on_version = serializers.IntegerField(
        source="based_on.version", read_only=True, allow_null=True, default=None
    )
    key_risks = KeyRiskSerializer(many=True, required=False, max_length=ITEMS_MAX)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = FeasibilityAssessment
        fields = [
            "id",
            "project",
            "version",
            "status",
            "is_current",
            "verdict",
            "conditions",
            *COST_FIELDS,
            "total_cost",
            "currency",
            "estimated_duration_days",
            "key_risks",
            "assumptions",
            "author",
            "based_on_version",
            "submitted_at",
            "decided_by",
            "decided_at",
            "return_reason",
            "superseded_at",
            "risks_copied_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "version",
            "status",
            "total_cost",
            "submitted_at",
            "decided_at",
            "return_reason",
            "superseded_at",
            "risks_copied_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "estimated_duration_days": {"min_value": 1, "max_value": 100000},
            "labour_cost": {"min_value": 0},
            "materials_cost": {"min_value": 0},
            "equipment_cost": {"min_value": 0},
            "subcontracting_cost": {"min_value": 0},
            "contingency_cost": {"min_value": 0},
        }

    def get_is_current(self, obj) -> bool:
        return obj.status == FeasibilityAssessment.Status.APPROVED


class QuoteSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    assessment = id_field(
        source="assessment_id",
        required=False,
        allow_null=True,
        help_text="id of the assessment the quote relies on; default: the current approved one",
    )
    assessment_version = serializers.IntegerField(
        source="assessment.version", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "project",
            "revision",
            "is_current",
            *services.QUOTE_FIELDS,
            "assessment_version",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "revision", "is_current", "created_at", "updated_at"]
        extra_kwargs = {"quoted_price": {"min_value": Decimal("0.01")}}


class GapSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    figures = serializers.DictField()


PromiseGapsResponse = inline_serializer(
    "PromiseGaps",
    {
        "project": serializers.CharField(),
        "is_key_project": serializers.BooleanField(),
        "blocks_contract": serializers.BooleanField(),
        "margin_floor": AsciiDecimalField(max_digits=5, decimal_places=4),
        "gaps": GapSerializer(many=True),
    },
)
ConflictResponse = inline_serializer(
    "PresalesConflict",
    {
        "detail": serializers.CharField(),
        "unmet": serializers.ListField(child=serializers.CharField()),
    },
)
ErrorResponse = inline_serializer("PresalesError", {"detail": serializers.CharField()})
ReasonRequest = inline_serializer(
    "ReturnReason", {"reason": serializers.CharField(max_length=NOTE_MAX_LENGTH)}
)
CommentRequest = inline_serializer(
    "ApproveComment",
    {
        "comment": serializers.CharField(
            required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH
        )
    },
)
ERRORS = {403: ErrorResponse, 404: ErrorResponse, 409: ConflictResponse}
CONDITIONAL_ERRORS = {**ERRORS, 412: PRECONDITION_FAILED}
IF_MATCH_NOTE = " `If-Match`: the ETag of the assessment as read (412 when it changed since)."


class FeasibilityFilter(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=FeasibilityAssessment.Status.choices)

    class Meta:
        model = FeasibilityAssessment
        fields = ["status", "updated_since"]


# ---------------------------------------------------------------- lookups


def _project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _assessment(request, pk: int) -> FeasibilityAssessment:
    return get_object_or_404(
        FeasibilityAssessment.objects.select_related("project", "author", "decided_by", "based_on"),
        pk=pk,
        project__in=visible_projects(request.user),
    )


def _render_assessment(assessment: FeasibilityAssessment, code=status.HTTP_200_OK) -> Response:
    """The assessment as saved, with its ETag."""
    fresh = FeasibilityAssessment.objects.select_related(
        "project", "author", "decided_by", "based_on"
    ).get(pk=assessment.pk)
    return tagged(Response(FeasibilityAssessmentSerializer(fresh).data, status=code), fresh)


def _input(serializer_class, request, *, partial=False) -> dict:
    data = validated_input(serializer_class, request, partial=partial)
    if "key_risks" in data:
        data["key_risks"] = [dict(r) for r in data["key_risks"]]
    return data


# ---------------------------------------------------------------- views


class ProjectFeasibilityView(APIView):
    """A project's feasibility assessments, newest version first; POST starts a new draft."""

    @extend_schema(
        operation_id="project_feasibility_list",
        parameters=[
            OpenApiParameter("status", str, many=True, enum=FeasibilityAssessment.Status.values),
            *SYNC_PARAMETERS,
        ],
        responses={
            200: sync_page(  # paginated by hand: the page envelope, not a bare array
                "PaginatedFeasibilityAssessmentList", FeasibilityAssessmentSerializer(many=True)
            ),
            400: BAD_REQUEST,
            404: ErrorResponse,
        },
    )
    def get(self, request, code: str):
        project = _project(request, code)
        qs = project.feasibility_assessments.select_related(
            "project", "author", "decided_by", "based_on"
        ).order_by("-version")
        qs = filtered(FeasibilityFilter(request.query_params, queryset=qs))
        return paged_response(request, self, qs, FeasibilityAssessmentSerializer)

    @extend_schema(
        operation_id="project_feasibility_create",
        parameters=[ETAG],
        request=FeasibilityAssessmentSerializer,
        responses={201: FeasibilityAssessmentSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "draft",
                request_only=True,
                value={
                    "verdict": "conditional",
                    "conditions": "客户需在开工前提供完整的设备基础图",
                    "labour_cost": "800000.00",
                    "materials_cost": "1500000.00",
                    "equipment_cost": "600000.00",
                    "subcontracting_cost": "300000.00",
                    "contingency_cost": "200000.00",
                    "estimated_duration_days": 240,
                    "key_risks": [{"title": "进口PLC交期", "probability": 3, "impact": 4}],
                    "assumptions": "现场具备24小时施工条件",
                },
            )
        ],
    )
    def post(self, request, code: str):
        project = _project(request, code)
        data = _input(FeasibilityAssessmentSerializer, request)
        assessment = services.create_assessment(project, by=request.user, data=data)
        return _render_assessment(assessment, status.HTTP_201_CREATED)


class FeasibilityDetailView(APIView):
    """One assessment version. PATCH only a draft; on a returned one it creates the next version."""

    @extend_schema(
        operation_id="feasibility_retrieve",
        parameters=[ETAG],
        responses={200: FeasibilityAssessmentSerializer, 404: ErrorResponse},
    )
    def get(self, request, pk: int):
        assessment = _assessment(request, pk)
        return tagged(Response(FeasibilityAssessmentSerializer(assessment).data), assessment)

    @extend_schema(
        operation_id="feasibility_partial_update",
        parameters=[IF_MATCH, ETAG],
        request=FeasibilityAssessmentSerializer,
        responses={200: FeasibilityAssessmentSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
        description="On a returned version the answer is the new draft, with its own ETag."
        + IF_MATCH_NOTE,
    )
    def patch(self, request, pk: int):
        assessment = _assessment(request, pk)
        data = _input(FeasibilityAssessmentSerializer, request, partial=True)
        assessment = services.update_assessment(
            assessment.pk, by=request.user, data=data, expected_version=if_match(request)
        )
        return _render_assessment(assessment)


class FeasibilitySubmitView(APIView):
    @extend_schema(
        operation_id="feasibility_submit",
        parameters=[IF_MATCH, ETAG],
        request=None,
        responses={200: FeasibilityAssessmentSerializer, **CONDITIONAL_ERRORS},
        description="draft → submitted (a returned version is re-submitted as the next version); "
        "notifies the project's engineering director." + IF_MATCH_NOTE,
    )
    def post(self, request, pk: int):
        assessment = _assessment(request, pk)
        assessment = services.submit_assessment(
            assessment.pk, by=request.user, expected_version=if_match(request)
        )
        return _render_assessment(assessment)


class FeasibilityApproveView(APIView):
    @extend_schema(
        operation_id="feasibility_approve",
        parameters=[IF_MATCH, ETAG],
        request=CommentRequest,
        responses={200: FeasibilityAssessmentSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
        description="submitted → approved by the project's engineering director; the previously "
        "approved version becomes superseded." + IF_MATCH_NOTE,
    )
    def post(self, request, pk: int):
        assessment = _assessment(request, pk)
        comment = request.data.get("comment", "") if isinstance(request.data, dict) else ""
        assessment = services.approve_assessment(
            assessment.pk,
            by=request.user,
            comment=str(comment or ""),
            expected_version=if_match(request),
        )
        return _render_assessment(assessment)


class FeasibilityReturnView(APIView):
    @extend_schema(
        operation_id="feasibility_return",
        parameters=[IF_MATCH, ETAG],
        request=ReasonRequest,
        responses={200: FeasibilityAssessmentSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
        description="submitted → returned, with a reason." + IF_MATCH_NOTE,
    )
    def post(self, request, pk: int):
        assessment = _assessment(request, pk)
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        assessment = services.return_assessment(
            assessment.pk,
            by=request.user,
            reason=str(reason or ""),
            expected_version=if_match(request),
        )
        return _render_assessment(assessment)


class FeasibilityCopyRisksView(APIView):
    @extend_schema(
        operation_id="feasibility_copy_risks",
        request=None,
        responses={
            200: inline_serializer(
                "CopiedRisks", {"risks": serializers.ListField(child=serializers.IntegerField())}
            ),
            **ERRORS,
        },
        description="Copy the key technical risks into the project's risk register (once).",
    )
    def post(self, request, pk: int):
        assessment = _assessment(request, pk)
        risks = services.copy_risks_to_register(assessment.pk, by=request.user)
        return Response({"risks": [r.pk for r in risks]})


class ProjectQuoteView(APIView):
    """Business's current quote. PUT replaces it (previous revisions are kept)."""

    @extend_schema(
        operation_id="project_quote_retrieve",
        parameters=[ETAG],
        responses={200: QuoteSerializer, 404: ErrorResponse},
    )
    def get(self, request, code: str):
        project = _project(request, code)
        quote = get_object_or_404(
            Quote.objects.select_related("project", "author", "assessment"),
            project=project,
            is_current=True,
        )
        return tagged(Response(QuoteSerializer(quote).data), quote)

    @extend_schema(
        operation_id="project_quote_put",
        parameters=[IF_MATCH, ETAG],
        description="Each saved change is the next revision. `If-Match`: the ETag of the current "
        'quote as read (`"v<revision>"`); 412 when another revision was saved since, or when '
        "there is no quote yet.",
        request=QuoteSerializer,
        responses={
            200: QuoteSerializer,
            201: QuoteSerializer,
            400: BAD_REQUEST,
            **CONDITIONAL_ERRORS,
        },
        examples=[
            OpenApiExample(
                "quote",
                request_only=True,
                value={
                    "quoted_price": "4200000.00",
                    "currency": "CNY",
                    "promised_delivery_date": "2027-03-31",
                    "payment_terms": "30/60/10，质保金10%",
                    "notes": "",
                },
            )
        ],
    )
    def put(self, request, code: str):
        project = _project(request, code)
        data = _input(QuoteSerializer, request)
        if "assessment_id" in data:
            data["assessment"] = data.pop("assessment_id")
        quote, outcome = services.put_quote(
            project, by=request.user, data=data, expected_version=if_match(request)
        )
        quote = Quote.objects.select_related("project", "author", "assessment").get(pk=quote.pk)
        response = Response(
            QuoteSerializer(quote).data,
            status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK,
        )
        return tagged(response, quote)


class PromiseGapsView(APIView):
    @extend_schema(
        operation_id="project_promise_gaps",
        responses={200: PromiseGapsResponse, 404: ErrorResponse},
    )
    def get(self, request, code: str):
        """What the quote promises beyond the approved feasibility assessment (`gaps`); on a
        key project any gap blocks the contract (`blocks_contract`)."""
        project = _project(request, code)
        gaps = promise_gaps(project)
        return Response(
            {
                "project": project.code,
                "is_key_project": project.is_key_project,
                "blocks_contract": bool(gaps) and project.is_key_project,
                "margin_floor": str(margin_floor()),
                "gaps": [g.as_dict() for g in gaps],
            }
        )
