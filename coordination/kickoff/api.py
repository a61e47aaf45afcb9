"""REST API v1 for the joint kickoff meeting and the collaboration commitment (API.md).

Each view parses, authorizes and calls one service or selector in coordination.kickoff.services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import ModelSerializer, OffsetDateTimeField, many_related
from coordination.api.schema import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, UNAUTHORIZED
from coordination.core.limits import ITEMS_MAX, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import Department
from coordination.kickoff import selectors, services
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting, KickoffRole
from coordination.kickoff.verification import verify_commitment
from projects.core.models import Milestone, Risk
from projects.core.selectors import visible_projects

User = get_user_model()


# ---------------------------------------------------------------- input (shape only)
class _Username(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs
        )


def _text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)


class AttendeeInSerializer(serializers.Serializer):
    user = _Username()
    role = serializers.ChoiceField(choices=KickoffRole.choices)
    attended = serializers.BooleanField(default=False)


class ResponsibilityInSerializer(serializers.Serializer):
    area = serializers.CharField(max_length=200)
    department = serializers.ChoiceField(choices=Department.choices)
    person = _Username(required=False, allow_null=True)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class KickoffWriteSerializer(serializers.Serializer):
    scheduled_at = OffsetDateTimeField()
    location = serializers.CharField(max_length=500, required=False, allow_blank=True)
    chair = _Username(required=False, help_text="username of a PM of the project")
    customer_core_needs = _text()
    expected_standards = _text()
    feasibility_summary = _text()
    risk_plan = _text()
    milestones = many_related(
        serializers.PrimaryKeyRelatedField,
        required=False,
        queryset=Milestone.objects.none(),
        help_text="milestone ids",
    )
    risks = many_related(
        serializers.PrimaryKeyRelatedField,
        required=False,
        queryset=Risk.objects.none(),
        help_text="risk ids",
    )
    attendees = AttendeeInSerializer(many=True, required=False, max_length=ITEMS_MAX)
    responsibilities = ResponsibilityInSerializer(many=True, required=False, max_length=ITEMS_MAX)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["milestones"].child_relation.queryset = project.milestones.all()
            self.fields["risks"].child_relation.queryset = project.risks.all()


class AmendSerializer(KickoffWriteSerializer):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    scheduled_at = OffsetDateTimeField(required=False)


# ---------------------------------------------------------------- output
class CommitmentSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    content_hash = serializers.CharField()


class KickoffMeetingSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code")
    chair = serializers.SlugRelatedField(slug_field="username", read_only=True)
    milestones = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    responsibilities = serializers.SerializerMethodField()
    commitment = serializers.SerializerMethodField()

    class Meta:
        model = KickoffMeeting
        fields = [
            "id",
            "project",
            "scheduled_at",
            "location",
            "chair",
            "status",
            "held_at",
            "customer_core_needs",
            "expected_standards",
            "feasibility_summary",
            "risk_plan",
            "milestones",
            "risks",
            "attendees",
            "responsibilities",
            "commitment",
            "created_at",
            "updated_at",
        ]

    def get_milestones(self, obj) -> list[dict]:
        return [
            {
                "id": m.pk,
                "name": m.name,
                "baseline_date": m.baseline_date.isoformat(),
                "forecast_date": m.forecast_date.isoformat(),
                "is_committed": m.is_committed,
            }
            for m in obj.milestones.all()
        ]

    def get_risks(self, obj) -> list[dict]:
        return [
            {"id": r.pk, "title": r.title, "mitigation": r.mitigation, "status": r.status}
            for r in obj.risks.all()
        ]

    def get_attendees(self, obj) -> list[dict]:
        return [
            {"user": a.user.get_username(), "role": a.role, "attended": a.attended}
            for a in obj.attendees.all()
        ]

    def get_responsibilities(self, obj) -> list[dict]:
        return [
            {
                "area": r.area,
                "department": r.department,
                "person": r.person.get_username() if r.person_id else None,
                "notes": r.notes,
            }
            for r in obj.responsibilities.all()
        ]

    def get_commitment(self, obj) -> dict | None:
        current = selectors.current_commitment(obj.project)
        if current is None:
            return None
        return {
            "id": current.pk,
            "version": current.version,
            "status": current.status,
            "content_hash": current.content_hash,
        }


class SignatureOutSerializer(serializers.Serializer):
    signer = serializers.CharField(source="signer.username")
    role = serializers.CharField()
    department = serializers.CharField()
    signed_at = OffsetDateTimeField()
    content_hash = serializers.CharField()
    key_id = serializers.CharField()


class CommitmentSerializer(ModelSerializer):
    project = serializers.CharField(source="project.code")
    content = serializers.JSONField(read_only=True)
    required_signatories = serializers.SerializerMethodField()
    pending_signatories = serializers.SerializerMethodField()
    signatures = SignatureOutSerializer(many=True, read_only=True)
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = CollaborationCommitment
        fields = [
            "id",
            "project",
            "version",
            "status",
            "content_hash",
            "content",
            "text_zh",
            "text_en",
            "required_signatories",
            "pending_signatories",
            "signatures",
            "supersedes",
            "amendment_reason",
            "created_at",
            "opened_at",
            "signed_at",
            "superseded_at",
        ]

    def get_required_signatories(self, obj) -> list[dict]:
        return [
            {"username": s["username"], "name": s["name"], "role": s["role"]}
            for s in obj.required_signatories
        ]

    def get_pending_signatories(self, obj) -> list[str]:
        return [s["username"] for s in selectors.pending_signatories(obj)]


class VerifySignatureSerializer(serializers.Serializer):
    signer = serializers.CharField()
    role = serializers.CharField()
    department = serializers.CharField()
    signed_at = serializers.CharField()
    hash_ok = serializers.BooleanField()
    hmac_ok = serializers.BooleanField()
    key_id = serializers.CharField()


class VerifyFindingSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="what no longer matches: a column of the commitment (`status`, `signed_at`, "
        "`canonical_content`, `content_hash`, `text_zh`, `text_en`, `version`, `project`, "
        "`superseded_at`), a part of its content (`content.milestones`, …), `signatures` (the "
        "set: one missing or unrecorded), a column of a signature (`signatures.signer`, "
        "`signatures.role`, `signatures.content_hash`, `signatures.signed_at`, "
        "`signatures.hmac`), or `audit` (an audit event read as evidence was altered)"
    )
    code = serializers.CharField(
        help_text="machine-readable kind, e.g. `content_changed`, `section_changed`, "
        "`status_reopened`, `recorded_signed`, `signature_missing`, `signer_changed`, "
        "`signed_at_changed`, `hmac_invalid`"
    )
    message = serializers.CharField(help_text="the same sentence as in `problems`")
    signer = serializers.CharField(
        allow_null=True, help_text="username of the signatory concerned, if any"
    )


class VerifySerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    content_hash = serializers.CharField()
    recomputed_hash = serializers.CharField()
    signatures = VerifySignatureSerializer(many=True)
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="one sentence per finding, in the same order"
    )
    findings = VerifyFindingSerializer(many=True, help_text="what is wrong, field by field")
    changed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="the distinct `field`s of `findings`, sorted"
    )


# ---------------------------------------------------------------- views
READ = {401: UNAUTHORIZED, 404: NOT_FOUND}
WRITE = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
CONDITIONAL_WRITE = {**WRITE, 412: PRECONDITION_FAILED}


def _project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _meeting_response(project, code=status.HTTP_200_OK) -> Response:
    meeting = selectors.meeting_for(project)
    return tagged(Response(KickoffMeetingSerializer(meeting).data, status=code), meeting)


def _commitment_response(commitment_id: int, code=status.HTTP_200_OK) -> Response:
    commitment = (
        CollaborationCommitment.objects.select_related("project")
        .prefetch_related("signatures__signer")
        .get(pk=commitment_id)
    )
    return Response(CommitmentSerializer(commitment).data, status=code)


class KickoffView(APIView):
    """The project's joint kickoff meeting (联合启动会) and its record."""

    @extend_schema(
        parameters=[ETAG], responses={200: KickoffMeetingSerializer, **READ}, tags=["kickoff"]
    )
    def get(self, request, code: str):
        project = _project(request, code)
        get_object_or_404(KickoffMeeting, project=project)
        return _meeting_response(project)

    @extend_schema(
        parameters=[ETAG],
        request=KickoffWriteSerializer,
        responses={201: KickoffMeetingSerializer, **WRITE},
        tags=["kickoff"],
        description="Schedule the kickoff meeting. Customer needs and expected standards start "
        "from the project; both PMs are invited. 409 when the project already has one.",
    )
    def post(self, request, code: str):
        project = _project(request, code)
        data = KickoffWriteSerializer(data=request.data, project=project)
        data.is_valid(raise_exception=True)
        services.schedule_kickoff(project, by=request.user, data=dict(data.validated_data))
        return _meeting_response(project, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[IF_MATCH, ETAG],
        request=KickoffWriteSerializer(partial=True),
        responses={200: KickoffMeetingSerializer, **CONDITIONAL_WRITE},
        tags=["kickoff"],
        description="Change the record. `attendees` and `responsibilities`, when given, replace "
        "the lists. After the meeting is held, only while nobody has signed (else 409: amend). "
        "`If-Match`: the ETag of the record as read (412 when it changed since).",
    )
    def patch(self, request, code: str):
        project = _project(request, code)
        get_object_or_404(KickoffMeeting, project=project)
        data = KickoffWriteSerializer(data=request.data, partial=True, project=project)
        data.is_valid(raise_exception=True)
        services.update_kickoff(
            project,
            by=request.user,
            data=dict(data.validated_data),
            expected_version=if_match(request),
        )
        return _meeting_response(project)


