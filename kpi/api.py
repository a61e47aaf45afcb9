"""KPI API: survey and complaint inputs, definitions, values, scorecards, comparison."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import AsciiDecimalField, ModelSerializer, OffsetDateTimeField
from coordination.api.pagination import SyncPagination, updated_since
from coordination.api.schema import BAD_REQUEST, CONFLICT, SINCE_PARAMETER
from coordination.core.roles import is_pmo
from kpi import exports, services
from kpi import periods as P
from kpi.models import Complaint, KpiDefinition, Restatement, SatisfactionSurvey
from kpi.params import (
    comparison_for,
    parse_cell_params,
    parse_scorecard_params,
    parse_source,
    parse_value_params,
)
from kpi.selectors.drilldown import rows_behind
from kpi.selectors.formulas import SURVEY_SOURCES
from kpi.selectors.kpi_values import value_rows
from kpi.selectors.scopes import SCORECARD_DEPARTMENTS
from kpi.selectors.scorecards import scorecard
from projects.core.selectors import visible_projects

ERROR_400 = BAD_REQUEST  # {"<field>": ["message"]} with any field name
ERROR_DETAIL = inline_serializer("KpiErrorDetail", {"detail": serializers.CharField()})


# ------------------------------------------------------------------ inputs
class SurveySerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5), required=False
    )
    overall_score = serializers.IntegerField(min_value=1, max_value=5)
    surveyed_on = serializers.DateField(required=False)

    class Meta:
        model = SatisfactionSurvey
        fields = [
            "id",
            "project",
            "respondent",
            "overall_score",
            "scores",
            "comments",
            "surveyed_on",
            "source",
            "created_at",
            "updated_at",
        ]
        # staff entries are 录入 (staff); customer answers come only through a survey link
        read_only_fields = ["id", "project", "source", "created_at", "updated_at"]


class ComplaintSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    opened_on = serializers.DateField(required=False)
    closed_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Complaint
        fields = ["id", "project", *services.COMPLAINT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "project", "created_at", "updated_at"]


class SurveyCreatedSerializer(SurveySerializer):
    restatement_periods = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="closed periods containing the input's date: a pending restatement each",
    )

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "restatement_periods"]


class ComplaintCreatedSerializer(ComplaintSerializer):
    restatement_periods = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="closed periods containing the input's date: a pending restatement each",
    )

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "restatement_periods"]


class _ProjectInputList(generics.ListCreateAPIView):
    """Shared by surveys and complaints: list (paginated) and record through the service."""

    pagination_class = SyncPagination

    search_fields: list[str] = []
    filterset_fields: list[str] = []
    ordering_fields: list[str] = []

    def get_project(self):
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                visible_projects(self.request.user), code=self.kwargs["code"]
            )
        return self._project

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.serializer_class.Meta.model.objects.filter(project=self.get_project())
        since = updated_since(self.request)
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        return qs.select_related("project")

    def create(self, request, *args, **kwargs):
        project = self.get_project()  # 404 for projects the caller can't see, before any 400
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.record(project, serializer.validated_data)
        return Response(self.created_serializer(obj).data, status=201)


class SurveyList(_ProjectInputList):
    """Customer satisfaction surveys of a project (KPI input)."""

    serializer_class = SurveySerializer
    created_serializer = SurveyCreatedSerializer
    filterset_fields = ["overall_score", "source"]
    ordering_fields = ["surveyed_on", "overall_score"]

    def record(self, project, data):
        return services.record_survey(project, by=self.request.user, data=data)

    @extend_schema(
        parameters=[SINCE_PARAMETER],
        responses={200: SurveySerializer(many=True), 400: ERROR_400, 404: ERROR_DETAIL},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        responses={
            201: SurveyCreatedSerializer,
            400: ERROR_400,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
        }
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ComplaintList(_ProjectInputList):
    """Customer and internal (cross-department) complaints of a project (KPI input)."""

    serializer_class = ComplaintSerializer
    created_serializer = ComplaintCreatedSerializer
    filterset_fields = ["source", "severity", "category", "responsible_department"]
    ordering_fields = ["opened_on", "closed_on"]

    def record(self, project, data):
        return services.record_complaint(project, by=self.request.user, data=data)

    @extend_schema(
        parameters=[SINCE_PARAMETER],
        responses={200: ComplaintSerializer(many=True), 400: ERROR_400, 404: ERROR_DETAIL},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        responses={
            201: ComplaintCreatedSerializer,
            400: ERROR_400,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
        }
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


# ------------------------------------------------------------------ definitions and values
class KpiDefinitionSerializer(ModelSerializer):
    class Meta:
        model = KpiDefinition
        fields = [
            "code",
            "name_zh",
            "name_en",
            "unit",
            "direction",
            "target",
            "formula_zh",
            "formula_en",
            "is_joint",
            "owner_department",
        ]


class KpiDefinitionList(generics.ListAPIView):
    """The KPI definitions: what each indicator means and how it is computed."""

    serializer_class = KpiDefinitionSerializer
    queryset = KpiDefinition.objects.filter(is_active=True)
    pagination_class = None
    filter_backends: list = []


class KpiValueSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    numerator = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    denominator = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    value = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    extra = serializers.DictField()
    frozen = serializers.BooleanField()
    computed_at = OffsetDateTimeField(allow_null=True)
    open = serializers.BooleanField(help_text="the period has not ended: the value is so far")
    as_of = serializers.DateField(allow_null=True, help_text="an open period's value date")
    no_cases = serializers.BooleanField(
        help_text="nothing to count in the period (so far): value is null, not 0"
    )
    current_state = serializers.BooleanField(
        help_text="a current-state KPI: a value only as of today or frozen at close"
    )
    pending_restatements = serializers.IntegerField(
        help_text="late inputs waiting for PMO to restate this closed period"
    )


class KpiValues(APIView):
    """KPI values per period for one scope; closed periods answer from frozen snapshots."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, exports.CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("kpi", str, description="KPI code(s), comma separated; all if empty"),
            OpenApiParameter(
                "scope", str, description="company | department:<d> | project:<code> | pm:<user>"
            ),
            OpenApiParameter("granularity", str, enum=list(P.GRANULARITIES)),
            OpenApiParameter("from", str, description="period key or ISO date"),
            OpenApiParameter("to", str, description="period key or ISO date"),
            OpenApiParameter(
                "source",
                str,
                enum=SURVEY_SOURCES,
                description="customer_satisfaction only: the surveys of one source "
                "(customer: answered by the customer's link, staff: entered); all by default",
            ),
        ],
        responses={
            200: inline_serializer(
                "KpiValues",
                {
                    "scope": serializers.CharField(),
                    "granularity": serializers.CharField(),
                    "source": serializers.ChoiceField(choices=SURVEY_SOURCES),
                    "results": KpiValueSerializer(many=True),
                },
            ),
            400: ERROR_400,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
        },
    )
    def get(self, request):
        kpis, scope, periods = parse_value_params(request.query_params, request.user)
        source = parse_source(request.query_params)
        rows = value_rows(kpis, scope, periods, source=source)
        return Response(
            {
                "scope": str(scope),
                "granularity": periods[0].granularity if periods else P.MONTH,
                "source": source,
                "results": KpiValueSerializer(rows, many=True).data,
            }
        )


class ScorecardKpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    target = AsciiDecimalField(max_digits=12, decimal_places=2)
    is_joint = serializers.BooleanField()
    weight = AsciiDecimalField(max_digits=6, decimal_places=2)
    numerator = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    denominator = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    value = AsciiDecimalField(max_digits=18, decimal_places=4, allow_null=True)
    extra = serializers.DictField()
    score = AsciiDecimalField(max_digits=6, decimal_places=1, allow_null=True)
    frozen = serializers.BooleanField()
    no_cases = serializers.BooleanField(
        help_text="nothing to count in the period (so far): value is null, not 0"
    )


class ScorecardMissingKpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = AsciiDecimalField(max_digits=6, decimal_places=2)


class ScorecardCoverageSerializer(serializers.Serializer):
    weight_total = AsciiDecimalField(max_digits=9, decimal_places=2)
    weight_with_data = AsciiDecimalField(max_digits=9, decimal_places=2)
    without_data = ScorecardMissingKpiSerializer(many=True)


class ScorecardSerializer(serializers.Serializer):
    department = serializers.CharField()
    title = serializers.CharField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    frozen = serializers.BooleanField()
    score = AsciiDecimalField(max_digits=6, decimal_places=1, allow_null=True)
    open = serializers.BooleanField(help_text="the period has not ended: values so far")
    as_of = serializers.DateField(allow_null=True)
    missing_data = serializers.ChoiceField(choices=["reweight", "zero"])
    coverage = ScorecardCoverageSerializer()
    scope = serializers.CharField()
    kpis = ScorecardKpiSerializer(many=True)


