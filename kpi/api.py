"""KPI API: survey and complaint inputs, definitions, values, scorecards, comparison."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import AsciiDecimalField, ModelSerializer, OffsetDateTimeField
from coordination.api.pagination import SyncPagination, updated_since
from coordination.api.schema import BAD_REQUEST, SINCE_PARAMETER
from kpi import exports, services
from kpi import periods as P
from kpi.models import Complaint, KpiDefinition, SatisfactionSurvey
from kpi.params import comparison_for, parse_scorecard_params, parse_value_params
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "project", "created_at", "updated_at"]


class ComplaintSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    opened_on = serializers.DateField(required=False)
    closed_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Complaint
        fields = ["id", "project", *services.COMPLAINT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "project", "created_at", "updated_at"]


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
        return Response(self.get_serializer(obj).data, status=201)


class SurveyList(_ProjectInputList):
    """Customer satisfaction surveys of a project (KPI input)."""

    serializer_class = SurveySerializer
    filterset_fields = ["overall_score"]
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
        responses={201: SurveySerializer, 400: ERROR_400, 403: ERROR_DETAIL, 404: ERROR_DETAIL}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ComplaintList(_ProjectInputList):
    """Customer and internal (cross-department) complaints of a project (KPI input)."""

    serializer_class = ComplaintSerializer
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
        responses={201: ComplaintSerializer, 400: ERROR_400, 403: ERROR_DETAIL, 404: ERROR_DETAIL}
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
        ],
        responses={
            200: inline_serializer(
                "KpiValues",
                {
                    "scope": serializers.CharField(),
                    "granularity": serializers.CharField(),
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
        rows = value_rows(kpis, scope, periods)
        return Response(
            {
                "scope": str(scope),
                "granularity": periods[0].granularity if periods else P.MONTH,
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
