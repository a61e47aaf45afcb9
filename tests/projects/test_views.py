"""The server-rendered project pages, as a signed-in user sees them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.core.models import AuditEvent, Notification
from projects.core.models import Milestone, Project, Risk, Stage, StageTransition
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


# ---------------------------------------------------------------- login, home, language
def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "vendor/bootstrap/css/bootstrap.min.css" in html


def test_login_works_and_lands_on_home(client):
    factories.business_user(username="alice")
    response = client.post(
        reverse("login"), {"username": "alice", "password": "pw-12345-secret"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "alice"


def test_wrong_password_shows_error(client):
    factories.business_user(username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


@pytest.mark.parametrize(
    "url", ["/", "/projects/", "/projects/new/", "/projects/PRJ-2026-9999/", "/profile/"]
)
def test_anonymous_is_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_is_a_post_form(client):
    user = factories.business_user()
    html = signed_in(client, user).get("/").content.decode()
    assert f'action="{reverse("logout")}"' in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_home_lists_my_projects_and_unread_notifications(client):
    me = factories.business_user()
    mine = factories.ProjectFactory(business_pm=me, name="我的项目甲")
    member_of = factories.ProjectFactory(name="我参与的项目")
    factories.MembershipFactory(project=member_of, user=me)
    factories.ProjectFactory(name="别人的项目")
    Notification.objects.create(user=me, kind="x", subject="请审批移交单")
    Notification.objects.create(
        user=me, kind="x", subject="已读的通知", read_at=datetime.datetime.now(datetime.UTC)
    )

    html = signed_in(client, me).get("/").content.decode()

    assert mine.name in html and member_of.name in html
    assert "别人的项目" not in html
    assert "请审批移交单" in html and "已读的通知" not in html


def test_navbar_hides_admin_from_non_staff_and_shows_it_to_pmo(client):
    html = signed_in(client, factories.business_user()).get("/").content.decode()
    assert reverse("admin:index") not in html
    html = signed_in(client, factories.pmo_user(is_staff=True)).get("/").content.decode()
    assert reverse("admin:index") in html


def test_body_sends_csrf_token_to_htmx(client):
    html = signed_in(client, factories.business_user()).get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "vendor/htmx/htmx.min.js" in html


def test_language_switch_to_english_changes_html_lang(client):
    signed_in(client, factories.business_user())
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_profile_saves_channels_and_switches_language(client):
    me = factories.business_user()
    signed_in(client, me)
    response = client.post(
        reverse("profile"),
        {
            "title": "区域经理",
            "phone": "13800000000",
            "language": "en",
            "notify_email": "on",
            "notify_chat": "on",
            "chat_webhook_url": "https://chat.example.com/hook/1",
        },
    )
    assert response.status_code == 302
    me.profile.refresh_from_db()
    assert (me.profile.title, me.profile.language, me.profile.notify_chat) == (
        "区域经理",
        "en",
        True,
    )
    assert me.profile.notify_inapp is False
    assert '<html lang="en">' in client.get("/").content.decode()


def test_profile_chat_channel_needs_a_webhook(client):
    me = factories.business_user()
    response = signed_in(client, me).post(
        reverse("profile"), {"language": "zh-hans", "notify_chat": "on", "chat_webhook_url": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["chat_webhook_url"]


# ---------------------------------------------------------------- project list
def test_list_filters_and_search(client, pmo):
    customer = factories.CustomerFactory(name="华东电网")
    a = factories.ProjectFactory(name="变电站改造", customer=customer, is_key_project=True)
    b = factories.ProjectFactory(name="办公楼装修", stage=Stage.EXECUTION)
    c = factories.ProjectFactory(name="仓库扩建", primary_owner="engineering")
    signed_in(client, pmo)

    def codes(**params):
        response = client.get(reverse("projects:list"), params)
        assert response.status_code == 200
        return {p.code for p in response.context["page"].object_list}

    assert codes() == {a.code, b.code, c.code}
    assert codes(stage="execution") == {b.code}
    assert codes(customer=customer.pk) == {a.code}
    assert codes(key="1") == {a.code}
    assert codes(business_pm=b.business_pm.pk) == {b.code}
    assert codes(engineering_pm=c.engineering_pm.pk) == {c.code}
    assert codes(primary_owner="engineering") == {c.code}
    assert codes(q="华东") == {a.code}
    assert codes(q=b.code) == {b.code}
    assert codes(q="仓库") == {c.code}


def test_list_shows_only_visible_projects(client):
    me = factories.engineering_user()
    mine = factories.ProjectFactory(engineering_pm=me)
    factories.ProjectFactory()
    response = signed_in(client, me).get(reverse("projects:list"))
    assert [p.code for p in response.context["page"].object_list] == [mine.code]


def test_list_paginates(client, pmo):
    factories.ProjectFactory.create_batch(30)
    signed_in(client, pmo)
    first = client.get(reverse("projects:list"))
    second = client.get(reverse("projects:list"), {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5


def test_list_query_count_is_constant(client, django_assert_num_queries):
    me = factories.business_user()
    signed_in(client, me)

    def make(n):
        for _ in range(n):
            project = factories.ProjectFactory()
            factories.MembershipFactory(project=project, user=me)

    make(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("projects:list")).status_code == 200
    make(15)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("projects:list"))
    assert response.context["page"].paginator.count == 17


def test_long_filter_lists_become_text_searches(client, pmo, monkeypatch):
    """Past CHOICE_LIMIT options the customer and PM filters are typed, not picked: the page
    stays small at 100,000 projects and a search still finds the same projects."""
    import coordination.core.forms

    customer = factories.CustomerFactory(name="华东电网", erp_id="C-EAST-7")
    a = factories.ProjectFactory(customer=customer)
    b = factories.ProjectFactory()
    b.business_pm.first_name = "Wei"
    b.business_pm.save()
    signed_in(client, pmo)

    def get(**params):
        response = client.get(reverse("projects:list"), params)
        assert response.status_code == 200
        return response

    with CaptureQueriesContext(connection) as as_choices:
        html = get().content.decode()
    assert f'<option value="{customer.pk}">华东电网</option>' in html

    monkeypatch.setattr(coordination.core.forms, "CHOICE_LIMIT", 1)
    with CaptureQueriesContext(connection) as as_searches:
        html = get().content.decode()
    assert len(as_searches.captured_queries) == len(as_choices.captured_queries)
    assert "<option" not in html.split('name="customer"')[1].split("</div>")[0]
    assert 'type="search" name="customer"' in html

    def codes(**params):
        return {p.code for p in get(**params).context["page"].object_list}

    assert codes(customer="东电") == {a.code}
    assert codes(customer="c-east") == {a.code}
    assert codes(business_pm="wei") == {b.code}
    assert codes(engineering_pm=a.engineering_pm.username) == {a.code}
    assert codes(customer="   ") == {a.code, b.code}
    assert codes(customer="nobody-has-this") == set()


# ---------------------------------------------------------------- detail
def test_detail_visibility(client):
    project = factories.ProjectFactory()
    member = factories.engineering_user()
    factories.MembershipFactory(project=project, user=member)
    url = reverse("projects:detail", args=[project.code])

    assert signed_in(client, factories.business_user()).get(url).status_code == 404
    assert signed_in(client, member).get(url).status_code == 200
    assert signed_in(client, project.business_pm).get(url).status_code == 200
    assert signed_in(client, factories.pmo_user()).get(url).status_code == 200
    assert signed_in(client, factories.executive_user()).get(url).status_code == 200


def test_detail_shows_header_timeline_milestones_risks_and_tabs(client, pmo):
    project = factories.ProjectFactory(stage=Stage.EXECUTION, is_key_project=True)
    factories.MilestoneFactory(
        project=project,
        name="设备到场",
        baseline_date=datetime.date(2026, 6, 1),
        forecast_date=datetime.date(2026, 6, 11),
    )
    factories.RiskFactory(project=project, title="钢材涨价", probability=4, impact=5)
    response = signed_in(client, pmo).get(reverse("projects:detail", args=[project.code]))
    html = response.content.decode()

    assert project.code in html and project.customer.name in html
    assert "重点项目" in html
    assert 'aria-current="step"' in html
    assert [s["state"] for s in response.context["timeline"]] == [
        "done",
        "done",
        "done",
        "done",
        "current",
        "next",
        "todo",
    ]
    assert "里程碑未完成：设备到场" in html  # unmet condition of the next stage
    assert "+10" in html  # slip days
    assert "钢材涨价" in html and ">20<" in html  # risk score
    for tab in ["presales", "handover", "kickoff", "changes", "reviews", "risks", "kpis"]:
        assert f'id="pane-{tab}"' in html


def test_history_tab_lists_transitions_and_points_to_the_readable_trail(client, pmo):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    signed_in(client, pmo).post(
        reverse("projects:transition", args=[project.code]), {"to": "on_hold", "reason": "客户缓建"}
    )
    html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert "客户缓建" in html
    # the audit trail is told in the activity stream, never as raw codes (#20)
    assert "project.stage_changed" not in html and "stage=" not in html


# ---------------------------------------------------------------- transitions
def test_refused_transition_lists_unmet_conditions(client):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    factories.MilestoneFactory(project=project, name="竣工验收")
    signed_in(client, project.business_pm)
    response = client.post(
        reverse("projects:transition", args=[project.code]), {"to": "delivered"}, follow=True
    )
    html = response.content.decode()
    assert "未满足的条件" in html and "里程碑未完成：竣工验收" in html
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION


def test_successful_transition(client):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    factories.MilestoneFactory(
        project=project, status=Milestone.Status.DONE, actual_date=datetime.date(2026, 6, 30)
    )
    signed_in(client, project.engineering_pm)
    response = client.post(
        reverse("projects:transition", args=[project.code]), {"to": "delivered"}, follow=True
    )
    project.refresh_from_db()
    assert project.stage == Stage.DELIVERED
    assert "已交付" in response.content.decode()
    assert StageTransition.objects.filter(project=project, to_stage="delivered").exists()


def test_hold_needs_a_reason_then_resume(client):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    url = reverse("projects:transition", args=[project.code])
    signed_in(client, project.business_pm)

    client.post(url, {"to": "on_hold", "reason": ""})
    project.refresh_from_db()
    assert project.stage == Stage.KICKOFF

    client.post(url, {"to": "on_hold", "reason": "等待图纸"})
    project.refresh_from_db()
    assert project.stage == Stage.ON_HOLD
    html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert 'value="kickoff"' in html  # the resume button

    client.post(url, {"to": "kickoff", "reason": "图纸到位"})
    project.refresh_from_db()
    assert project.stage == Stage.KICKOFF


def test_transition_by_plain_member_is_forbidden(client):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    member = factories.engineering_user()
    factories.MembershipFactory(project=project, user=member, role="member")
    response = signed_in(client, member).post(
        reverse("projects:transition", args=[project.code]), {"to": "on_hold", "reason": "x"}
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.stage == Stage.KICKOFF


def test_transition_of_invisible_project_is_404(client):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    response = signed_in(client, factories.business_user()).post(
        reverse("projects:transition", args=[project.code]), {"to": "on_hold", "reason": "x"}
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- create and edit
def project_form_data(project=None, **overrides):
    customer = project.customer if project else factories.CustomerFactory()
    data = {
        "name": "新建风电场",
        "customer": customer.pk,
        "business_pm": (project.business_pm if project else factories.business_user()).pk,
        "engineering_pm": (project.engineering_pm if project else factories.engineering_user()).pk,
        "primary_owner": "business",
        "contract_value": "2500000.00",
        "currency": "CNY",
        "planned_start": "2026-03-01",
        "planned_end": "2026-12-31",
    }
    if project is not None:
        data.update(
            contract_value=str(project.contract_value),
            planned_start=project.planned_start.isoformat(),
            forecast_end=project.forecast_end.isoformat(),
        )
    data.update(overrides)
    return data


def test_create_project_through_the_form(client):
    creator = factories.business_user()
    signed_in(client, creator)
    assert client.get(reverse("projects:create")).status_code == 200
    response = client.post(reverse("projects:create"), project_form_data())
    project = Project.objects.get(name="新建风电场")
    assert response["Location"] == reverse("projects:detail", args=[project.code])
    assert project.code.startswith("PRJ-")
    assert project.forecast_end == datetime.date(2026, 12, 31)
    assert AuditEvent.objects.filter(action="project.created", project_code=project.code).exists()


def test_create_form_shows_service_validation_errors(client):
    signed_in(client, factories.business_user())
    response = client.post(
        reverse("projects:create"),
        project_form_data(planned_start="2026-12-31", planned_end="2026-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Project.objects.filter(name="新建风电场").exists()


def test_engineering_cannot_create_projects(client):
    signed_in(client, factories.engineering_user())
    assert client.get(reverse("projects:create")).status_code == 403


def test_edit_project_through_the_form(client):
    project = factories.ProjectFactory()
    signed_in(client, project.business_pm)
    url = reverse("projects:edit", args=[project.code])
    assert client.get(url).status_code == 200
    response = client.post(url, project_form_data(project, name="改名后的项目"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "改名后的项目"
    event = AuditEvent.objects.get(action="project.updated", project_code=project.code)
    assert event.after == {"name": "改名后的项目"}


def test_long_choice_lists_are_typed_on_the_project_form(client, monkeypatch):
    """Past CHOICE_LIMIT options the customer and PMs are typed: the customer by ERP id or
    exact name, the PMs by username. An edit shows the current values and changes only what
    was changed; an unknown value is a form error that saves nothing."""
    import coordination.core.forms

    monkeypatch.setattr(coordination.core.forms, "CHOICE_LIMIT", 1)
    project = factories.ProjectFactory()
    project.customer.erp_id = "C-0042"
    project.customer.save()
    other = factories.CustomerFactory(name="华北电网", erp_id=None)
    factories.business_user(), factories.engineering_user()  # past the limit for each PM role
    signed_in(client, project.business_pm)
    url = reverse("projects:edit", args=[project.code])
    html = client.get(url).content.decode()
    assert 'name="customer" value="C-0042"' in html
    assert f'name="business_pm" value="{project.business_pm.username}"' in html

    typed = {
        "name": "改名",
        "customer": "C-0042",
        "business_pm": project.business_pm.username,
        "engineering_pm": project.engineering_pm.username,
    }
    response = client.post(url, project_form_data(project, **typed))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="project.updated", project_code=project.code)
    assert event.after == {"name": "改名"}

    response = client.post(url, project_form_data(project, **{**typed, "customer": "华北电网"}))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.customer == other

    response = client.post(url, project_form_data(project, **{**typed, "business_pm": "nobody"}))
    assert response.status_code == 200
    assert "没有找到“nobody”" in response.context["form"].errors["business_pm"][0]
    project.refresh_from_db()
    assert project.customer == other and project.name == "改名"


def test_edit_by_plain_member_is_forbidden(client):
    project = factories.ProjectFactory()
    member = factories.engineering_user()
    factories.MembershipFactory(project=project, user=member)
    assert (
        signed_in(client, member).get(reverse("projects:edit", args=[project.code])).status_code
        == 403
    )


def test_add_and_edit_milestone(client):
    project = factories.ProjectFactory()
    signed_in(client, project.engineering_pm)
    response = client.post(
        reverse("projects:milestone_create", args=[project.code]),
        {
            "name": "主体完工",
            "owner_department": "engineering",
            "baseline_date": "2026-09-30",
            "status": "planned",
            "sequence": 1,
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=project, name="主体完工")
    assert milestone.forecast_date == datetime.date(2026, 9, 30)

    response = client.post(
        reverse("projects:milestone_edit", args=[project.code, milestone.pk]),
        {
            "name": "主体完工",
            "owner_department": "engineering",
            "baseline_date": "2026-09-30",
            "forecast_date": "2026-10-15",
            "status": "in_progress",
            "sequence": 1,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.forecast_date == datetime.date(2026, 10, 15)
    assert milestone.slip_days == 15


def test_committed_milestone_baseline_cannot_move(client):
    milestone = factories.MilestoneFactory(is_committed=True)
    project = milestone.project
    signed_in(client, project.engineering_pm)
    response = client.post(
        reverse("projects:milestone_edit", args=[project.code, milestone.pk]),
        {
            "name": milestone.name,
            "owner_department": "engineering",
            "baseline_date": "2026-12-01",
            "forecast_date": "2026-12-01",
            "status": "planned",
            "is_committed": "on",
            "sequence": 0,
        },
    )
    assert response.status_code == 200
    assert "变更申请" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.baseline_date == datetime.date(2026, 6, 30)


def test_add_and_edit_risk(client):
    project = factories.ProjectFactory()
    signed_in(client, project.business_pm)
    data = {
        "title": "劳务紧缺",
        "category": "labour_shortage",
        "probability": 4,
        "impact": 3,
        "owner_department": "engineering",
        "status": "open",
    }
    assert (
        client.post(reverse("projects:risk_create", args=[project.code]), data).status_code == 302
    )
    risk = Risk.objects.get(project=project, title="劳务紧缺")
    data.update(status="mitigating", mitigation="提前锁定劳务分包")
    assert (
        client.post(reverse("projects:risk_edit", args=[project.code, risk.pk]), data).status_code
        == 302
    )
    risk.refresh_from_db()
    assert risk.status == "mitigating"


def test_plan_forms_of_someone_elses_project_are_404(client):
    risk = factories.RiskFactory()
    signed_in(client, factories.business_user())
    url = reverse("projects:risk_edit", args=[risk.project.code, risk.pk])
    assert client.get(url).status_code == 404


@pytest.fixture
def soft_gate(monkeypatch):
    """An overridable gate on kickoff → execution, for the PMO override path."""
    from projects.core import stages

    gate = stages.Gate(lambda project: ["联合启动会纪要未签署"], True)
    monkeypatch.setitem(stages._gates, (Stage.KICKOFF, Stage.EXECUTION), [gate])


def test_pmo_sees_override_and_passes_a_soft_gate_with_a_reason(client, soft_gate):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    pmo = factories.pmo_user()
    signed_in(client, pmo)
    url = reverse("projects:transition", args=[project.code])

    html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert 'name="override"' in html and "联合启动会纪要未签署" in html

    client.post(url, {"to": "execution", "override": "1", "reason": ""})
    project.refresh_from_db()
    assert project.stage == Stage.KICKOFF  # an override needs a reason

    client.post(url, {"to": "execution", "override": "1", "reason": "客户书面确认"})
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION
    log = StageTransition.objects.get(project=project, to_stage="execution")
    assert log.overridden == ["联合启动会纪要未签署"]


def test_pm_gets_no_override_and_is_refused_by_a_soft_gate(client, soft_gate):
    project = factories.ProjectFactory(stage=Stage.KICKOFF)
    signed_in(client, project.business_pm)
    html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert 'name="override"' not in html
    response = client.post(
        reverse("projects:transition", args=[project.code]),
        {"to": "execution", "override": "1", "reason": "想跳过"},
        follow=True,
    )
    assert "联合启动会纪要未签署" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.KICKOFF


def test_mark_notification_read_with_htmx_and_plain_post(client):
    me = factories.business_user()
    first = Notification.objects.create(user=me, kind="x", subject="甲")
    second = Notification.objects.create(user=me, kind="x", subject="乙")
    theirs = Notification.objects.create(user=factories.business_user(), kind="x", subject="丙")
    signed_in(client, me)

    response = client.post(reverse("notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    # the list item is swapped away (nothing in the main content); the heading's unread count
    # comes back out of band with its announcement
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="heading-unread" hx-swap-oob="true"' in html
    assert ">1</span>" in html and "还有 1 条未读通知。" in html
    response = client.post(reverse("notification_read", args=[theirs.pk]))
    assert response.status_code == 302
    client.post(reverse("notifications_read_all"))

    first.refresh_from_db(), second.refresh_from_db(), theirs.refresh_from_db()
    assert first.read_at and second.read_at
    assert theirs.read_at is None


def test_mark_read_does_not_redirect_off_site(client):
    me = factories.business_user()
    note = Notification.objects.create(user=me, kind="x", subject="甲")
    response = signed_in(client, me).post(
        reverse("notification_read", args=[note.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("home")


def test_filter_choices_only_name_visible_customers(client):
    me = factories.engineering_user()
    factories.ProjectFactory(engineering_pm=me, customer=factories.CustomerFactory(name="可见客户"))
    factories.ProjectFactory(customer=factories.CustomerFactory(name="保密客户"))
    html = signed_in(client, me).get(reverse("projects:list")).content.decode()
    assert "可见客户" in html and "保密客户" not in html


def test_an_invalid_filter_value_is_shown_beside_its_field_and_the_typed_text_stays(client):
    me = factories.engineering_user()
    factories.ProjectFactory(engineering_pm=me, name="风电场一期")
    html = (
        signed_in(client, me)
        .get(reverse("projects:list"), {"q": "风电", "stage": "no-such-stage"})
        .content.decode()
    )
    # the stage select is marked invalid and described by its message, next to it
    assert re.search(r'<select name="stage"[^>]*aria-invalid="true"', html), html
    assert re.search(r'<select name="stage"[^>]*aria-describedby="id_stage_error"', html)
    assert re.search(r'id="id_stage_error"[^>]*>.*?no-such-stage', html, re.S)
    assert html.count('aria-invalid="true"') == 1  # only the invalid field
    # what the user typed in the search box stays
    assert re.search(r'<input[^>]*name="q"[^>]*value="风电"', html)
