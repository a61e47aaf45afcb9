"""HTML pages: tab panel, list, create/edit, assess, decision buttons, inbox, admin."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from tests import factories
from tests.changes import factories as f

pytestmark = pytest.mark.django_db
S = ChangeRequest.Status


@pytest.fixture
def c():
    return f.cast()


def client(user) -> Client:
    cl = Client()
    cl.force_login(user)
    return cl


def test_project_tab_loads_the_panel(c):
    f.draft(c)
    page = client(c.biz_pm).get(reverse("projects:detail", args=[c.project.code]))
    assert page.status_code == 200
    assert reverse("changes:panel", args=[c.project.code]) in page.content.decode()
    panel = client(c.biz_pm).get(reverse("changes:panel", args=[c.project.code]))
    assert panel.status_code == 200 and "CR-001" in panel.content.decode()
    full = client(c.biz_pm).get(reverse("changes:project", args=[c.project.code]))
    assert full.status_code == 200 and "CR-001" in full.content.decode()


def test_outsider_gets_404(c):
    cr = f.draft(c)
    outsider = client(factories.business_user())
    assert outsider.get(reverse("changes:panel", args=[c.project.code])).status_code == 404
    assert outsider.get(reverse("changes:detail", args=[cr.pk])).status_code == 404
    assert outsider.post(reverse("changes:act", args=[cr.pk, "submit"])).status_code == 404
    anon = Client().get(reverse("changes:inbox"))
    assert anon.status_code == 302


def test_create_edit_submit_through_the_forms(c):
    cl = client(c.biz_pm)
    url = reverse("changes:create", args=[c.project.code])
    assert cl.get(url).status_code == 200
    bad = cl.post(url, {"title": "", "origin": "customer", "cost_impact": "x"})
    assert bad.status_code == 200 and not ChangeRequest.objects.exists()
    r = cl.post(
        url,
        {
            "title": "加装遮阳棚",
            "origin": "customer",
            "description": "",
            "cost_impact": "12000",
            "currency": "CNY",
            "schedule_impact_days": "3",
            "affected_milestones": [c.milestone.pk],
            "scope_impact": "",
        },
    )
    cr = ChangeRequest.objects.get()
    assert r.status_code == 302 and r.url == reverse("changes:detail", args=[cr.pk])
    assert list(cr.affected_milestones.all()) == [c.milestone]
    edit = reverse("changes:edit", args=[cr.pk])
    cl.post(
        edit,
        {
            "title": "加装遮阳棚（修订）",
            "origin": "customer",
            "cost_impact": "12000",
            "currency": "CNY",
            "schedule_impact_days": "4",
        },
    )
    cr.refresh_from_db()
    assert (cr.title, cr.schedule_impact_days) == ("加装遮阳棚（修订）", 4)
    cl.post(reverse("changes:act", args=[cr.pk, "submit"]))
    cr.refresh_from_db()
    assert cr.status == S.SUBMITTED


def test_assess_and_decide_through_the_pages(c):
    cr = f.submitted(c)
    detail = client(c.eng_pm).get(reverse("changes:detail", args=[cr.pk])).content.decode()
    assert reverse("changes:assess", args=[cr.pk]) in detail
    client(c.eng_pm).post(
        reverse("changes:assess", args=[cr.pk]),
        {"effort_days": "4", "assessment_risks": "夜间施工", "schedule_impact_days": "14"},
    )
    cr.refresh_from_db()
    assert cr.status == S.ASSESSED
    page = client(c.biz_lead).get(reverse("changes:detail", args=[cr.pk])).content.decode()
    assert reverse("changes:act", args=[cr.pk, "approve"]) in page
    # the requester sees why there is no decision for them
    mine = client(c.biz_pm).get(reverse("changes:detail", args=[cr.pk])).content.decode()
    assert reverse("changes:act", args=[cr.pk, "approve"]) not in mine
    assert "data-requester-barred" in mine
    # PMO sees the page but gets no decision buttons, and a POST is refused with a message
    pmo_page = client(c.pmo).get(reverse("changes:detail", args=[cr.pk])).content.decode()
    assert reverse("changes:act", args=[cr.pk, "approve"]) not in pmo_page
    r = client(c.pmo).post(reverse("changes:act", args=[cr.pk, "approve"]), follow=True)
    assert r.status_code == 200 and "PMO" in r.content.decode()
    client(c.biz_lead).post(reverse("changes:act", args=[cr.pk, "approve"]), {"comment": "可以"})
    client(c.eng_pm).post(reverse("changes:act", args=[cr.pk, "approve"]))
    cr.refresh_from_db()
    assert cr.status == S.APPROVED
    page = client(c.biz_pm).get(reverse("changes:detail", args=[cr.pk])).content.decode()
    assert "2026-07-30" in page  # milestone history: new forecast, 14 working days later
    client(c.biz_pm).post(reverse("changes:act", args=[cr.pk, "implement"]))
    cr.refresh_from_db()
    assert cr.status == S.IMPLEMENTED
    assert client(c.biz_pm).post(reverse("changes:act", args=[cr.pk, "nope"])).status_code == 404


def test_reject_and_withdraw_buttons(c):
    cr = f.assessed(c)
    r = client(c.biz_lead).post(reverse("changes:act", args=[cr.pk, "reject"]), follow=True)
    assert "驳回时请填写意见" in r.content.decode()
    client(c.biz_lead).post(reverse("changes:act", args=[cr.pk, "reject"]), {"comment": "不同意"})
    cr.refresh_from_db()
    assert cr.status == S.REJECTED
    other = f.assessed(c)
    client(c.biz_pm).post(reverse("changes:act", args=[other.pk, "withdraw"]))
    other.refresh_from_db()
    assert other.status == S.WITHDRAWN


def test_inbox_lists_what_waits_for_me(c):
    to_decide = f.assessed(c)
    to_assess = f.submitted(c)
    page = client(c.biz_lead).get(reverse("changes:inbox")).content.decode()
    assert to_decide.number in page and 'data-awaiting="decision"' in page
    page = client(c.biz_pm).get(reverse("changes:inbox")).content.decode()
    assert 'data-awaiting="decision"' not in page  # the requester
    page = client(c.eng_pm).get(reverse("changes:inbox")).content.decode()
    assert 'data-awaiting="assessment"' in page and to_assess.number in page
    changes.approve_change_request(to_decide.pk, by=c.biz_lead)
    page = client(c.biz_lead).get(reverse("changes:inbox")).content.decode()
    assert 'data-awaiting="decision"' not in page


def _queries(cl, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert cl.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_panel_and_inbox_queries_are_constant(c):
    cl = client(c.eng_pm)
    panel = reverse("changes:panel", args=[c.project.code])
    inbox = reverse("changes:inbox")

    def add(n):
        for _ in range(n):
            cr = f.assessed(c)
            changes.approve_change_request(cr.pk, by=c.biz_lead)
            f.submitted(c)

    add(1)
    few = (_queries(cl, panel), _queries(cl, inbox))
    add(5)
    assert (_queries(cl, panel), _queries(cl, inbox)) == few


def test_admin_is_read_only(c, admin_client):
    cr = f.approved(c)
    assert admin_client.get("/admin/projects/changerequest/").status_code == 200
    page = admin_client.get(f"/admin/projects/changerequest/{cr.pk}/change/")
    assert page.status_code == 200 and cr.number in page.content.decode()
    assert admin_client.get("/admin/projects/changerequest/add/").status_code == 403
    assert admin_client.get("/admin/projects/changedecision/").status_code == 200
    assert admin_client.get("/admin/projects/milestonechange/").status_code == 200
    r = admin_client.post(f"/admin/projects/changerequest/{cr.pk}/change/", {"title": "x"})
    assert r.status_code in (302, 403)
    cr.refresh_from_db()
    assert cr.title != "x"
