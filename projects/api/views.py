"""REST API v1 for customers, projects (incl. stage transitions), milestones and risks;
the ERP upserts live in erp.py. Each view parses, authorizes, and calls one service or
selector (STYLE.md); objects of projects the caller can't see answer 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Field, Subquery, Value
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.pagination import SINCE, SyncPagination
from coordination.api.schema import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    UNAUTHORIZED,
)
from projects.api.filters import (
    CustomerFilter,
    MilestoneFilter,
    ProjectFilter,
    RiskFilter,
    StableOrderingFilter,
)
from projects.api.serializers import (
    PROJECT_LIST_VALUES,
    CustomerSerializer,
    MilestoneSerializer,
    ProjectSerializer,
    RiskSerializer,
    TransitionSerializer,
    project_list_rows,
)
from projects.core import services
from projects.core.models import Customer, Milestone, Project, Risk
from projects.core.permissions import (
    CREATE_CUSTOMER_REFUSED,
    EDIT_CUSTOMER_REFUSED,
    can_create_customer,
    can_create_project,
    can_edit_customer,
    can_edit_plan,
    can_edit_project,
    can_transition,
    require,
)
from projects.core.selectors import (
    PROJECT_TOTAL_SQL,
    count_projects,
    is_every_project,
    project_list,
    visible_projects,
)

# ---------------------------------------------------------------- documented error responses
R400, R401, R403, R404, R409 = BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT
READ_ERRORS = {401: R401, 404: R404}
WRITE_ERRORS = {400: R400, 401: R401, 403: R403, 404: R404}
LIST_ERRORS = {400: R400, 401: R401}
R412 = PRECONDITION_FAILED


def _no_stage(request) -> None:
    """A project's stage changes only through its gate (the transition endpoint)."""
    if isinstance(request.data, dict) and "stage" in request.data:
        raise ValidationError(
            {
                "stage": [
                    _("阶段只能通过阶段变更接口修改：POST /api/v1/projects/{code}/transition/。")
                ]
            }
        )


class ListFilterMixin:
    filter_backends = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]
    pagination_class = SyncPagination  # every list here accepts `?updated_since=`


class _FiltersWhenAsked(DjangoFilterBackend):
    """django-filter, skipped when no parameter names a filter: the filter set would then
    build its form per request only to return the queryset unchanged. (A filter's
    parameters start with its name: `stage`, or the `_min`/`_after` suffixed widgets.)"""

    def filter_queryset(self, request, queryset, view):
        names = self.get_filterset_class(view, queryset).base_filters
        if not any(param.startswith(name) for param in request.query_params for name in names):
            return queryset
        return super().filter_queryset(request, queryset, view)