class KpiScorecard(APIView):
    """A department's scorecard for a period; `?format=csv` or `?format=xlsx` exports it."""

    renderer_classes = [
        JSONRenderer,
        BrowsableAPIRenderer,
        exports.CSVRenderer,
        exports.XLSXRenderer,
    ]

    @extend_schema(
        parameters=[
            OpenApiParameter("department", str, enum=list(SCORECARD_DEPARTMENTS)),
            OpenApiParameter("period", str, description="2026-07 | 2026-Q3 | 2026"),
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
        ],
        responses={
            (200, "application/json"): ScorecardSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, exports.XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            400: ERROR_400,
        },
    )
    def get(self, request):
        department, period = parse_scorecard_params(request.query_params)
        data = ScorecardSerializer(scorecard(department, period)).data
        fmt = getattr(request, "accepted_renderer", None)
        if fmt is not None and fmt.format in ("csv", "xlsx"):
            filename = f"scorecard-{department}-{period.key}.{fmt.format}"
            return Response(
                data, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
            )
        return Response(data)


class ComparisonGroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    projects = serializers.IntegerField(allow_null=True)
    delivered_projects = serializers.IntegerField()
    delivery_cycle_days = AsciiDecimalField(max_digits=10, decimal_places=1, allow_null=True)
    surveys = serializers.IntegerField()
    satisfaction_share = AsciiDecimalField(max_digits=6, decimal_places=1, allow_null=True)
    satisfaction_average = AsciiDecimalField(max_digits=4, decimal_places=2, allow_null=True)
    customer_complaints = serializers.IntegerField()
    cross_department_complaints = serializers.IntegerField()
    customer_complaints_per_project = AsciiDecimalField(
        max_digits=10, decimal_places=2, allow_null=True
    )
    cross_department_complaints_per_project = AsciiDecimalField(
        max_digits=10, decimal_places=2, allow_null=True
    )


class ComparisonSerializer(serializers.Serializer):
    mode = serializers.CharField()
    split = serializers.DateField(required=False)
    window_days = serializers.IntegerField(required=False)
    window_months = serializers.IntegerField(required=False)
    projects = serializers.ListField(child=serializers.CharField(), required=False)
    before = ComparisonGroupSerializer()
    after = ComparisonGroupSerializer()
    change = serializers.DictField(
        child=AsciiDecimalField(max_digits=10, decimal_places=1, allow_null=True)
    )


class KpiComparison(APIView):
    """Before/after comparison: delivery cycle, satisfaction and complaints change %."""

    @extend_schema(
        parameters=[
            OpenApiParameter("split", OpenApiTypes.DATE),
            OpenApiParameter(
                "months",
                {"type": "integer", "minimum": 1, "maximum": 60},  # as kpi.params parses it
                description="window length after split (1–60)",
            ),
            OpenApiParameter("projects", str, description="project codes, comma separated"),
            OpenApiParameter("cohort", str, description="a saved project cohort's slug"),
        ],
        responses={200: ComparisonSerializer, 400: ERROR_400},
    )
    def get(self, request):
        return Response(ComparisonSerializer(comparison_for(request.query_params)).data)


# ------------------------------------------------------------------ restatements
class RestatementSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True)
    created_at = OffsetDateTimeField()
    resolved_at = OffsetDateTimeField(allow_null=True)

    class Meta:
        model = Restatement
        fields = [
            "id",
            "period",
            "input_kind",
            "input_id",
            "project",
            "input_date",
            "description",
            "status",
            "created_at",
            "created_by",
            "resolved_at",
            "resolved_by",
            "reason",
        ]


