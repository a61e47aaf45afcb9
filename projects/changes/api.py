"""API for change requests (API.md): per-project list and create, detail and draft edit, and one
POST per move (submit, assess, approve, reject, withdraw, implement).

Views look the object up among what the caller may see (else 404) and call one service in
projects.changes.services; refusals map to 403 / 409 / 400 in the exception handler.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import AsciiDecimalField, ModelSerializer, many_related
from coordination.api.inputs import validated_input
from coordination.api.pagination import filtered, paged_response
from coordination.api.schema import (  # BAD_REQUEST: {"<field>": ["message"]}
    BAD_REQUEST,
    SYNC_PARAMETERS,
    sync_page,
)
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from projects.api.filters import UpdatedSinceFilterSet
from projects.changes import services
from projects.changes.models import ChangeDecision, ChangeRequest
from projects.changes.selectors import (
    awaiting,
    project_change_requests,
    project_drift,
    visible_change_requests,
)
from projects.core.models import Milestone
from projects.core.selectors import visible_projects

# ---------------------------------------------------------------- serializers


class ChangeDecisionSerializer(ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = ChangeDecision
        fields = ["department", "decision", "decided_by", "comment", "decided_at"]


class ChangeRequestSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    assessed_by = serializers.CharField(
        source="assessed_by.username", read_only=True, allow_null=True, default=None
    )
    affected_milestones = many_related(
        serializers.PrimaryKeyRelatedField,
        required=False,
        queryset=Milestone.objects.all(),
        help_text="ids of milestones of the same project",
    )
    decisions = ChangeDecisionSerializer(many=True, read_only=True)
    required_departments = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "number",
            "title",
            "description",
            "origin",
            "status",
            "requested_by",
            "cost_impact",
            "currency",
            "schedule_impact_days",
            "affected_milestones",
            "scope_impact",
            "effort_days",
            "assessment_risks",
            "assessed_by",
            "assessed_at",
            "required_departments",
            "decisions",
            "submitted_at",
            "decided_at",
            "implemented_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "effort_days",
            "assessment_risks",
            "assessed_at",
            "submitted_at",
            "decided_at",
            "implemented_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "cost_impact": {"max_digits": 16, "decimal_places": 2},
            "schedule_impact_days": {"min_value": -3650, "max_value": 3650},
            "currency": {"min_length": 3, "max_length": 3},
        }

    def get_required_departments(self, obj) -> list[str]:
        return services.required_departments(obj)

    def validate_affected_milestones(self, value):
        # ids only: the service checks they belong to the project (400 otherwise)
        return [m.pk for m in value]


class AssessSerializer(serializers.Serializer):
    effort_days = AsciiDecimalField(
        max_digits=10, decimal_places=1, min_value=0, help_text="engineering effort, person-days"
    )
    assessment_risks = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, help_text="risks of the change (text)"
    )
    schedule_impact_days = serializers.IntegerField(
        required=False, min_value=-3650, max_value=3650, help_text="corrected schedule impact"
    )
    cost_impact = AsciiDecimalField(max_digits=16, decimal_places=2, required=False)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    department = serializers.ChoiceField(
        choices=["business", "engineering", "finance"],
        required=False,
        help_text="needed only when the caller acts for two departments on the project",
    )


class RejectSerializer(DecisionSerializer):
    comment = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, help_text="why the department rejects"
    )


ConflictResponse = inline_serializer(
    "ChangeRequestConflict",
    {
        "detail": serializers.CharField(),
        "unmet": serializers.ListField(child=serializers.CharField()),
    },
)
ErrorResponse = inline_serializer("ChangeRequestError", {"detail": serializers.CharField()})
# the lists are paginated by hand (_paginate): document the page envelope, not a bare array
PaginatedChangeRequests = sync_page(
    "PaginatedChangeRequestList", ChangeRequestSerializer(many=True)
)
ERRORS = {403: ErrorResponse, 404: ErrorResponse, 409: ConflictResponse}
CONDITIONAL_ERRORS = {**ERRORS, 412: PRECONDITION_FAILED}


class ChangeRequestFilter(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=ChangeRequest.Status.choices)

    class Meta:
        model = ChangeRequest
        fields = ["status", "updated_since"]


# ---------------------------------------------------------------- lookups


def _cr(request, pk: int) -> ChangeRequest:
    return get_object_or_404(visible_change_requests(request.user), pk=pk)


def _render(cr: ChangeRequest, code=status.HTTP_200_OK) -> Response:
    """The request as saved, with its ETag."""
    fresh = project_change_requests(cr.project).get(pk=cr.pk)
    return tagged(Response(ChangeRequestSerializer(fresh).data, status=code), fresh)


def _paginate(view, request, qs):
    filterset = ChangeRequestFilter(request.query_params, queryset=qs)
    qs = filtered(filterset)
    term = str(request.query_params.get("search", "")).strip()  # no NUL: api.middleware
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(number__icontains=term))
    return paged_response(request, view, qs, ChangeRequestSerializer)


LIST_PARAMS = [
    OpenApiParameter("search", str, description="in number and title"),
    OpenApiParameter("status", str, many=True, enum=ChangeRequest.Status.values),
    *SYNC_PARAMETERS,
]


# ---------------------------------------------------------------- views


class ChangeRequestListView(APIView):
    """Change requests on every project the caller may see; `?awaiting_me=1`: the caller's
    approval inbox (assessed requests on which a department the caller acts for must decide)."""

    @extend_schema(
        operation_id="change_request_list",
        parameters=[
            OpenApiParameter(
                "awaiting_me", bool, description="1: only those waiting for my decision"
            ),
            *LIST_PARAMS,
        ],
        responses={200: PaginatedChangeRequests, 400: BAD_REQUEST},
    )
    def get(self, request):
        qs = visible_change_requests(request.user).order_by("-created_at", "-id")
        flag = str(request.query_params.get("awaiting_me", "")).lower()
        if flag in ("1", "true", "yes"):
            qs = qs.filter(pk__in=awaiting(request.user).values("pk"))
        elif flag not in ("", "0", "false", "no"):
            raise ValidationError({"awaiting_me": ["expected 1 or 0"]})
        return _paginate(self, request, qs)


class ProjectChangeRequestView(APIView):
    """A project's change requests, newest first; POST creates a draft (CR-001, CR-002…)."""

    @extend_schema(
        operation_id="project_change_request_list",
        parameters=LIST_PARAMS,
        responses={200: PaginatedChangeRequests, 400: BAD_REQUEST, 404: ErrorResponse},
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        return _paginate(self, request, project_change_requests(project))

    @extend_schema(
        operation_id="project_change_request_create",
        parameters=[ETAG],
        request=ChangeRequestSerializer,
        responses={201: ChangeRequestSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "customer change",
                request_only=True,
                value={
                    "title": "增加一条输送线",
                    "description": "客户要求在二期增加一条成品输送线。",
                    "origin": "customer",
                    "cost_impact": "350000.00",
                    "currency": "CNY",
                    "schedule_impact_days": 20,
                    "affected_milestones": [12, 13],
                    "scope_impact": "新增输送线设计、采购与安装。",
                },
            )
        ],
    )
    def post(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        data = validated_input(ChangeRequestSerializer, request)
        cr = services.create_change_request(project, by=request.user, data=data)
        return _render(cr, status.HTTP_201_CREATED)


class ChangeRequestDetailView(APIView):
    """One change request with its decisions. PATCH only while it is a draft."""

    @extend_schema(
        operation_id="change_request_retrieve",
        parameters=[ETAG],
        responses={200: ChangeRequestSerializer, 404: ErrorResponse},
    )
    def get(self, request, pk: int):
        cr = _cr(request, pk)
        return tagged(Response(ChangeRequestSerializer(cr).data), cr)

    @extend_schema(
        operation_id="change_request_partial_update",
        parameters=[IF_MATCH, ETAG],
        request=ChangeRequestSerializer,
        responses={200: ChangeRequestSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
    )
    def patch(self, request, pk: int):
        cr = _cr(request, pk)
        data = validated_input(ChangeRequestSerializer, request, partial=True)
        cr = services.update_change_request(
            cr.pk, by=request.user, data=data, expected_version=if_match(request)
        )
        return _render(cr)


MeasuresResponse = inline_serializer(
    "ChangeRequestMeasures",
    {
        "project": serializers.CharField(),
        "decided": serializers.IntegerField(),
        "approved": serializers.IntegerField(),
        "open": serializers.IntegerField(help_text="submitted, assessed or approved"),
        "cycle_days": AsciiDecimalField(
            max_digits=10, decimal_places=2, allow_null=True, help_text="submitted → decided"
        ),
        "approved_share_pct": AsciiDecimalField(max_digits=5, decimal_places=1, allow_null=True),
        "approved_cost_impact": AsciiDecimalField(max_digits=16, decimal_places=2),
        "approved_schedule_impact_days": serializers.IntegerField(),
        "currency": serializers.CharField(),
        "baseline_budget": AsciiDecimalField(max_digits=16, decimal_places=2, allow_null=True),
        "forecast_budget": AsciiDecimalField(max_digits=16, decimal_places=2, allow_null=True),
        "budget_drift": AsciiDecimalField(max_digits=16, decimal_places=2, allow_null=True),
        "planned_end": serializers.DateField(allow_null=True),
        "forecast_end": serializers.DateField(allow_null=True),
        "end_drift_days": serializers.IntegerField(allow_null=True),
    },
)


class ProjectChangeMeasuresView(APIView):
    """Decision cycle time, share approved, and cost and schedule drift of one project."""

    @extend_schema(
        operation_id="project_change_request_measures",
        responses={200: MeasuresResponse, 404: ErrorResponse},
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        data = project_drift(project)
        return Response(
            MeasuresResponse.__class__(
                {**data, "project": project.code, "currency": project.currency}
            ).data
        )


def _action_view(name: str, description: str, request_serializer, call):
    class ActionView(APIView):
        @extend_schema(
            operation_id=f"change_request_{name}",
            parameters=[IF_MATCH, ETAG],
            request=request_serializer,
            responses={200: ChangeRequestSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
            description=description
            + " `If-Match`: the ETag of the request as read (412 when it changed since).",
        )
        def post(self, request, pk: int):
            cr = _cr(request, pk)
            data = validated_input(request_serializer, request) if request_serializer else {}
            return _render(call(cr, request.user, data, if_match(request)))

    ActionView.__name__ = f"ChangeRequest{name.title()}View"
    ActionView.__qualname__ = ActionView.__name__
    return ActionView


SubmitView = _action_view(
    "submit",
    "draft → submitted (requester or a PM); engineering is notified to assess the impact.",
    None,
    lambda cr, user, data, seen: services.submit_change_request(
        cr.pk, by=user, expected_version=seen
    ),
)
AssessView = _action_view(
    "assess",
    "submitted → assessed: engineering's impact assessment (engineering PM, director or tech "
    "lead); the approvers are notified.",
    AssessSerializer,
    lambda cr, user, data, seen: services.assess_change_request(
        cr.pk, by=user, data=data, expected_version=seen
    ),
)
ApproveView = _action_view(
    "approve",
    "Approve for the caller's department (business, engineering; finance when |cost_impact| is "
    "above the threshold). The last required approval approves the request and moves the "
    "project's forecast end and budget and the affected milestones' forecasts. PMO: 403. "
    "A department that already decided: 409.",
    DecisionSerializer,
    lambda cr, user, data, seen: services.approve_change_request(
        cr.pk,
        by=user,
        comment=data.get("comment", ""),
        department=data.get("department"),
        expected_version=seen,
    ),
)
RejectView = _action_view(
    "reject",
    "Reject for the caller's department (a comment is required); any rejection rejects.",
    RejectSerializer,
    lambda cr, user, data, seen: services.reject_change_request(
        cr.pk,
        by=user,
        comment=data.get("comment", ""),
        department=data.get("department"),
        expected_version=seen,
    ),
)
WithdrawView = _action_view(
    "withdraw",
    "Withdraw before the decision (requester or a PM).",
    None,
    lambda cr, user, data, seen: services.withdraw_change_request(
        cr.pk, by=user, expected_version=seen
    ),
)
ImplementView = _action_view(
    "implement",
    "approved → implemented (a PM).",
    None,
    lambda cr, user, data, seen: services.implement_change_request(
        cr.pk, by=user, expected_version=seen
    ),
)
