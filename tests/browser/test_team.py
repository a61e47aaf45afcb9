"""The held-back walk in the UI alone (issue #17): a business PM creates a key project, adds
the team on the project page, the engineering PM writes the feasibility assessment and the
engineering director approves it: no PMO, no admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coordination.core.models import Notification
from projects.core.models import Project, ProjectMembership
from projects.presales.models import FeasibilityAssessment
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_business_pm_builds_the_team_and_the_director_approves_the_assessment(
    live_server, page, login, shot
):
    biz_pm = factories.business_user(username="w_biz_pm", first_name="伟", last_name="李")
    eng_pm = factories.engineering_user(username="w_eng_pm", first_name="强", last_name="赵")
    director = factories.engineering_user(username="w_director", first_name="建华", last_name="刘")
    tech = factories.engineering_user(username="w_tech", first_name="磊", last_name="吴")
    factories.finance_user(username="w_finance")
    factories.executive_user(username="w_exec")
    customer = factories.CustomerFactory(name="华东智能制造有限公司")

    # 1. the business PM creates a key project; the PM pickers offer only fitting people
    login(page, biz_pm)
    page.goto(f"{live_server.url}/projects/new/")
    page.locator("[name=name]").fill("华东智能工厂MES升级")
    page.locator("select[name=customer]").select_option(str(customer.pk))
    business_options = page.locator("select[name=business_pm] option").all_inner_texts()
    assert not any("w_finance" in o or "w_exec" in o or "w_eng_pm" in o for o in business_options)
    page.locator("select[name=business_pm]").select_option(str(biz_pm.pk))
    page.locator("select[name=engineering_pm]").select_option(str(eng_pm.pk))
    page.locator("[name=is_key_project]").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已创建")
    project = Project.objects.get(name="华东智能工厂MES升级")
    assert project.is_key_project

    # 2. the team tab: add the engineering director and the tech lead without a reload
    page.evaluate("window.__sameDocument = true")
    page.locator("#tab-team").click()
    panel = page.locator("#members-panel")
    expect(panel.locator('[data-member="w_biz_pm"]')).to_be_visible()
    picker_options = panel.locator("select[name=user] option").all_inner_texts()
    assert not any("w_exec" in o for o in picker_options)
    for person, role in [(director, "engineering_director"), (tech, "tech_lead")]:
        panel.locator("select[name=user]").select_option(str(person.pk))
        panel.locator("select[name=role]").select_option(role)
        panel.get_by_role("button", name="添加成员").click()
        expect(
            page.locator(f'#members-panel [data-member="{person.username}"][data-role="{role}"]')
        ).to_be_visible()
    # a person of the wrong department is refused on the field, nothing is added
    panel = page.locator("#members-panel")
    panel.locator("select[name=user]").select_option(str(tech.pk))
    panel.locator("select[name=role]").select_option("finance_rep")
    panel.get_by_role("button", name="添加成员").click()
    expect(page.locator("#members-panel .invalid-feedback")).to_contain_text("财务部")
    assert page.evaluate("window.__sameDocument") is True
    assert ProjectMembership.objects.filter(project=project).count() == 2
    assert Notification.objects.filter(user=director, kind="project.member_added").exists()
    shot(page, "1-team")

    # 3. the engineering PM writes the feasibility assessment and submits it
    page.context.clear_cookies()
    login(page, eng_pm)
    page.goto(f"{live_server.url}/projects/{project.code}/presales/feasibility/new/")
    page.locator("select[name=verdict]").select_option("feasible")
    for name, value in [
        ("labour_cost", "200000"),
        ("materials_cost", "300000"),
        ("equipment_cost", "100000"),
        ("subcontracting_cost", "100000"),
        ("contingency_cost", "50000"),
        ("estimated_duration_days", "200"),
    ]:
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name=re.compile("保存")).click()
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    assessment = FeasibilityAssessment.objects.get(project=project)
    assert assessment.status == "submitted"

    # 4. the engineering director sees it in the inbox and approves it
    page.context.clear_cookies()
    login(page, director)
    note = Notification.objects.filter(user=director, kind="feasibility.submitted").first()
    assert note is not None
    page.goto(f"{live_server.url}/projects/presales/feasibility/{assessment.pk}/")
    page.get_by_role("button", name="批准").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    shot(page, "2-approved")