class RestatementList(generics.ListAPIView):
    """Inputs dated in a closed period and recorded after it closed (`?status=pending`)."""

    serializer_class = RestatementSerializer
    pagination_class = SyncPagination
    filter_backends: list = []

    def get_queryset(self):
        qs = Restatement.objects.select_related("project", "created_by", "resolved_by")
        status = self.request.query_params.get("status")
        if status:
            if status not in Restatement.Status.values:
                raise ValidationError(
                    {"status": [f"one of {', '.join(Restatement.Status.values)}"]}
                )
            qs = qs.filter(status=status)
        period = self.request.query_params.get("period")
        return qs.filter(period=period) if period else qs

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(Restatement.Status.values)),
            OpenApiParameter("period", str, description="2026-07 | 2026-Q3 | 2026"),
        ],
        responses={200: RestatementSerializer(many=True), 400: ERROR_400},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RestatementDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class _RestatementDecision(APIView):
    @extend_schema(
        request=RestatementDecisionSerializer,
        responses={
            200: inline_serializer(
                "RestatementDecision",
                {
                    "period": serializers.CharField(),
                    "periods": serializers.ListField(child=serializers.CharField()),
                    "left": serializers.IntegerField(),
                },
            ),
            400: ERROR_400,
            403: ERROR_DETAIL,
            409: CONFLICT,
        },
    )
    def post(self, request, period):
        if not is_pmo(request.user):  # refused before the body is read
            raise ApiPermissionDenied(_("只有PMO可以处理期间重述。"))
        body = RestatementDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            {"period": period, **self.decide(period, request.user, body.validated_data["reason"])}
        )


class RestatePeriod(_RestatementDecision):
    """PMO restates a closed period: reopen, recompute with the late inputs, close again."""

    def decide(self, period, user, reason):
        return {"periods": services.restate_period(period, by=user, reason=reason), "left": 0}


class LeavePeriodFrozen(_RestatementDecision):
    """PMO keeps the frozen values of a period; its late inputs stay out (reason, audited)."""

    def decide(self, period, user, reason):
        return {"periods": [], "left": services.leave_period_frozen(period, by=user, reason=reason)}


# ------------------------------------------------------------------ drill-down
class KpiCellRowSerializer(serializers.Serializer):
    project = serializers.CharField()
    record = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    in_numerator = serializers.BooleanField(allow_null=True)
    days = serializers.CharField(allow_null=True)


class KpiCellPartSerializer(serializers.Serializer):
    rows = KpiCellRowSerializer(many=True)
    truncated = serializers.BooleanField()


class KpiCellRows(APIView):
    """The rows behind one KPI value (scope × period): the records it counts, so anyone can
    recompute it by hand (the first part is the denominator's rows, `in_numerator` marks the
    numerator's; the complaint rate's second part is its active projects)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kpi", str, required=True),
            OpenApiParameter(
                "scope", str, description="company | department:<d> | project:<code> | pm:<user>"
            ),
            OpenApiParameter("period", str, description="2026-07 | 2026-Q3 | 2026"),
            OpenApiParameter(
                "source",
                str,
                enum=SURVEY_SOURCES,
                description="customer_satisfaction only: the surveys of one source "
                "(customer: answered by the customer's link, staff: entered); all by default",
            ),
        ],
        responses={
            200: inline_serializer(
                "KpiCellRows",
                {
                    "kpi": serializers.CharField(),
                    "scope": serializers.CharField(),
                    "period": serializers.CharField(),
                    "value": KpiValueSerializer(),
                    "parts": KpiCellPartSerializer(many=True),
                },
            ),
            400: ERROR_400,
            403: ERROR_DETAIL,
            404: ERROR_DETAIL,
        },
    )
    def get(self, request):
        kpi, scope, period = parse_cell_params(request.query_params, request.user)
        source = parse_source(request.query_params)
        value = value_rows([kpi], scope, [period], source=source)[0]
        return Response(
            {
                "kpi": kpi.code,
                "scope": str(scope),
                "period": period.key,
                "value": KpiValueSerializer(value).data,
                "parts": KpiCellPartSerializer(
                    rows_behind(kpi.code, scope, period, source=source), many=True
                ).data,
            }
        )
