"""REST API v1 for the project team: `GET/POST /api/v1/projects/{code}/members/`,
`DELETE /api/v1/project-members/{id}/`. The rules are projects.core.team's (the members
panel of the project page calls the same services)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.pagination import PageNumberPagination
from coordination.api.schema import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED
from coordination.core.limits import USERNAME_MAX_LENGTH
from projects.core import team
from projects.core.models import MemberRole, Project, ProjectMembership
from projects.core.permissions import can_manage_members, require
from projects.core.selectors import visible_projects

User = get_user_model()


class MemberSerializer(serializers.Serializer):
    """One person of the team. The two PMs are the project's own fields: `id` null and
    `pm` true (they are replaced by POSTing the PM role, never deleted)."""

    id = serializers.IntegerField(
        allow_null=True, read_only=True, help_text=_("成员记录编号；项目经理为 null")
    )
    user = serializers.CharField(max_length=USERNAME_MAX_LENGTH, help_text=_("用户名"))
    role = serializers.ChoiceField(choices=MemberRole.choices, help_text=_("项目角色"))
    name = serializers.CharField(read_only=True, help_text=_("姓名"))
    department = serializers.CharField(read_only=True, help_text=_("所属部门"))
    pm = serializers.BooleanField(read_only=True, help_text=_("是否为项目的业务/工程项目经理"))

    def validate_user(self, value: str):
        user = User.objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("未知的用户名：%(name)s") % {"name": value})
        return user

    def to_representation(self, row: dict) -> dict:
        user = row["user"]
        profile = getattr(user, "profile", None)
        return {
            "id": row["id"],
            "user": user.get_username(),
            "role": row["role"],
            "name": user.get_full_name(),
            "department": profile.department if profile else "",
            "pm": row["pm"],
        }


def _row(obj) -> dict:
    """The answer of a POST: the membership made, or the project's new PM."""
    if isinstance(obj, ProjectMembership):
        return {"id": obj.pk, "user": obj.user, "role": obj.role, "pm": False}
    return obj


EXAMPLES = [
    OpenApiExample(
        "add the engineering director",
        request_only=True,
        value={"user": "eng_director", "role": "engineering_director"},
    ),
    OpenApiExample(
        "replace the engineering PM",
        request_only=True,
        value={"user": "eng_pm2", "role": "engineering_pm"},
    ),
    OpenApiExample(
        "a member",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 42,
            "user": "eng_director",
            "role": "engineering_director",
            "name": "建华 刘",
            "department": "engineering",
            "pm": False,
        },
    ),
    OpenApiExample(
        "wrong department",
        response_only=True,
        status_codes=["400"],
        value={"user": ["工程总监须由工程管理部的人员担任。"]},
    ),
    OpenApiExample(
        "already on the team",
        response_only=True,
        status_codes=["400"],
        value={"user": ["eng_director 已是该项目的工程总监。"]},
    ),
]


class ProjectMemberListView(APIView):
    """The team of a project the caller sees (404 otherwise)."""

    pagination_class = PageNumberPagination

    def _project(self, request, code: str) -> Project:
        qs = visible_projects(request.user).select_related(
            "business_pm__profile", "engineering_pm__profile"
        )
        return get_object_or_404(qs, code=code.replace("\x00", ""))

    @extend_schema(
        summary="列出项目成员",
        description="项目团队：先是项目的业务项目经理和工程项目经理（`id` 为 null，`pm` 为 true），"
        "再是各成员记录（按角色）。分页：`?page=`、`?page_size=`。",
        responses={200: MemberSerializer(many=True), 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request, code: str):
        project = self._project(request, code)
        paginator = self.pagination_class()
        rows = team.team_of(project)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        summary="添加项目成员",
        description=(
            "项目经理、业务负责人、工程总监或PMO可操作（否则 403）。人员须属于角色对应的部门："
            "业务项目经理/业务负责人为业务部，工程项目经理/工程总监/技术负责人为工程管理部，"
            "财务代表为财务部，成员为三者之一；API客户端账号和只读角色（高管）不可担任；"
            '不符合时返回 400 `{"user": [...]}`。同一人同一角色重复添加返回 400。'
            "`business_pm` / `engineering_pm` 角色即更换该项目经理（项目始终恰有这两位经理），"
            "应答为新的项目经理（`id` 为 null）。被添加的人收到站内通知；每次变更写入审计。"
        ),
        request=MemberSerializer,
        examples=EXAMPLES,
        responses={
            201: MemberSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, code: str):
        project = self._project(request, code)
        require(can_manage_members(request.user, project), team.MANAGE_MEMBERS_REFUSED)
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        made = team.add_member(project.pk, by=request.user, user=data["user"], role=data["role"])
        if isinstance(made, Project):
            role = data["role"]
            answer = {"id": None, "user": data["user"], "role": role, "pm": True}
        else:
            answer = _row(made)
        return Response(MemberSerializer(answer).data, status=status.HTTP_201_CREATED)


class ProjectMemberDetailView(APIView):
    @extend_schema(
        summary="移除项目成员",
        description="移除一条成员记录（204）。项目经理不是成员记录（`id` 为 null），不能移除，"
        "只能更换。成员所在项目不可见时 404；无权管理成员时 403。被移除的人收到站内通知。",
        responses={204: None, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, pk: int):
        membership = (
            ProjectMembership.objects.filter(project__in=visible_projects(request.user))
            .select_related("project")
            .filter(pk=pk)
            .first()
        )
        if membership is None:
            raise Http404
        require(can_manage_members(request.user, membership.project), team.MANAGE_MEMBERS_REFUSED)
        team.remove_member(membership.pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
