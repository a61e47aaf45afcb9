"""The home page answers "what needs me today": approvals waiting for me, my action items
(overdue first), my next reviews, my projects with health; constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.core.models import Notification
from projects.changes.models import ChangeDecision, ChangeRequest
from projects.core.models import MemberRole
from projects.presales.models import FeasibilityAssessment
from tests import factories
from tests.changes import factories as cr
from tests.dashboard import factories as f
from tests.handover import factories as hf
from tests.kickoff.factories import Team
from tests.presales.factories import AssessmentFactory
from tests.reviews.factories import ActionItemFactory, CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def page(client, user, url=None):
    client.force_login(user)
    response = client.get(url or reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def approvals(client, user) -> str:
    """The "waiting for me" card only (notifications elsewhere on the page link the same)."""
    html = page(client, user)
    start = html.index('id="approvals"')
    return html[start : html.index("</section>", start)]


def test_anonymous_goes_to_login(client):
    for url in [reverse("home"), reverse("dashboard:approvals")]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("dashboard:approve_change_request", args=[1]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---------------------------------------------------------------- change requests
def test_change_request_awaiting_my_department_is_listed_with_an_approve_button(client):
    c = cr.cast()
    request = cr.assessed(c, title="增加输送线")
    html = approvals(client, c.biz_lead)
    assert "增加输送线" in html and request.number in html
    assert reverse("dashboard:approve_change_request", args=[request.pk]) in html
    assert 'name="department" value="business"' in html


def test_not_listed_for_other_departments_pmo_or_once_decided(client):
    c = cr.cast()
    request = cr.assessed(c, title="增加输送线")
    assert "增加输送线" not in approvals(client, c.pmo)
    assert "增加输送线" not in approvals(client, c.member)
    assert "增加输送线" not in approvals(client, factories.business_user())
    assert "增加输送线" in approvals(client, c.eng_director)
    ChangeDecision.objects.create(
        change_request=request, department="business", decided_by=c.biz_pm, decision="approve"
    )
    assert "增加输送线" not in approvals(client, c.biz_lead)  # business has decided
    assert "增加输送线" in approvals(client, c.eng_pm)


def test_not_offered_to_its_requester_for_their_own_department(client, settings):
    """The business PM asked for the change: the business lead decides for business, the
    requester's card does not offer it (PMO's setting CHANGE_REQUEST_REQUESTER_MAY_APPROVE
    lets them)."""
    c = cr.cast()
    request = cr.assessed(c, title="增加输送线")
    assert request.requested_by == c.biz_pm
    assert "增加输送线" not in approvals(client, c.biz_pm)
    assert "增加输送线" in approvals(client, c.biz_lead)
    client.force_login(c.biz_pm)
    url = reverse("dashboard:approve_change_request", args=[request.pk])
    html = client.post(url, {"department": "business"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-flash="error"' in html and "申请人不能为本部门审批" in html
    assert not ChangeDecision.objects.filter(change_request=request).exists()
    settings.CHANGE_REQUEST_REQUESTER_MAY_APPROVE = True
    assert "增加输送线" in approvals(client, c.biz_pm)


def test_submitted_but_not_assessed_is_listed_for_engineering_to_assess(client):
    c = cr.cast()
    request = cr.submitted(c, title="改线")
    html = approvals(client, c.tech_lead)
    assert reverse("changes:assess", args=[request.pk]) in html
    assert reverse("changes:assess", args=[request.pk]) not in approvals(client, c.biz_lead)


def test_approve_with_htmx_updates_the_card_in_place(client):
    c = cr.cast()
    request = cr.assessed(c, title="增加输送线")
    client.force_login(c.biz_lead)
    response = client.post(
        reverse("dashboard:approve_change_request", args=[request.pk]),
        {"department": "business", "comment": "同意"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="approvals"' in html
    assert f"已批准变更申请 {request.number}" in html
    assert "增加输送线" not in html.split("data-flash")[1]  # gone from the list
    decision = ChangeDecision.objects.get(change_request=request)
    assert (decision.department, decision.decided_by, decision.comment) == (
        "business",
        c.biz_lead,
        "同意",
    )


def test_last_approval_approves_and_says_so(client):
    c = cr.cast()
    request = cr.assessed(c)
    cr.changes.approve_change_request(request.pk, by=c.biz_lead)
    client.force_login(c.eng_pm)
    html = client.post(
        reverse("dashboard:approve_change_request", args=[request.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "变更已生效" in html
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED


def test_approve_without_javascript_redirects_home_with_a_message(client):
    c = cr.cast()
    request = cr.assessed(c)
    client.force_login(c.biz_lead)
    response = client.post(reverse("dashboard:approve_change_request", args=[request.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    html = client.get(reverse("home")).content.decode()
    assert f"已批准变更申请 {request.number}" in html


def test_approving_twice_or_without_the_right_is_refused_in_the_card(client):
    c = cr.cast()
    request = cr.assessed(c)
    url = reverse("dashboard:approve_change_request", args=[request.pk])
    client.force_login(c.biz_lead)
    client.post(url, HTTP_HX_REQUEST="true")
    html = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-flash="error"' in html and "已对变更申请" in html
    client.force_login(c.member)  # sees the project, acts for no department
    html = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-flash="error"' in html
    assert ChangeDecision.objects.filter(change_request=request).count() == 1


def test_approving_an_invisible_change_request_is_404(client):
    c = cr.cast()
    request = cr.assessed(c)
    client.force_login(factories.business_user())
    url = reverse("dashboard:approve_change_request", args=[request.pk])
    assert client.post(url).status_code == 404


def test_a_user_acting_for_two_departments_chooses(client):
    c = cr.cast()
    factories.MembershipFactory(
        project=c.project, user=c.biz_lead, role=MemberRole.ENGINEERING_DIRECTOR
    )
    cr.assessed(c)
    html = approvals(client, c.biz_lead)
    assert '<select class="form-select form-select-sm w-auto" name="department"' in html


# ---------------------------------------------------------------- other approvals
def test_feasibility_assessment_awaiting_the_engineering_director(client):
    project = factories.ProjectFactory(name="投标项目")
    director = factories.engineering_user()
    factories.MembershipFactory(
        project=project, user=director, role=MemberRole.ENGINEERING_DIRECTOR
    )
    a = AssessmentFactory(
        project=project, status=FeasibilityAssessment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    assert reverse("presales:assessment", args=[a.pk]) in approvals(client, director)
    assert reverse("presales:assessment", args=[a.pk]) not in approvals(
        client, project.engineering_pm
    )


def test_handover_items_wait_for_business_then_for_engineering(client):
    handover = hf.handover_for()
    project = handover.project
    url = reverse("handover:checklist", args=[project.code])
    assert "项资料待提供" in approvals(client, project.business_pm)
    assert url not in approvals(client, project.engineering_pm)
    contract, clauses, _link = hf.items(handover)
    for item in (contract, clauses):
        item.status = "provided"
        item.evidence_text = "x"
        item.save()
    handover.status = "submitted"
    handover.save()
    html = approvals(client, project.engineering_pm)
    assert url in html and "项资料待审核" in html
    assert url not in approvals(client, project.business_pm)


def test_commitment_awaiting_my_signature(client):
    team = Team()
    commitment = team.hold()
    url = reverse("commitment_detail", args=[commitment.pk])
    assert url in approvals(client, team.business_lead)
    from coordination.kickoff import services as kickoff

    kickoff.sign_commitment(commitment.pk, by=team.business_lead)
    assert url not in approvals(client, team.business_lead)
    assert url in approvals(client, team.engineering_director)
    assert url not in approvals(client, team.tech_lead)  # not a signatory


# ---------------------------------------------------------------- action items, reviews
def test_my_action_items_overdue_first(client):
    me = factories.business_user()
    ActionItemFactory(owner=me, title="下周的事", due_date=f.days(7))
    ActionItemFactory(owner=me, title="逾期的事", due_date=f.days(-2))
    ActionItemFactory(
        owner=me, title="做完的事", due_date=f.days(-9), status="done", done_at=timezone.now()
    )
    ActionItemFactory(title="别人的事", due_date=f.days(-2))
    html = page(client, me)
    assert html.index("逾期的事") < html.index("下周的事")
    assert "做完的事" not in html and "别人的事" not in html
    assert "1 项逾期" in html


def test_my_next_reviews(client):
    me = factories.business_user()
    cadence = CadenceFactory(participants=[me], title="华东周会")
    soon = timezone.now() + datetime.timedelta(days=1)
    ReviewFactory(cadence=cadence, date=soon.date(), starts_at=soon)
    past = timezone.now() - datetime.timedelta(days=1)
    ReviewFactory(cadence=cadence, date=past.date(), starts_at=past, status="held")
    other = CadenceFactory(title="无关的会")
    ReviewFactory(cadence=other, date=soon.date(), starts_at=soon)
    html = page(client, me)
    assert html.count("华东周会") == 1 and "无关的会" not in html


# ---------------------------------------------------------------- my projects
def test_my_projects_show_health_and_reasons_red_first(client):
    me = factories.business_user()
    green = f.healthy_project(business_pm=me, name="顺利项目")
    red = f.troubled_project(business_pm=me, name="麻烦项目")
    f.troubled_project(name="别人的麻烦")
    html = page(client, me)
    assert html.index(red.name) < html.index(green.name)
    assert "别人的麻烦" not in html
    assert 'data-health="red"' in html and 'data-health="green"' in html
    assert "里程碑“设备安装”已逾期" in html


def test_home_links_portfolio_and_kpis_and_keeps_notifications(client):
    me = factories.business_user()
    Notification.objects.create(user=me, kind="x", subject="请审批移交单")
    html = page(client, me)
    assert reverse("dashboard:portfolio") in html and reverse("kpi:index") in html
    assert "请审批移交单" in html


def _populate(n: int, me, c):
    """n troubled projects of mine, n change requests awaiting me, n action items."""
    for _ in range(n):
        project = f.troubled_project(business_pm=me)
        ActionItemFactory(owner=me, project=project, due_date=f.days(-1))
        factories.MembershipFactory(project=project, user=c.eng_director, role="member")
    for _ in range(n):
        cr.assessed(c, by=c.member)  # asked for by someone else: me decides for business


@pytest.mark.parametrize("n", [1, 6])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, n):
    c = cr.cast()
    me = c.biz_pm
    _populate(n, me, c)
    Notification.objects.create(user=me, kind="x", subject="通知")
    client.force_login(me)
    client.get(reverse("home"))  # warm the session
    with django_assert_num_queries(EXPECTED_HOME_QUERIES):
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-change-request="') == n


EXPECTED_HOME_QUERIES = 31  # 24, three for critical tasks in health, one for my tasks, two
# for the payments block (moved by slips, overdue), one for the rotations in progress


def test_approvals_card_alone_for_htmx_refresh(client):
    c = cr.cast()
    request = cr.assessed(c, by=c.member)
    client.force_login(c.biz_pm)
    html = client.get(reverse("dashboard:approvals")).content.decode()
    assert html.lstrip().startswith("<section") and request.number in html


def _pmo_world(n: int):
    from coordination.core.models import AuditEvent

    for k in range(n):
        project = f.troubled_project()
        AuditEvent.objects.create(
            action="project.stage_override",
            target_type="projects.project",
            target_id=str(project.pk),
            project_code=project.code,
            after={"stage": "delivered", "overridden": ["里程碑未全部完成"]},
            reason=f"客户书面确认 {k}",
        )


@pytest.mark.parametrize("n", [1, 4])
def test_pmo_and_executives_see_red_projects_and_waivers_in_constant_queries(
    client, django_assert_num_queries, n
):
    """PMO and executives own no project: their home shows the company's red projects and
    the latest stage waivers (what was waived, why), never an empty 0/0/0/0."""
    _pmo_world(n)
    for viewer, queries in ((factories.pmo_user(), 31), (factories.executive_user(), 27)):
        client.force_login(viewer)
        client.get(reverse("home"))  # warm the session
        with django_assert_num_queries(queries):
            html = client.get(reverse("home")).content.decode()
        assert 'id="company-overview"' in html
        assert html.count('data-block="company-red"') == 1
        assert html.count("客户书面确认") == n and "里程碑未全部完成" in html
        assert "?level=red" in html


def test_a_manager_sees_no_company_overview(client):
    me = factories.business_user()
    _pmo_world(1)
    assert 'id="company-overview"' not in page(client, me)
