"""Kickoff factories, and the `Team` builder: a project with every signatory role and a
ready-to-hold meeting.

Factories (KickoffMeeting, KickoffAttendee, ResponsibilityAssignment,
CollaborationCommitment, Signature). A commitment carries canonical content, its SHA-256 and
both rendered texts, all computed from the kickoff record, and a signature an HMAC over that
hash; so these factories never write them, they call coordination.kickoff.services:

- `KickoffMeetingFactory` schedules with `schedule_kickoff` (the record fields and the
  `attendees` / `responsibilities` rows are the service's `data`); `status="held"` also holds it.
- `CollaborationCommitmentFactory` holds the meeting (`hold_kickoff`: v1) or, when it is
  already held, amends the current version (`amend_commitment`: v2, v3…);
  `status="signed"` has every signatory sign, `status="superseded"` amends it once more.
- `SignatureFactory` signs with `sign_commitment` (default signer: the next one pending).

`KickoffAttendeeFactory` and `ResponsibilityAssignmentFactory` add rows to a meeting directly
(they carry no derived data).
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination.core.models import Department
from coordination.kickoff import services as kickoff
from coordination.kickoff.models import (
    CollaborationCommitment,
    KickoffAttendee,
    KickoffMeeting,
    KickoffRole,
    ResponsibilityAssignment,
    Signature,
)
from projects.core.models import MemberRole, Stage
from tests import factories

# Keys of KickoffMeetingFactory that are rows or relations of the record, not columns.
RECORD_ROWS = ("milestones", "risks", "attendees", "responsibilities")
AMENDMENT_REASON = "启动会记录变更，重新签署。"


class KickoffProjectFactory(factories.ProjectFactory):
    """A project in the kickoff stage whose required signatory roles are all held: both PMs,
    a business lead and an engineering director."""

    class Meta:
        skip_postgeneration_save = True

    stage = Stage.KICKOFF

    @factory.post_generation
    def signatories(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        factories.MembershipFactory(
            project=self, user=factories.business_user(), role=MemberRole.BUSINESS_LEAD
        )
        factories.MembershipFactory(
            project=self, user=factories.engineering_user(), role=MemberRole.ENGINEERING_DIRECTOR
        )


def pm_attendance(project) -> list[dict]:
    """Both PMs, present: the least a meeting needs to be held."""
    return [
        {"user": project.business_pm, "role": KickoffRole.BUSINESS_PM, "attended": True},
        {"user": project.engineering_pm, "role": KickoffRole.ENGINEERING_PM, "attended": True},
    ]


class KickoffMeetingFactory(factory.django.DjangoModelFactory):
    """A kickoff meeting scheduled through the service (`status="held"`: then held).

    Record fields not given (chair, customer needs, standards) are prefilled by the service
    from the project, as for a real meeting.
    """

    class Meta:
        model = KickoffMeeting
        skip_postgeneration_save = True

    project = factory.SubFactory(KickoffProjectFactory)
    created_by = factory.LazyAttribute(lambda o: o.project.business_pm)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    location = "3号会议室"
    attendees = factory.LazyAttribute(lambda o: pm_attendance(o.project))
    status = KickoffMeeting.Status.SCHEDULED
    held_by = factory.SelfAttribute("created_by")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in (*RECORD_ROWS, "held_by"):
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *, project, created_by, status, held_by, **data):
        unknown = set(data) - set(kickoff.SCALAR_FIELDS) - set(RECORD_ROWS)
        if unknown:
            raise TypeError(f"KickoffMeetingFactory: {sorted(unknown)} are set by the service")
        meeting = kickoff.schedule_kickoff(project, by=created_by, data=data)
        if status == KickoffMeeting.Status.HELD:
            kickoff.hold_kickoff(project, by=held_by)
            meeting.refresh_from_db()
        elif status != KickoffMeeting.Status.SCHEDULED:
            raise ValueError(f"unknown kickoff meeting status {status!r}")
        return meeting


class KickoffAttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KickoffAttendee

    meeting = factory.SubFactory(KickoffMeetingFactory)
    user = factory.SubFactory(factories.UserFactory)
    role = KickoffRole.OTHER
    attended = True


class ResponsibilityAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsibilityAssignment

    meeting = factory.SubFactory(KickoffMeetingFactory)
    area = factory.Sequence(lambda n: f"职责 {n}")
    department = Department.BUSINESS
    person = factory.LazyAttribute(lambda o: o.meeting.project.business_pm)
    sequence = factory.Sequence(lambda n: n)


class CollaborationCommitmentFactory(factory.django.DjangoModelFactory):
    """A commitment generated from a kickoff record by the service, then opened.

    `meeting` (or `project`, whose meeting is used) defaults to a new meeting ready to be
    held. A scheduled meeting is held (v1); a held one gets an amendment of its current
    version (`amendment_reason`). `status`: open (default), signed or superseded.
    """

    class Meta:
        model = CollaborationCommitment
        skip_postgeneration_save = True

    meeting = None
    project = None
    created_by = None  # who holds / amends; default: the meeting's creator, else the business PM
    amendment_reason = ""
    status = CollaborationCommitment.Status.OPEN

    @classmethod
    def _create(
        cls, model_class, *, meeting, project, created_by, amendment_reason, status, **extra
    ):
        if extra:
            raise TypeError(
                f"CollaborationCommitmentFactory: {sorted(extra)} are computed from the kickoff "
                "record by coordination.kickoff.services"
            )
        Status = CollaborationCommitment.Status
        if status not in (Status.OPEN, Status.SIGNED, Status.SUPERSEDED):
            raise ValueError(f"a generated commitment cannot be {status!r}")
        if meeting is None:
            meeting = KickoffMeeting.objects.filter(project=project).first() if project else None
            meeting = meeting or KickoffMeetingFactory(**({"project": project} if project else {}))
        elif project is not None and project.pk != meeting.project_id:
            raise ValueError("the meeting belongs to another project")
        by = created_by or meeting.created_by or meeting.project.business_pm
        held = KickoffMeeting.objects.filter(pk=meeting.pk, status=KickoffMeeting.Status.HELD)
        if not held.exists():  # (the stored status: `meeting` may be an older copy)
            commitment = kickoff.hold_kickoff(meeting.project, by=by)
        else:
            current = model_class.objects.filter(project_id=meeting.project_id)
            commitment = kickoff.amend_commitment(
                current.order_by("-version").first().pk,
                by=by,
                reason=amendment_reason or AMENDMENT_REASON,
            )
        if status == Status.SIGNED:
            users = get_user_model().objects.in_bulk(
                [entry["user_id"] for entry in commitment.required_signatories]
            )
            for entry in commitment.required_signatories:
                SignatureFactory(commitment=commitment, signer=users[entry["user_id"]])
            commitment.refresh_from_db()
        elif status == Status.SUPERSEDED:
            cls(meeting=meeting, created_by=by)
            commitment.refresh_from_db()
        return commitment


def next_signatory(commitment):
    pending = kickoff.pending_signatories(commitment)
    if not pending:
        raise ValueError(f"{commitment} has no signatory left to sign")
    return get_user_model().objects.get(pk=pending[0]["user_id"])


class SignatureFactory(factory.django.DjangoModelFactory):
    """A signature made by the service: role, department, hash and HMAC follow from the
    commitment and the signer. `signed_at`: default now (a past moment: a paper signature)."""

    class Meta:
        model = Signature

    commitment = factory.SubFactory(CollaborationCommitmentFactory)
    signer = factory.LazyAttribute(lambda o: next_signatory(o.commitment))
    signed_at = None

    @classmethod
    def _create(cls, model_class, *, commitment, signer, signed_at, **extra):
        if extra:
            raise TypeError(f"SignatureFactory: {sorted(extra)} are computed by sign_commitment")
        return kickoff.sign_commitment(commitment.pk, by=signer, at=signed_at)


# ---------------------------------------------------------------- the Team builder
class Team:
    """A project in the kickoff stage with both PMs, a business lead, an engineering director
    and (optionally) a finance representative."""

    def __init__(self, *, finance: bool = True, stage: str = "kickoff"):
        self.project = factories.ProjectFactory(stage=stage)
        self.business_pm = self.project.business_pm
        self.engineering_pm = self.project.engineering_pm
        self.business_lead = factories.business_user()
        self.engineering_director = factories.engineering_user()
        self.tech_lead = factories.engineering_user()
        self.finance_rep = factories.finance_user() if finance else None
        for user, role in [
            (self.business_lead, MemberRole.BUSINESS_LEAD),
            (self.engineering_director, MemberRole.ENGINEERING_DIRECTOR),
            (self.tech_lead, MemberRole.TECH_LEAD),
        ] + ([(self.finance_rep, MemberRole.FINANCE_REP)] if finance else []):
            factories.MembershipFactory(project=self.project, user=user, role=role)
        self.milestone = factories.MilestoneFactory(
            project=self.project, name="设备到场", baseline_date=datetime.date(2026, 5, 31)
        )
        self.risk = factories.RiskFactory(
            project=self.project, title="钢材涨价", mitigation="提前锁价"
        )

    @property
    def signatories(self) -> list:
        people = [self.business_pm, self.engineering_pm, self.business_lead]
        people.append(self.engineering_director)
        if self.finance_rep:
            people.append(self.finance_rep)
        return people

    def attendees(self) -> list[dict]:
        rows = [
            {"user": self.business_pm, "role": "business_pm", "attended": True},
            {"user": self.engineering_pm, "role": "engineering_pm", "attended": True},
            {"user": self.business_lead, "role": "business_lead", "attended": True},
            {"user": self.engineering_director, "role": "engineering_director", "attended": True},
            {"user": self.tech_lead, "role": "tech_lead", "attended": True},
        ]
        if self.finance_rep:
            rows.append({"user": self.finance_rep, "role": "finance_rep", "attended": True})
        return rows

    def schedule(self, **extra) -> KickoffMeeting:
        data = {
            "scheduled_at": timezone.now() + datetime.timedelta(days=1),
            "location": "3号会议室",
            "customer_core_needs": "2026年6月前投产",
            "expected_standards": "符合GB 50300",
            "feasibility_summary": "工期可行，需提前订货",
            "milestones": [self.milestone],
            "risks": [self.risk],
            "attendees": self.attendees(),
            "responsibilities": [
                {"area": "客户沟通", "department": "business", "person": self.business_pm},
                {"area": "施工组织", "department": "engineering", "person": self.engineering_pm},
            ],
            **extra,
        }
        return KickoffMeetingFactory(project=self.project, created_by=self.business_pm, **data)

    def hold(self) -> CollaborationCommitment:
        meeting = self.schedule()
        return CollaborationCommitmentFactory(meeting=meeting, created_by=self.business_pm)

    def sign_all(self, commitment):
        for user in self.signatories:
            SignatureFactory(commitment=commitment, signer=user)
        commitment.refresh_from_db()
        return commitment
