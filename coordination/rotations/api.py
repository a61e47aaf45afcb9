"""Job rotation API (/api/v1/job-rotations/): the list and the plan, one rotation, its moves.

Views parse and authorise; every write goes through coordination.rotations.services, the
services the pages call."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.fields import ModelSerializer
from coordination.api.pagination import SyncPagination, updated_since
from coordination.api.schema import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, SINCE_PARAMETER
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, USERNAME_MAX_LENGTH
from coordination.core.models import Department
from coordination.rotations import rules, selectors, services
from coordination.rotations.models import (
    LIFECYCLE_FIELDS,
    JobRotation,
    RotationApproval,
    RotationCheckIn,
    RotationStatus,
)
from projects.core.selectors import visible_projects
from projects.core.team import people

User = get_user_model()


def _username(user) -> str | None:
    return user.get_username() if user else None


class RotationApprovalSerializer(ModelSerializer):
    approver = serializers.SerializerMethodField()

    class Meta:
        model = RotationApproval
        fields = ["round", "side", "department", "decision", "approver", "on_behalf", "comment"]
        fields += ["decided_at"]
        read_only_fields = fields

    def get_approver(self, obj) -> str | None:
        return _username(obj.approver)


class RotationCheckInSerializer(ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = RotationCheckIn
        fields = ["id", "date", "note", "author", "created_at"]
        read_only_fields = fields

    def get_author(self, obj) -> str | None:
        return _username(obj.author)


class JobRotationSerializer(ModelSerializer):
    """The plan as written (POST) and the rotation as it stands (answers). The old record's
    fields are accepted as they were: `user`, `from_department`, `to_project`, `to_site`,
    `start_date`, `end_date` (the planned dates), `reflection`."""

    user = serializers.CharField(max_length=USERNAME_MAX_LENGTH, required=False)
    from_department = serializers.ChoiceField(choices=Department.choices, required=False)
    host_department = serializers.ChoiceField(choices=Department.choices, required=False)
    to_project = serializers.CharField(max_length=40, required=False, allow_null=True)
    mentor = serializers.CharField(
        max_length=USERNAME_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )
    reflection = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)

    class Meta:
        model = JobRotation
        fields = [
            "id",
            "user",
            "from_department",
            "host_department",
            "to_project",
            "to_site",
            "mentor",
            "start_date",
            "end_date",
            "status",
            "round",
            "actual_start",
            "actual_end",
            "reflection",
            "host_score",
            "host_assessment",
            "assessed_by",
            "closed_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", *LIFECYCLE_FIELDS, "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["user"] = instance.user.get_username()
        data["mentor"] = _username(instance.mentor)
        data["to_project"] = instance.to_project.code if instance.to_project_id else None
        data["assessed_by"] = _username(instance.assessed_by) if instance.assessed_by_id else None
        return data


class JobRotationDetailSerializer(JobRotationSerializer):
    approvals = RotationApprovalSerializer(many=True, read_only=True)
    check_ins = RotationCheckInSerializer(many=True, read_only=True)

    class Meta(JobRotationSerializer.Meta):
        fields = [*JobRotationSerializer.Meta.fields, "approvals", "check_ins"]
        read_only_fields = [*JobRotationSerializer.Meta.read_only_fields, "approvals", "check_ins"]


def _person(username: str | None, field: str):
    if not username:
        return None
    user = people().filter(username=username).first()
    if user is None:
        raise ValidationError({field: [_("未知用户。")]})
    return user


def _answer(request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    try:
        rotation = selectors.rotation_detail(request.user, pk)
    except JobRotation.DoesNotExist:
        raise Http404 from None
    return Response(JobRotationDetailSerializer(rotation).data, status=code)


def _allowed(request, pk: int, move: str) -> None:
    """404 for a rotation the caller may not see, 403 for a move they may not make, both
    before the input is read."""
    rotation = selectors.visible_job_rotations(request.user).filter(pk=pk).first()
    if rotation is None:
        raise Http404
    if not rules.may(move, request.user, rotation):
        raise PermissionDenied(_("你没有执行此操作的权限。"))


class JobRotationListView(generics.ListCreateAPIView):
    """互换岗位体验: PMO and executives see every rotation; others their own, those they
    planned or mentor, and a department head those of their department."""

    serializer_class = JobRotationSerializer
    pagination_class = SyncPagination
    filter_backends: list = []

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "").strip()
        if wanted and wanted not in RotationStatus.values:
            raise ValidationError({"status": [_("无效的状态。")]})
        qs = selectors.rotation_list(self.request.user, status=wanted or None)
        since = updated_since(self.request)
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        return qs

    @extend_schema(
        parameters=[
            SINCE_PARAMETER,
            OpenApiParameter("status", str, enum=RotationStatus.values),
        ],
        responses={200: JobRotationSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=JobRotationSerializer,
        responses={201: JobRotationDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request, *args, **kwargs):
        """Plan a rotation (status `planned`); both department heads are asked to approve.
        `host_department` defaults to the other side of 工程-业务 (engineering for anyone
        not from engineering); `mentor` (a username of the host department) is optional."""
        data = JobRotationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        project = None
        if v.get("to_project"):
            project = visible_projects(request.user).filter(code=v["to_project"]).first()
            if project is None:
                raise ValidationError({"to_project": [_("未知项目。")]})
        rotation = services.plan_rotation(
            by=request.user,
            user=_person(v.get("user"), "user") or request.user,
            from_department=v.get("from_department", ""),
            host_department=v.get("host_department", ""),
            to_project=project,
            to_site=v.get("to_site", ""),
            mentor=_person(v.get("mentor"), "mentor"),
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            reflection=v.get("reflection", ""),
        )
        return _answer(request, rotation.pk, status.HTTP_201_CREATED)


MOVE_RESPONSES = {
    200: JobRotationDetailSerializer,
    400: BAD_REQUEST,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
}


class JobRotationDetailView(APIView):
    @extend_schema(responses={200: JobRotationDetailSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        """One rotation with its approvals (every round) and check-ins."""
        return _answer(request, pk)


class RotationDecisionSerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=RotationApproval.Side.choices,
        required=False,
        help_text="own or host; needed only by PMO deciding on a head's behalf",
    )
    comment = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class RotationRejectSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=RotationApproval.Side.choices, required=False)
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class RotationCheckInInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    date = serializers.DateField(required=False)


class RotationCloseSerializer(serializers.Serializer):
    reflection = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    host_score = serializers.IntegerField(min_value=1, max_value=5, required=False)
    host_assessment = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    actual_end = serializers.DateField(required=False)


class RotationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class JobRotationApproveView(APIView):
    @extend_schema(request=RotationDecisionSerializer, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """Approve for the caller's side (the head of the person's department or of the host
        department; PMO on a head's behalf names `side` and gives a `comment`). With both
        sides approved the rotation is `approved`."""
        _allowed(request, pk, "approve")
        v = _valid(RotationDecisionSerializer, request)
        services.approve_rotation(
            pk, by=request.user, side=v.get("side"), comment=v.get("comment", "")
        )
        return _answer(request, pk)


class JobRotationRejectView(APIView):
    @extend_schema(request=RotationRejectSerializer, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """Return the plan with a `reason` (status `returned`); the person is told."""
        _allowed(request, pk, "reject")
        v = _valid(RotationRejectSerializer, request)
        services.reject_rotation(pk, by=request.user, side=v.get("side"), reason=v["reason"])
        return _answer(request, pk)


class JobRotationResubmitView(APIView):
    @extend_schema(request=None, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """A returned plan goes to a new round of approvals."""
        _allowed(request, pk, "resubmit")
        services.resubmit_rotation(pk, by=request.user)
        return _answer(request, pk)


class JobRotationStartView(APIView):
    @extend_schema(request=None, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """An approved rotation starts today (it also starts by itself on its start date)."""
        _allowed(request, pk, "start")
        services.start_rotation(pk, by=request.user)
        return _answer(request, pk)


class JobRotationCheckInsView(APIView):
    @extend_schema(
        request=RotationCheckInInputSerializer,
        responses={**MOVE_RESPONSES, 201: RotationCheckInSerializer, 200: None},
    )
    def post(self, request, pk: int):
        """A monthly note (person, mentor or PMO) while the rotation is in progress."""
        _allowed(request, pk, "check_in")
        v = _valid(RotationCheckInInputSerializer, request)
        check_in = services.add_check_in(pk, by=request.user, note=v["note"], on=v.get("date"))
        return Response(RotationCheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


class JobRotationCloseView(APIView):
    @extend_schema(request=RotationCloseSerializer, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """The person sends `reflection`; the mentor or the host head sends `host_score`
        (1–5) and `host_assessment`. Once both are in, the rotation is `closed` (actual
        end: `actual_end`, else today). Before it is in progress: 409."""
        _allowed(request, pk, "close")
        v = _valid(RotationCloseSerializer, request)
        services.close_rotation(pk, by=request.user, **v)
        return _answer(request, pk)


class JobRotationCancelView(APIView):
    @extend_schema(request=RotationReasonSerializer, responses=MOVE_RESPONSES)
    def post(self, request, pk: int):
        """Cancel a rotation that has not started (planned, returned, approved) with a `reason`."""
        _allowed(request, pk, "cancel")
        v = _valid(RotationReasonSerializer, request)
        services.cancel_rotation(pk, by=request.user, reason=v["reason"])
        return _answer(request, pk)