class KickoffHoldView(APIView):
    @extend_schema(
        parameters=[IF_MATCH],
        request=None,
        responses={200: CommitmentSerializer, **CONDITIONAL_WRITE},
        tags=["kickoff"],
        description="Mark the meeting held (attendance recorded, both PMs attended) and open "
        "the collaboration commitment for signature. Answers the new commitment. `If-Match`: "
        "the ETag of the kickoff record the commitment is to be built from (412 when it "
        "changed since).",
    )
    def post(self, request, code: str):
        project = _project(request, code)
        get_object_or_404(KickoffMeeting, project=project)
        commitment = services.hold_kickoff(
            project, by=request.user, expected_version=if_match(request)
        )
        return _commitment_response(commitment.pk)


class ProjectCommitmentView(APIView):
    @extend_schema(
        responses={200: CommitmentSerializer, **READ},
        tags=["commitments"],
        description="The project's current (newest) collaboration commitment.",
    )
    def get(self, request, code: str):
        project = _project(request, code)
        current = selectors.current_commitment(project)
        if current is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(CommitmentSerializer(current).data)


class CommitmentDetailView(APIView):
    @extend_schema(responses={200: CommitmentSerializer, **READ}, tags=["commitments"])
    def get(self, request, pk: int):
        """One collaboration commitment of a project the caller may see (404 otherwise)."""
        commitment = selectors.visible_commitment(request.user, pk)
        return Response(CommitmentSerializer(commitment).data)