# ---------------------------------------------------------------- customers
class CustomerListView(ListFilterMixin, generics.ListCreateAPIView):
    """Customers. Every signed-in user may list; business department and PMO may create."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()
    filterset_class = CustomerFilter
    search_fields = ["name", "erp_id", "contact_name"]
    ordering_fields = ["name", "updated_at", "created_at", "id"]
    ordering = ["name", "id"]

    @extend_schema(summary="列出客户", responses={200: CustomerSerializer, **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="新建客户",
        request=CustomerSerializer,
        responses={201: CustomerSerializer, 400: R400, 401: R401, 403: R403},
    )
    def post(self, request, *args, **kwargs):
        require(can_create_customer(request.user), CREATE_CUSTOMER_REFUSED)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.create_customer(by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(generics.GenericAPIView):
    """One customer. Every signed-in user may read; PMO and the business side of one of its
    projects may edit (projects.core.permissions.can_edit_customer)."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()

    @extend_schema(
        summary="查看客户",
        parameters=[ETAG],
        responses={200: CustomerSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        customer = self.get_object()
        return tagged(Response(self.get_serializer(customer).data), customer)

    @extend_schema(
        summary="修改客户",
        description="PMO，或该客户某个项目的业务项目经理/业务负责人。",
        parameters=[IF_MATCH, ETAG],
        request=CustomerSerializer,
        responses={200: CustomerSerializer, **WRITE_ERRORS, 412: R412},
    )
    def patch(self, request, pk: int):
        customer = self.get_object()
        require(can_edit_customer(request.user, customer), EDIT_CUSTOMER_REFUSED)
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = services.update_customer(
            customer.pk,
            by=request.user,
            data=serializer.validated_data,
            expected_version=if_match(request),
        )
        customer.refresh_from_db()
        return tagged(Response(self.get_serializer(customer).data), customer)


# ---------------------------------------------------------------- projects
class ProjectListView(ListFilterMixin, generics.ListCreateAPIView):
    """Projects the caller may see (members their own, PMO and executives all)."""

    serializer_class = ProjectSerializer
    filter_backends = [_FiltersWhenAsked, SearchFilter, StableOrderingFilter]
    filterset_class = ProjectFilter
    search_fields = ["code", "name", "erp_id", "customer__name"]
    ordering_fields = ["created_at", "updated_at", "code", "name", "planned_end", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return project_list(self.request.user)

    def list(self, request, *args, **kwargs):
        # Same rows, filters, ordering and JSON as the generic list, read with values_list()
        # (docs/performance.md); the count runs over the filtered projects without joins.
        queryset = self.filter_queryset(visible_projects(request.user))
        if SINCE in request.query_params:
            return self._sync_page(request, queryset)
        rows = _ValuesPage(queryset, self._requested_slice(request))
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(project_list_rows(rows[:]))
        return self.get_paginated_response(project_list_rows(page))

    def _sync_page(self, request, queryset) -> Response:
        """The cursor's page as `values_list()` rows (with the id the cursor needs), no count."""
        rows = self.paginator.paginate_queryset(
            queryset.values_list(*PROJECT_LIST_VALUES, "id"),
            request,
            view=self,
            key=_project_row_key,
        )
        return self.get_paginated_response(project_list_rows([row[:-1] for row in rows]))

    def _requested_slice(self, request) -> tuple[int, int] | None:
        """(offset, size) of the page asked for by number, to read with its count."""
        paginator = self.paginator
        if paginator is None:
            return None
        size = paginator.get_page_size(request)
        number = request.query_params.get(paginator.page_query_param, "1")
        if not size or not number.isdigit() or not 1 <= int(number) <= 10**9:
            return None  # "last", nonsense, beyond SQL's OFFSET: the paginator's own path
        return (int(number) - 1) * size, size

    @extend_schema(
        summary="列出项目",
        description="`?search=` 搜索项目编号、名称、ERP编号和客户名称；"
        "增量同步用 `?updated_since=<带时区偏移的时间>`：按 (updated_at, id) 升序以游标分页，"
        "沿 `next` 读到 null 为止，此时响应不含 `count`。",
        responses={200: ProjectSerializer, **LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="新建项目",
        description="阶段从商机开始，只能通过阶段变更接口修改。",
        request=ProjectSerializer,
        responses={201: ProjectSerializer, 400: R400, 401: R401, 403: R403},
    )
    def post(self, request, *args, **kwargs):
        require(can_create_project(request.user), _("只有业务部或PMO可以创建项目。"))
        _no_stage(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.create_project(by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)


_UPDATED_AT = PROJECT_LIST_VALUES.index("updated_at")


def _project_row_key(row) -> tuple:
    return row[_UPDATED_AT], row[-1]


class _ValuesPage:
    """What the paginator pages: counted on the filtered projects alone (no joins for the
    customer's and PMs' names), sliced as `values_list()` rows with those names.

    The page asked for is read in the same statement as the count (an uncorrelated
    sub-select, run once): one round trip instead of two, and both from one snapshot.
    An empty answer (no such page) falls back to the plain count."""

    def __init__(self, queryset, page_slice: tuple[int, int] | None = None):
        self.queryset = queryset
        self.ordered = queryset.ordered
        self._count: int | None = None
        self._rows: tuple[int, list] | None = None
        if page_slice is not None and not (queryset.query.distinct or queryset.query.combinator):
            self._read_with_count(*page_slice)

    def _read_with_count(self, offset: int, size: int) -> None:
        try:
            plan = _page_plan(self.queryset, offset, size)
        except EmptyResultSet:  # nothing can match (e.g. none()): count() answers 0 unasked
            return
        with connections[plan.using].cursor() as cursor:
            cursor.execute(plan.sql, plan.params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        if rows:
            self._count = rows[0][-1]
            self._rows = (offset, [row[:-1] for row in rows])

    def count(self) -> int:
        if self._count is None:
            self._count = count_projects(self.queryset)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if self._rows is not None and isinstance(index, slice) and index.start == self._rows[0]:
            # the paginator asks for [offset, min(offset + size, count)): the rows read
            return self._rows[1][: index.stop - index.start]
        return list(self.queryset.values_list(*PROJECT_LIST_VALUES)[index])


@dataclass(frozen=True)
class _PagePlan:
    using: str
    sql: str
    params: tuple
    compiler: object
    converters: dict


# The page-with-count statement is a pure function of the filtered projects' own SQL and
# parameters (which carry the caller's visibility, filters, search and ordering) and of the
# slice: compiled once per process, keyed by exactly those. Only SQL is kept, never rows.
_PAGE_PLANS: dict = {}
_PAGE_PLANS_MAX = 256


def _page_plan(queryset, offset: int, size: int) -> _PagePlan:
    base_sql, base_params = queryset.query.sql_with_params()
    key = (queryset.db, base_sql, base_params, offset, size)
    try:
        plan = _PAGE_PLANS.get(key)
    except TypeError:  # an unhashable parameter: compile every time
        key, plan = None, None
    if plan is None:
        if is_every_project(queryset):  # the kept exact total (projects.core.selectors)
            # a constant statement of this module's own, no parameters
            counted = RawSQL(f"({PROJECT_TOTAL_SQL})", (), output_field=Field())  # noqa: S611  # nosec B611
        else:
            counted = Subquery(
                queryset.order_by().values(_one=Value(1)).annotate(n=Count("*")).values("n"),
                # the database's integer as is: an IntegerField would convert it on every row
                output_field=Field(),
            )
        page = queryset.annotate(_count=counted).values_list(*PROJECT_LIST_VALUES, "_count")
        compiler = page[offset : offset + size].query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        plan = _PagePlan(queryset.db, sql, tuple(params), compiler, converters)
        if key is not None:
            if len(_PAGE_PLANS) >= _PAGE_PLANS_MAX:
                _PAGE_PLANS.clear()
            _PAGE_PLANS[key] = plan
    return plan


def _visible_project(request, code: str) -> Project:
    return get_object_or_404(project_list(request.user), code=_path_key(code))


def _path_key(value: str) -> str:
    """A key from the URL; one PostgreSQL cannot even compare (NUL) matches nothing."""
    if "\x00" in value:
        raise Http404
    return value


def _fresh(project: Project) -> Project:
    """The project as saved, for the answer of a write (the caller may no longer see it)."""
    return Project.objects.select_related("customer", "business_pm", "engineering_pm").get(
        pk=project.pk
    )


class ProjectDetailView(generics.GenericAPIView):
    serializer_class = ProjectSerializer
    lookup_field = "code"

    def get_queryset(self):
        return project_list(self.request.user)

    @extend_schema(
        summary="查看项目", parameters=[ETAG], responses={200: ProjectSerializer, **READ_ERRORS}
    )
    def get(self, request, code: str):
        """One project by its code; the `ETag` is the version to send back as `If-Match`."""
        project = _visible_project(request, code)
        return tagged(Response(self.get_serializer(project).data), project)

    @extend_schema(
        summary="修改项目",
        description="`stage` 不可在此修改（400），请使用阶段变更接口。"
        "带 `If-Match` 时，项目在读取后已被修改则返回 412，不做任何更改。",
        parameters=[IF_MATCH, ETAG],
        request=ProjectSerializer,
        responses={200: ProjectSerializer, **WRITE_ERRORS, 412: R412},
    )
    def patch(self, request, code: str):
        project = _visible_project(request, code)
        require(can_edit_project(request.user, project))
        _no_stage(request)
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_project(
            project.pk,
            by=request.user,
            data=serializer.validated_data,
            expected_version=if_match(request),
        )
        fresh = _fresh(project)
        return tagged(Response(self.get_serializer(fresh).data), fresh)


class ProjectTransitionView(APIView):
    """Move a project to another stage through its gate."""

    @extend_schema(
        summary="变更项目阶段",
        description=(
            "经过阶段门禁。门禁未满足或不允许的变更返回 409，`unmet` 列出每个未满足的条件。"
            "PMO 可用 `override: true` 并填写原因豁免可豁免的条件。"
        ),
        parameters=[IF_MATCH, ETAG],
        request=TransitionSerializer,
        responses={200: ProjectSerializer, **WRITE_ERRORS, 409: R409, 412: R412},
    )
    def post(self, request, code: str):
        project = _visible_project(request, code)
        require(can_transition(request.user, project), _("只有项目经理、负责人或PMO可以变更阶段。"))
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.transition_project(
            project.pk,
            to=data["to"],
            by=request.user,
            reason=data["reason"],
            override=data["override"],
            expected_version=if_match(request),
        )
        fresh = _fresh(project)
        return tagged(Response(ProjectSerializer(fresh).data), fresh)


# ---------------------------------------------------------------- milestones and risks
class ProjectChildListView(ListFilterMixin, generics.ListCreateAPIView):
    """List and create the children (milestones, risks) of a visible project."""

    create_service = None

    def project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                visible_projects(self.request.user), code=_path_key(self.kwargs["code"])
            )
        return self._project

    def post(self, request, *args, **kwargs):
        project = self.project()
        require(can_edit_plan(request.user, project))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(project, by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class MilestoneListView(ProjectChildListView):
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    search_fields = ["name"]
    ordering_fields = ["sequence", "baseline_date", "forecast_date", "updated_at", "id"]
    ordering = ["sequence", "baseline_date", "id"]
    create_service = staticmethod(services.create_milestone)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Milestone.objects.none()
        return Milestone.objects.filter(project=self.project()).select_related("project")

    @extend_schema(
        summary="列出项目里程碑", responses={200: MilestoneSerializer, **LIST_ERRORS, 404: R404}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="新建里程碑",
        request=MilestoneSerializer,
        responses={201: MilestoneSerializer, **WRITE_ERRORS},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class RiskListView(ProjectChildListView):
    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    search_fields = ["title", "description"]
    ordering_fields = ["updated_at", "created_at", "probability", "impact", "id"]
    ordering = ["-id"]
    create_service = staticmethod(services.create_risk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Risk.objects.none()
        return Risk.objects.filter(project=self.project()).select_related("project", "owner")

    @extend_schema(
        summary="列出项目风险", responses={200: RiskSerializer, **LIST_ERRORS, 404: R404}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="登记风险",
        request=RiskSerializer,
        responses={201: RiskSerializer, **WRITE_ERRORS},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ProjectChildDetailView(generics.GenericAPIView):
    """One milestone or risk; 404 unless its project is visible to the caller."""

    update_service = None
    versioned = False  # ETag on reads and writes, If-Match honoured (milestones)

    def _answer(self, obj) -> Response:
        response = Response(self.get_serializer(obj).data)
        return tagged(response, obj) if self.versioned else response

    def patch(self, request, pk: int):
        obj = self.get_object()
        require(can_edit_plan(request.user, obj.project))
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        versioned = {"expected_version": if_match(request)} if self.versioned else {}
        type(self).update_service(
            obj.pk, by=request.user, data=serializer.validated_data, **versioned
        )
        return self._answer(self.get_object())


class MilestoneDetailView(ProjectChildDetailView):
    serializer_class = MilestoneSerializer
    update_service = staticmethod(services.update_milestone)
    versioned = True

    def get_queryset(self):
        return Milestone.objects.filter(
            project__in=visible_projects(self.request.user)
        ).select_related("project")

    @extend_schema(
        summary="查看里程碑", parameters=[ETAG], responses={200: MilestoneSerializer, **READ_ERRORS}
    )
    def get(self, request, pk: int):
        return self._answer(self.get_object())

    @extend_schema(
        summary="修改里程碑",
        description="已承诺的里程碑不能改基线日期（409，请走变更申请）。"
        "带 `If-Match` 时，里程碑在读取后已被修改则返回 412，不做任何更改。",
        parameters=[IF_MATCH, ETAG],
        request=MilestoneSerializer,
        responses={200: MilestoneSerializer, **WRITE_ERRORS, 409: R409, 412: R412},
    )
    def patch(self, request, pk: int):
        return super().patch(request, pk)


class RiskDetailView(ProjectChildDetailView):
    serializer_class = RiskSerializer
    update_service = staticmethod(services.update_risk)

    def get_queryset(self):
        return Risk.objects.filter(project__in=visible_projects(self.request.user)).select_related(
            "project", "owner"
        )

    @extend_schema(summary="查看风险", responses={200: RiskSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="修改风险", request=RiskSerializer, responses={200: RiskSerializer, **WRITE_ERRORS}
    )
    def patch(self, request, pk: int):
        return super().patch(request, pk)
