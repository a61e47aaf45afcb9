"""One set of real objects for the security suite (permission matrix, XSS render checks).

Project P holds one object of every kind a URL can point at; the roles are people with a
defined relation to P. Project Q is someone else's project: its PM is the "non_member" role,
so every object of P is "an object of another project" for them (expected: 404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination.calendars import services as calendar_feeds
from coordination.conversations import services as conversations
from coordination.conversations.targets import Kind, Target
from coordination.core.tokens.models import ApiToken
from coordination.integration import services as integration
from coordination.integration.models import ApiScope
from coordination.lessons.models import Lesson
from coordination.rotations import services as rotations
from coordination.training import services as training_services
from coordination.training.models import TrainingTopic
from handover import services as handover_services
from kpi.surveys import services as survey_links
from projects.changes.models import ChangeRequest
from projects.core.models import MemberRole, Project
from projects.documents import services as document_services
from projects.payments import services as payment_services
from projects.tasks import services as task_services
from tests import factories
from tests.changes.factories import ChangeRequestFactory
from tests.handover.factories import handover_for, small_template
from tests.kickoff.factories import Team
from tests.kpi.factories import ComplaintFactory
from tests.presales.factories import AssessmentFactory, QuoteFactory
from tests.reviews.factories import ActionItemFactory, CadenceFactory, ReviewFactory

# Column order of the matrix. "erp" is an ApiClient token (all scopes) of a PMO service user.
ROLES = (
    "anon",
    "erp",
    "other_dept",  # engineering-department plain member of P (sees P, owns nothing on it)
    "non_member",  # business PM of another project Q; not on P
    "biz_pm",
    "eng_pm",
    "finance",  # finance user, FINANCE_REP member of P
    "pmo",
    "exec",
)

# People beyond the columns, for the rules whose cells need them (matrix.RULES): P's business
# lead, the business lead of Q, and an executive who is also a business lead on P (read-only
# still wins).
RULE_PEOPLE = ("biz_lead", "other_biz_lead", "exec_on_p")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    project: Project
    other_project: Project
    users: dict = field(default_factory=dict)
    erp_key: str = ""
    objs: dict = field(default_factory=dict)

    def value(self, ref: str):
        """`ref` is "<object>.<attribute>", e.g. "project.code", "milestone.pk"."""
        name, attr = ref.split(".", 1)
        obj = self.project if name == "project" else self.objs[name]
        return getattr(obj, attr)


def build_world() -> World:
    team = Team(finance=True, stage="kickoff")
    p = team.project
    p.erp_id = "ERP-P-0001"
    p.baseline_budget = p.forecast_budget = Decimal("800000.00")
    p.save()
    commitment = team.hold()
    other_dept = factories.engineering_user(username="sec_other_dept")
    membership = factories.MembershipFactory(project=p, user=other_dept, role=MemberRole.MEMBER)
    q = factories.ProjectFactory(erp_id="ERP-Q-0001")
    users = {
        "other_dept": other_dept,
        "non_member": q.business_pm,
        "biz_pm": team.business_pm,
        "eng_pm": team.engineering_pm,
        "finance": team.finance_rep,
        "pmo": factories.pmo_user(username="sec_pmo"),
        "exec": factories.executive_user(username="sec_exec"),
        "biz_lead": team.business_lead,
        "other_biz_lead": factories.business_user(username="sec_other_biz_lead"),
        "exec_on_p": factories.executive_user(username="sec_exec_on_p"),
    }
    factories.MembershipFactory(
        project=q, user=users["other_biz_lead"], role=MemberRole.BUSINESS_LEAD
    )
    factories.MembershipFactory(project=p, user=users["exec_on_p"], role=MemberRole.BUSINESS_LEAD)
    client, key = integration.create_api_client(
        name="SEC-ERP", scopes=[s.value for s in ApiScope], throttle_rate="100000/min"
    )
    users["erp"] = client.user

    # handover (P is past handover in its stage, objects exist anyway)
    handover = handover_for(p, template=small_template())
    items = list(handover.items.order_by("order", "id"))
    handover_services.provide_item(
        items[0].pk,
        by=team.business_pm,
        file=SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf"),
    )

    # P moves on to execution (stage only: the objects of earlier stages stay)
    Project.objects.filter(pk=p.pk).update(stage="execution")
    p.refresh_from_db()

    milestone = team.milestone
    cr = ChangeRequestFactory(
        project=p,
        requested_by=team.business_pm,
        scope_impact="新增输送线。",
        affected_milestones=[milestone.pk],
    )
    # asked for by P's business PM, assessed: waiting for the departments' decisions
    cr_assessed = ChangeRequestFactory(
        project=p, requested_by=team.business_pm, status=ChangeRequest.Status.ASSESSED
    )
    cadence = CadenceFactory(project=p)
    review = ReviewFactory(cadence=cadence, project=p)
    action_item = ActionItemFactory(review=review, project=p, owner=team.tech_lead)
    # tasks: one owned by the plain engineering member (the owner reports on it), a
    # predecessor, and the dependency between them
    task = task_services.create_task(
        p,
        by=team.engineering_pm,
        data={
            "title": "设备安装",
            "owner": other_dept,
            "planned_start": datetime.date(2026, 9, 28),
        },
    )
    before = task_services.create_task(
        p,
        by=team.engineering_pm,
        data={
            "title": "设备到货",
            "owner": team.tech_lead,
            "planned_start": datetime.date(2026, 9, 28),
        },
    )
    task_dependency = task_services.add_dependency(
        task.pk, by=team.engineering_pm, predecessor=before.pk
    )
    document = document_services.create_document(
        p,
        by=team.business_pm,
        file=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf"),
        title="总平面图",
        category="drawings",
    )
    payment = payment_services.create_payment(
        p,
        by=team.business_pm,
        data={
            "name": "到货款",
            "milestone": milestone,
            "amount": Decimal("1000.00"),
            "due_condition": "acceptance",
            "days_after": 30,
        },
    )
    # a customer survey link on P (kpi.surveys): its raw token kept beside it for the URL
    survey_invitation, survey_token = survey_links.create_invitation(
        p, by=team.business_pm, recipient_name="王总"
    )
    survey_invitation.token = survey_token
    notification = factories.NotificationFactory(
        user=team.business_pm, kind="test", subject="通知", url="/"
    )
    # a held training session run by PMO, its trainer P's engineering PM, P's business PM
    # invited and ticked as attended (coordination.training), with one material
    training = training_services.schedule_session(
        by=users["pmo"],
        data={
            "topic": TrainingTopic.objects.create(name="安全生产"),
            "title": "安全交底",
            "trainer": team.engineering_pm,
            "starts_at": timezone.now() - datetime.timedelta(hours=2),
            "audience": ["business", "engineering"],
            "invitees": [team.business_pm],
        },
    )
    training_services.mark_held(training.pk, by=users["pmo"])
    training_services.mark_attendance(training.pk, by=users["pmo"], attended=[team.business_pm])
    material = training_services.add_material(
        training.pk,
        by=users["pmo"],
        title="讲义",
        file=SimpleUploadedFile("handout.pdf", PDF, content_type="application/pdf"),
    )
    # a job rotation planned by P's business PM, on site at P with the plain engineering
    # member as mentor: waiting for both heads (none among the columns; PMO may decide on
    # their behalf)
    rotation = rotations.plan_rotation(
        by=team.business_pm,
        to_project=p,
        mentor=other_dept,
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    objs = {
        "training": training,
        "training_material": material,
        "training_version": material.versions.get(),
        "training_person": team.business_pm,
        "rotation": rotation,
        # a cross-department complaint on P against engineering (kpi.complaints)
        "complaint": ComplaintFactory(
            project=p, source="internal", responsible_department="engineering"
        ),
        "customer": p.customer,
        "membership": membership,
        "milestone": milestone,
        "risk": team.risk,
        "feasibility": AssessmentFactory(project=p, status="draft"),
        "quote": QuoteFactory(project=p),
        "cr": cr,
        "cr_assessed": cr_assessed,
        "handover": handover,
        "handover_item": items[0],
        "commitment": commitment,
        "cadence": cadence,
        # a company cadence (PMO's) whose only participant is P's business PM
        "company_cadence": CadenceFactory(
            project=None, kind="weekly_meeting", participants=[team.business_pm]
        ),
        # a lesson promoted by P's business PM from a P review
        "lesson": Lesson.objects.create(
            title="教训",
            text="教训",
            kind="went_wrong",
            phase="execution",
            discipline="joint",
            project=p,
            review=review,
            promoted_by=team.business_pm,
        ),
        "review": review,
        "action_item": action_item,
        "notification": notification,
        "task": task,
        "task_dependency": task_dependency,
        "document": document,
        "document_version": document.versions.get(),
        "payment": payment,
        "kickoff_date": datetime.date.today(),
        "project_feed": calendar_feeds.project_feed(p, by=team.business_pm),
        "survey_invitation": survey_invitation,
        # an API token of P's business PM (only its owner revokes it on the profile page)
        "api_token": ApiToken.objects.create(
            user=team.business_pm, expiry=datetime.timedelta(days=1), name="world"
        )[0],
        # a comment by P's business PM on P (its author edits it; others read it)
        "comment": conversations.post_comment(
            Target(kind=Kind.PROJECT, key=p.code, project=p), by=team.business_pm, body="ok"
        ),
    }
    return World(project=p, other_project=q, users=users, erp_key=key, objs=objs)