class CommitmentSignView(APIView):
    @extend_schema(
        request=None,
        responses={200: CommitmentSerializer, **WRITE},
        tags=["commitments"],
        description="Sign as yourself. Only a listed signatory (403), only an open commitment "
        "(409). Signing twice changes nothing.",
    )
    def post(self, request, pk: int):
        commitment = selectors.visible_commitment(request.user, pk)
        services.sign_commitment(commitment.pk, by=request.user)
        return _commitment_response(commitment.pk)


# Keys the verification gives pages only (display name, role label, the moment as a datetime).
_PAGE_ONLY = {"signer_id", "signer_name", "role_label", "signed_moment"}


class CommitmentVerifyView(APIView):
    @extend_schema(
        responses={200: VerifySerializer, **READ},
        tags=["commitments"],
        description="Recompute the content hash and every signature's HMAC, and check status, "
        "signing time and signatures against each other and against the audit trail recorded "
        "at signing: `valid` is false when anything stored no longer matches, even if it was "
        "changed in the database with its triggers off; `findings` names each field.",
        examples=[
            OpenApiExample(
                "tampered",
                value={
                    "valid": False,
                    "content_hash": "9f2c…",
                    "recomputed_hash": "41aa…",
                    "signatures": [
                        {
                            "signer": "li.business",
                            "role": "business_pm",
                            "department": "business",
                            "signed_at": "2026-03-02T10:00:00+08:00",
                            "hash_ok": False,
                            "hmac_ok": True,
                            "key_id": "3b9e0c…",
                        }
                    ],
                    "problems": [
                        "内容哈希不符：存储的内容已被改动。",
                        "内容中的“关键里程碑（承诺日期）”（milestones）已被改动。",
                    ],
                    "findings": [
                        {
                            "field": "canonical_content",
                            "code": "content_changed",
                            "message": "内容哈希不符：存储的内容已被改动。",
                            "signer": None,
                        },
                        {
                            "field": "content.milestones",
                            "code": "section_changed",
                            "message": "内容中的“关键里程碑（承诺日期）”（milestones）已被改动。",
                            "signer": None,
                        },
                    ],
                    "changed_fields": ["canonical_content", "content.milestones"],
                },
                response_only=True,
            ),
            OpenApiExample(
                "signing erased",
                value={
                    "valid": False,
                    "content_hash": "9f2c…",
                    "recomputed_hash": "9f2c…",
                    "signatures": [],
                    "problems": [
                        "审计记录显示此承诺书已于 2026-03-02 10:00:00 全部签署，"
                        "但状态现为“待签署”。",
                        "审计记录显示 li.business 已于 2026-03-02 09:30:00 签署，"
                        "但这份签名已不存在。",
                    ],
                    "findings": [
                        {
                            "field": "status",
                            "code": "recorded_signed",
                            "message": "审计记录显示此承诺书已于 2026-03-02 10:00:00 全部签署，"
                            "但状态现为“待签署”。",
                            "signer": None,
                        },
                        {
                            "field": "signatures",
                            "code": "signature_missing",
                            "message": "审计记录显示 li.business 已于 2026-03-02 09:30:00 签署，"
                            "但这份签名已不存在。",
                            "signer": "li.business",
                        },
                    ],
                    "changed_fields": ["signatures", "status"],
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request, pk: int):
        commitment = selectors.visible_commitment(request.user, pk)
        result = verify_commitment(commitment)
        result["signatures"] = [
            {k: v for k, v in s.items() if k not in _PAGE_ONLY} for s in result["signatures"]
        ]
        return Response(result)


class CommitmentAmendView(APIView):
    @extend_schema(
        request=AmendSerializer,
        responses={201: CommitmentSerializer, **WRITE},
        tags=["commitments"],
        description="Amend the current commitment: optional record changes plus a reason. The "
        "old version is kept as superseded; the new one must be signed again.",
    )
    def post(self, request, pk: int):
        commitment = selectors.visible_commitment(request.user, pk)
        data = AmendSerializer(data=request.data, partial=True, project=commitment.project)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        new = services.amend_commitment(commitment.pk, by=request.user, reason=reason, data=values)
        return _commitment_response(new.pk, status.HTTP_201_CREATED)
