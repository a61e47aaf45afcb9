"""REST API v1 for customers, projects (incl. ERP upserts and stage transitions), milestones
and risks. Each view parses, authorizes, and calls one service or selector (STYLE.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError
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

from coordination.api.exceptions import validation_error_dict
from coordination.api.schema import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    TOO_LARGE,
    UNAUTHORIZED,
)
from coordination.exceptions import Conflict

from .. import services
from ..models import Customer, Milestone, Project, Risk
from ..permissions import (
    can_create_project,
    can_edit_plan,
    can_edit_project,
    can_manage_customers,
    can_transition,
    require,
)
from ..selectors import project_list, visible_projects
from .filters import (
    CustomerFilter,
    MilestoneFilter,
    ProjectFilter,
    RiskFilter,
    StableOrderingFilter,
)
from .serializers import (
    MAX_BULK_ROWS,
    CustomerSerializer,
    ErpBulkResultSerializer,
    ErpCustomerUpsertSerializer,
    ErpProjectBulkRowSerializer,
    ErpProjectUpsertSerializer,
    MilestoneSerializer,
    ProjectSerializer,
    RiskSerializer,
    TransitionSerializer,
)

User = get_user_model()

# ---------------------------------------------------------------- documented error responses
R400, R401, R403, R404, R409 = BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT
READ_ERRORS = {401: R401, 404: R404}
WRITE_ERRORS = {400: R400, 401: R401, 403: R403, 404: R404}
LIST_ERRORS = {400: R400, 401: R401}


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
        require(can_manage_customers(request.user), _("只有业务部或PMO可以维护客户。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.create_customer(by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(generics.GenericAPIView):
    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()

    @extend_schema(summary="查看客户", responses={200: CustomerSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="修改客户",
        request=CustomerSerializer,
        responses={200: CustomerSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        customer = self.get_object()
        require(can_manage_customers(request.user), _("只有业务部或PMO可以维护客户。"))
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = services.update_customer(
            customer.pk, by=request.user, data=serializer.validated_data
        )
        return Response(self.get_serializer(customer).data)


def _check_erp_id(erp_id: str) -> str:
    if not erp_id or len(erp_id) > 64 or "\x00" in erp_id:
        raise ValidationError({"erp_id": [_("ERP编号须为1到64个字符。")]})
    return erp_id


class ErpCustomerUpsertView(APIView):
    """Idempotent upsert of a customer by its ERP id."""

    @extend_schema(
        summary="按ERP编号创建或更新客户（幂等）",
        description=(
            "201 新建，200 更新或无变化。完全相同的重复请求不写入任何内容："
            "`updated_at` 不变，也不产生审计事件。"
        ),
        request=ErpCustomerUpsertSerializer,
        responses={
            200: CustomerSerializer,
            201: CustomerSerializer,
            400: R400,
            401: R401,
            403: R403,
        },
    )
    def put(self, request, erp_id: str):
        _check_erp_id(erp_id)
        require(can_manage_customers(request.user), _("只有业务部或PMO可以维护客户。"))
        serializer = ErpCustomerUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer, outcome = services.upsert_customer_by_erp_id(
            erp_id, by=request.user, data=serializer.validated_data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(CustomerSerializer(customer).data, status=code)


# ---------------------------------------------------------------- projects
class ProjectListView(ListFilterMixin, generics.ListCreateAPIView):
    """Projects the caller may see (members their own, PMO and executives all)."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["code", "name", "erp_id", "customer__name"]
    ordering_fields = ["created_at", "updated_at", "code", "name", "planned_end", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return project_list(self.request.user)

    @extend_schema(
        summary="列出项目",
        description="`?search=` 搜索项目编号、名称、ERP编号和客户名称；"
        "增量同步用 `?updated_since=...&ordering=updated_at`。",
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

    @extend_schema(summary="查看项目", responses={200: ProjectSerializer, **READ_ERRORS})
    def get(self, request, code: str):
        return Response(self.get_serializer(_visible_project(request, code)).data)

    @extend_schema(
        summary="修改项目",
        description="`stage` 不可在此修改（400），请使用阶段变更接口。",
        request=ProjectSerializer,
        responses={200: ProjectSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, code: str):
        project = _visible_project(request, code)
        require(can_edit_project(request.user, project))
        _no_stage(request)
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_project(project.pk, by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(_fresh(project)).data)


class ErpProjectUpsertView(APIView):
    """Idempotent upsert of a project by its ERP id."""

    @extend_schema(
        summary="按ERP编号创建或更新项目（幂等）",
        description=(
            "201 新建，200 更新或无变化。省略的可选字段在更新时保持原值。"
            "完全相同的重复请求不写入任何内容：`updated_at` 不变，也不产生审计事件。"
            "未知的 `customer_erp_id` 或用户名返回 400 并指明字段。"
            "新建需要业务部或PMO，更新需要该项目的项目经理/负责人或PMO。"
        ),
        request=ErpProjectUpsertSerializer,
        responses={200: ProjectSerializer, 201: ProjectSerializer, 400: R400, 401: R401, 403: R403},
    )
    def put(self, request, erp_id: str):
        _check_erp_id(erp_id)
        require(can_create_project(request.user), _("只有业务部或PMO可以同步ERP项目。"))
        serializer = ErpProjectUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project, outcome = services.upsert_project_by_erp_id(
            erp_id, by=request.user, data=serializer.validated_data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(ProjectSerializer(project).data, status=code)


def _lookup_key(value) -> str | None:
    """The batch key a row refers to, as its serializer will read it (ints become strings);
    None for values the serializer rejects anyway (so they never reach the database)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    value = str(value)
    return value if value and len(value) <= 150 and "\x00" not in value else None


class ErpProjectBulkView(APIView):
    """Bulk upsert of up to 1,000 projects, one transaction per row."""

    @extend_schema(
        summary="批量按ERP编号创建或更新项目",
        description=(
            f"请求体是最多 {MAX_BULK_ROWS} 个 upsert 请求体的 JSON 数组，每个带 `erp_id`。"
            "应答 200，每行一个结果：`status` 为 created / updated / unchanged / error，"
            "出错时 `errors` 按字段列出原因。每行在各自的事务中执行：某行出错只回滚该行，"
            "其他行照常生效；同一批中重复的 `erp_id` 依次处理。"
            "客户和用户按本批的键各查询一次。超过上限或不是数组返回 400。"
        ),
        request=ErpProjectBulkRowSerializer(many=True),
        responses={
            200: ErpBulkResultSerializer(many=True),
            400: R400,
            401: R401,
            403: R403,
            413: TOO_LARGE,
        },
    )
    def post(self, request):
        require(can_create_project(request.user), _("只有业务部或PMO可以同步ERP项目。"))
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": [_("请求体必须是 JSON 数组。")]})
        if len(rows) > MAX_BULK_ROWS:
            raise ValidationError(
                {"non_field_errors": [_("一次最多 %(n)d 行。") % {"n": MAX_BULK_ROWS}]}
            )
        context = self._lookups(rows)
        return Response([self._upsert_row(request.user, row, context) for row in rows])

    @staticmethod
    def _lookups(rows: list) -> dict:
        """Customers and users named by the batch, one query each."""
        customer_ids, usernames = set(), set()
        for row in rows:
            if not isinstance(row, dict):
                continue
            if key := _lookup_key(row.get("customer_erp_id")):
                customer_ids.add(key)
            for field in ("business_pm", "engineering_pm"):
                if key := _lookup_key(row.get(field)):
                    usernames.add(key)
        customers = {c.erp_id: c for c in Customer.objects.filter(erp_id__in=customer_ids)}
        users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
        return {"customers": customers, "users": users}

    @staticmethod
    def _upsert_row(user, row, context: dict) -> dict:
        erp_id = _lookup_key(row.get("erp_id")) if isinstance(row, dict) else None
        result = {
            "erp_id": erp_id,
            "status": "error",
            "code": None,
            "errors": {},
        }
        if not isinstance(row, dict):
            result["errors"] = {"non_field_errors": [_("每一行必须是 JSON 对象。")]}
            return result
        serializer = ErpProjectBulkRowSerializer(data=row, context=context)
        if not serializer.is_valid():
            result["errors"] = serializer.errors
            return result
        data = dict(serializer.validated_data)
        erp_id = data.pop("erp_id")
        try:
            project, outcome = services.upsert_project_by_erp_id(erp_id, by=user, data=data)
        except DjangoValidationError as exc:
            result["errors"] = validation_error_dict(exc)
        except PermissionDenied as exc:
            result["errors"] = {"non_field_errors": [str(exc) or _("你没有执行此操作的权限。")]}
        except Conflict as exc:
            result["errors"] = {"non_field_errors": [exc.detail, *exc.unmet]}
        except (IntegrityError, DatabaseError):
            result["errors"] = {"non_field_errors": [_("保存失败，请重试该行。")]}
        else:
            result.update(status=outcome, code=project.code)
        return result


class ProjectTransitionView(APIView):
    """Move a project to another stage through its gate."""

    @extend_schema(
        summary="变更项目阶段",
        description=(
            "经过阶段门禁。门禁未满足或不允许的变更返回 409，`unmet` 列出每个未满足的条件。"
            "PMO 可用 `override: true` 并填写原因豁免可豁免的条件。"
        ),
        request=TransitionSerializer,
        responses={200: ProjectSerializer, **WRITE_ERRORS, 409: R409},
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
        )
        return Response(ProjectSerializer(_fresh(project)).data)


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

    def patch(self, request, pk: int):
        obj = self.get_object()
        require(can_edit_plan(request.user, obj.project))
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        type(self).update_service(obj.pk, by=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)


class MilestoneDetailView(ProjectChildDetailView):
    serializer_class = MilestoneSerializer
    update_service = staticmethod(services.update_milestone)

    def get_queryset(self):
        return Milestone.objects.filter(
            project__in=visible_projects(self.request.user)
        ).select_related("project")

    @extend_schema(summary="查看里程碑", responses={200: MilestoneSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="修改里程碑",
        description="已承诺的里程碑不能改基线日期（409，请走变更申请）。",
        request=MilestoneSerializer,
        responses={200: MilestoneSerializer, **WRITE_ERRORS, 409: R409},
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


__all__ = [
    "CustomerDetailView",
    "CustomerListView",
    "ErpCustomerUpsertView",
    "ErpProjectBulkView",
    "ErpProjectUpsertView",
    "MilestoneDetailView",
    "MilestoneListView",
    "ProjectDetailView",
    "ProjectListView",
    "ProjectTransitionView",
    "RiskDetailView",
    "RiskListView",
]
