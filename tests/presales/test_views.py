"""HTML pages: the same services behind forms and buttons; the tab shows the gap panel."""

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from coordination.core.models import Notification
from projects.presales.models import FeasibilityAssessment, Quote
from tests.presales.factories import AssessmentFactory, QuoteFactory, cast

pytestmark = pytest.mark.django_db
S = FeasibilityAssessment.Status

FORM = {
    "verdict": "feasible",
    "conditions": "",
    "labour_cost": "200000",
    "materials_cost": "300000",
    "equipment_cost": "100000",
    "subcontracting_cost": "100000",
    "contingency_cost": "50000",
    "currency": "CNY",
    "estimated_duration_days": "200",
    "key_risks_text": "进口PLC交期 | 3 | 4\n吊装窗口",
    "assumptions": "",
}


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_engineering_creates_submits_and_director_approves_through_the_pages():
    c = cast()
    eng = browser(c.engineering_pm)
    res = eng.post(f"/projects/{c.project.code}/presales/feasibility/new/", FORM)
    assert res.status_code == 302
    a = FeasibilityAssessment.objects.get()
    assert a.total_cost == 750000 and [r["title"] for r in a.key_risks] == [
        "进口PLC交期",
        "吊装窗口",
    ]
    eng.post(f"/projects/presales/feasibility/{a.pk}/submit/")
    assert Notification.objects.filter(user=c.director, kind="feasibility.submitted").exists()
    page = browser(c.director).get(f"/projects/presales/feasibility/{a.pk}/")
    assert "批准" in page.content.decode()
    browser(c.director).post(f"/projects/presales/feasibility/{a.pk}/approve/")
    a.refresh_from_db()
    assert a.status == S.APPROVED


def test_business_cannot_use_the_assessment_form():
    c = cast()
    res = browser(c.business_pm).post(f"/projects/{c.project.code}/presales/feasibility/new/", FORM)
    assert res.status_code == 302 and not FeasibilityAssessment.objects.exists()


def test_return_from_the_page_needs_a_reason():
    c = cast()
    a = AssessmentFactory(project=c.project, status=S.SUBMITTED)
    browser(c.director).post(f"/projects/presales/feasibility/{a.pk}/return/", {"reason": ""})
    a.refresh_from_db()
    assert a.status == S.SUBMITTED
    browser(c.director).post(f"/projects/presales/feasibility/{a.pk}/return/", {"reason": "补充"})
    a.refresh_from_db()
    assert a.status == S.RETURNED


def test_quote_form_saves_a_revision_and_the_page_shows_the_gap():
    c = cast()
    a = AssessmentFactory(project=c.project, version=1)
    biz = browser(c.business_pm)
    assert biz.get(f"/projects/{c.project.code}/presales/quote/").status_code == 200
    res = biz.post(
        f"/projects/{c.project.code}/presales/quote/",
        {
            "quoted_price": "780000",
            "currency": "CNY",
            "promised_delivery_date": "2026-12-31",
            "payment_terms": "",
            "notes": "",
            "assessment": "",
        },
    )
    assert res.status_code == 302
    assert Quote.objects.get().assessment == a
    html = biz.get(f"/projects/{c.project.code}/presales/").content.decode()
    assert 'data-gap-code="margin_below_floor"' in html


def test_outsider_gets_404():
    c = cast()
    res = browser(c.outsider_biz).get(f"/projects/{c.project.code}/presales/")
    assert res.status_code == 404


def test_tab_partial_renders_the_panel():
    c = cast(is_key_project=True)
    a = AssessmentFactory(project=c.project)
    QuoteFactory(project=c.project, assessment=a, quoted_price="780000")
    request = RequestFactory().get("/")
    request.user = c.business_pm
    html = Template('{% include "projects/tabs/presales.html" %}').render(
        Context({"project": c.project, "request": request, "user": c.business_pm})
    )
    assert 'data-gap-code="margin_below_floor"' in html
    assert "修改报价" in html


def test_panel_view_for_htmx():
    c = cast()
    res = browser(c.engineering_pm).get(f"/projects/{c.project.code}/presales/panel/")
    assert res.status_code == 200
    assert 'data-gap-code="no_approved_assessment"' in res.content.decode()


def test_project_detail_page_includes_the_presales_tab():
    c = cast(is_key_project=True)
    res = browser(c.business_pm).get(f"/projects/{c.project.code}/")
    assert res.status_code == 200
    assert 'data-gap-code="no_approved_assessment"' in res.content.decode()
