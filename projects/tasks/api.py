"""API for tasks (API.md, the shared platform): a project's task list and create, a task's
read / edit / delete (ETag and If-Match), its dependencies, and the project's schedule with
the critical path.

Views look the object up among what the caller may see (else 404), check the body's shape
with a serializer and call one service in projects.tasks.services; refusals map to
403 / 409 / 400 / 412 in the exception handler.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import id_field
from coordination.api.inputs import validated_input
from coordination.api.pagination import filtered, paged_response
from coordination.api.schema import (
    BAD_REQUEST,
    SYNC_PARAMETERS,
    ApiConflictSerializer,
    ApiErrorSerializer,
    sync_page,
)
from coordination.core.models import Department
from projects.api.filters import UpdatedSinceFilterSet
from projects.core.selectors import visible_projects
from projects.tasks import services
from projects.tasks.models import Task, TaskDependency
from projects.tasks.selectors import project_schedule, project_tasks, visible_tasks

User = get_user_model()

# ---------------------------------------------------------------- serializers


class TaskSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        help_text="username of a project member",
    )
    parent = id_field(
        source="parent_id", allow_null=True, required=False, help_text="id of a task of the project"
    )
    milestone = id_field(
        source="milestone_id",
        allow_null=True,
        required=False,
        help_text="id of a milestone of the project",
    )
    department = serializers.ChoiceField(
        choices=Department.choices, required=False, help_text="default: the owner's department"
    )
    planned_finish = serializers.DateField(
        read_only=True, help_text="computed: the working day on which the duration ends"
    )
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    duration_days = serializers.IntegerField(
        min_value=1, max_value=5000, required=False, help_text="working days (company calendar)"
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "parent",
            "milestone",
            "owner",
            "department",
            "planned_start",
            "duration_days",
            "planned_finish",
            "forecast_start",
            "forecast_finish",
            "actual_start",
            "actual_finish",
            "progress",
            "status",
        ]
        read_only_fields = ["id", "planned_finish"]


def _service_data(data: dict) -> dict:
    """The serializer's source names back to the service's field names."""
    out = dict(data)
    for source, name in (("parent_id", "parent"), ("milestone_id", "milestone")):
        if source in out:
            out[name] = out.pop(source)
    return out


class DependencyInSerializer(serializers.Serializer):
    predecessor = id_field(help_text="id of a task of the same project")
    type = serializers.ChoiceField(choices=TaskDependency.Type.values, default="FS")
    lag_days = serializers.IntegerField(
        default=0, min_value=-1000, max_value=1000, help_text="working days"
    )


class DependencySerializer(serializers.ModelSerializer):
    predecessor = serializers.IntegerField(source="predecessor_id", read_only=True)
    successor = serializers.IntegerField(source="successor_id", read_only=True)

    class Meta:
        model = TaskDependency
        fields = ["id", "predecessor", "successor", "type", "lag_days"]


ScheduleResponse = inline_serializer(
    "ProjectSchedule",
    {
        "finish": serializers.DateField(
            allow_null=True, help_text="the last working day of the plan"
        ),
        "critical_path": serializers.ListField(
            child=serializers.IntegerField(), help_text="task ids in order"
        ),
        "tasks": inline_serializer(
            "ScheduledTask",
            {
                "id": serializers.IntegerField(),
                "early_start": serializers.DateField(),
                "early_finish": serializers.DateField(help_text="inclusive"),
                "late_start": serializers.DateField(),
                "late_finish": serializers.DateField(help_text="inclusive"),
                "total_float": serializers.IntegerField(help_text="working days"),
                "critical": serializers.BooleanField(),
            },
            many=True,
        ),
    },
)
PaginatedTasks = sync_page("PaginatedTaskList", TaskSerializer(many=True))
ERRORS = {403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiConflictSerializer}
CONDITIONAL_ERRORS = {**ERRORS, 412: PRECONDITION_FAILED}

TASK_EXAMPLE = {
    "id": 41,
    "title": "设备基础施工",
    "parent": 40,
    "milestone": 12,
    "owner": "eng_li",
    "department": "engineering",
    "planned_start": "2026-09-28",
    "duration_days": 5,
    "planned_finish": "2026-10-13",
    "forecast_start": "2026-09-28",
    "forecast_finish": "2026-10-13",
    "actual_start": None,
    "actual_finish": None,
    "progress": 0,
    "status": "todo",
}


class TaskFilter(UpdatedSinceFilterSet):
    status = filters.MultipleChoiceFilter(choices=Task.Status.choices)
    owner = filters.CharFilter(field_name="owner__username")
    department = filters.ChoiceFilter(choices=Department.choices)
    milestone = filters.NumberFilter(field_name="milestone_id")

    class Meta:
        model = Task
        fields = ["status", "owner", "department", "milestone", "updated_since"]


# ---------------------------------------------------------------- lookups


def _task(request, pk: int) -> Task:
    return get_object_or_404(visible_tasks(request.user), pk=pk)


def _render(task: Task, code=status.HTTP_200_OK) -> Response:
    fresh = Task.objects.get(pk=task.pk)
    return tagged(Response(TaskSerializer(fresh).data, status=code), fresh)


# ---------------------------------------------------------------- views


class ProjectTaskView(APIView):
    """A project's tasks in plan order (filters: status, owner, department, milestone); POST
    creates one (both PMs, department leads, tech lead, PMO)."""

    @extend_schema(
        operation_id="project_task_list",
        parameters=[
            OpenApiParameter("status", str, many=True, enum=Task.Status.values),
            OpenApiParameter("owner", str, description="username"),
            OpenApiParameter("department", str, enum=Department.values),
            OpenApiParameter("milestone", int, description="milestone id"),
            *SYNC_PARAMETERS,
        ],
        responses={200: PaginatedTasks, 400: BAD_REQUEST, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "a page of tasks",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [TASK_EXAMPLE]},
            )
        ],
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        rows = filtered(TaskFilter(request.query_params, queryset=project_tasks(project)))
        return paged_response(request, self, rows, TaskSerializer)

    @extend_schema(
        operation_id="project_task_create",
        parameters=[ETAG],
        request=TaskSerializer,
        responses={201: TaskSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "a task",
                request_only=True,
                value={
                    "title": "设备基础施工",
                    "owner": "eng_li",
                    "department": "engineering",
                    "planned_start": "2026-09-28",
                    "duration_days": 5,
                    "milestone": 12,
                },
            ),
            OpenApiExample("created", response_only=True, status_codes=["201"], value=TASK_EXAMPLE),
        ],
    )
    def post(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        services.require_planner(request.user, project)
        data = validated_input(TaskSerializer, request)
        task = services.create_task(project, by=request.user, data=_service_data(data))
        return _render(task, status.HTTP_201_CREATED)


class TaskDetailView(APIView):
    """One task. PATCH: planners change everything, the owner progress, status, forecast and
    actual dates; a status change follows the status table (409 otherwise); a new forecast
    start reschedules the tasks downstream. DELETE removes its subtasks too."""

    @extend_schema(
        operation_id="task_retrieve",
        parameters=[ETAG],
        responses={200: TaskSerializer, 404: ApiErrorSerializer},
        examples=[OpenApiExample("a task", response_only=True, value=TASK_EXAMPLE)],
    )
    def get(self, request, pk: int):
        task = _task(request, pk)
        return tagged(Response(TaskSerializer(task).data), task)

    @extend_schema(
        operation_id="task_partial_update",
        parameters=[IF_MATCH, ETAG],
        request=TaskSerializer,
        responses={200: TaskSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
        examples=[
            OpenApiExample(
                "report progress",
                request_only=True,
                value={"progress": 60, "status": "in_progress"},
            ),
            OpenApiExample(
                "move the forecast", request_only=True, value={"forecast_start": "2026-10-15"}
            ),
        ],
    )
    def patch(self, request, pk: int):
        task = _task(request, pk)
        services.require_reporter(request.user, task)
        data = validated_input(TaskSerializer, request, partial=True)
        task = services.update_task(
            task.pk, by=request.user, data=_service_data(data), expected_version=if_match(request)
        )
        return _render(task)

    @extend_schema(
        operation_id="task_destroy",
        parameters=[IF_MATCH],
        responses={204: None, **CONDITIONAL_ERRORS},
    )
    def delete(self, request, pk: int):
        task = _task(request, pk)
        services.delete_task(task.pk, by=request.user, expected_version=if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskDependencyCreateView(APIView):
    """Add a predecessor to the task. A dependency that would close a loop is 400 naming the
    tasks of the loop; one across projects, on itself, twice or on a summary task is 400."""

    @extend_schema(
        operation_id="task_dependency_create",
        request=DependencyInSerializer,
        responses={201: DependencySerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "finish-to-start, 2 days later",
                request_only=True,
                value={"predecessor": 40, "type": "FS", "lag_days": 2},
            ),
            OpenApiExample(
                "refused: a loop",
                response_only=True,
                status_codes=["400"],
                value={"predecessor": ["这条依赖会形成循环：#40 设计 → #41 施工 → #40 设计"]},
            ),
        ],
    )
    def post(self, request, pk: int):
        task = _task(request, pk)
        services.require_planner(request.user, task.project)
        data = validated_input(DependencyInSerializer, request)
        link = services.add_dependency(
            task.pk,
            by=request.user,
            predecessor=data["predecessor"],
            type=data["type"],
            lag_days=data["lag_days"],
        )
        return Response(DependencySerializer(link).data, status=status.HTTP_201_CREATED)


class TaskDependencyDetailView(APIView):
    @extend_schema(operation_id="task_dependency_destroy", responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        """Remove a dependency between two tasks of a project the caller may see."""
        link = get_object_or_404(
            TaskDependency.objects.filter(successor__in=visible_tasks(request.user)), pk=pk
        )
        services.remove_dependency(link.pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectScheduleView(APIView):
    """The critical path of the project's plan: forward and backward pass over the leaf
    tasks and their dependencies on the company's working calendar. Dates are inclusive."""

    @extend_schema(
        operation_id="project_schedule",
        responses={200: ScheduleResponse, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "two tasks in a row",
                response_only=True,
                value={
                    "finish": "2026-09-30",
                    "critical_path": [40, 41],
                    "tasks": [
                        {
                            "id": 40,
                            "early_start": "2026-09-28",
                            "early_finish": "2026-09-28",
                            "late_start": "2026-09-28",
                            "late_finish": "2026-09-28",
                            "total_float": 0,
                            "critical": True,
                        },
                        {
                            "id": 41,
                            "early_start": "2026-09-29",
                            "early_finish": "2026-09-30",
                            "late_start": "2026-09-29",
                            "late_finish": "2026-09-30",
                            "total_float": 0,
                            "critical": True,
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request, code: str):
        project = get_object_or_404(visible_projects(request.user), code=code)
        plan = project_schedule(project)
        return Response(
            {
                "finish": plan.finish,
                "critical_path": plan.critical_path,
                "tasks": [
                    {
                        "id": t.id,
                        "early_start": t.early_start,
                        "early_finish": t.early_finish,
                        "late_start": t.late_start,
                        "late_finish": t.late_finish,
                        "total_float": t.total_float,
                        "critical": t.critical,
                    }
                    for t in plan.tasks
                ],
            }
        )
