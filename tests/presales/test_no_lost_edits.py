"""No lost edits in pre-sales: the feasibility assessment and the quote show a stale second
saver both texts with their input kept; the API answers 412 and changes nothing."""

import pytest

from projects.presales import services as presales
from projects.presales.models import FeasibilityAssessment, Quote
from tests.api.helpers import client_for
from tests.formpage import login, read_form
from tests.presales.factories import AssessmentFactory, QuoteFactory, cast

pytestmark = pytest.mark.django_db
S = FeasibilityAssessment.Status


@pytest.fixture
def c():
    return cast()


@pytest.fixture
def draft(c):
    return AssessmentFactory(
        project=c.project,
        status=S.DRAFT,
        key_risks=[{"title": "进口PLC交期", "probability": 3, "impact": 4}],
    )


def test_the_second_assessor_sees_both_texts_and_keeps_theirs(c, draft):
    url = f"/projects/presales/feasibility/{draft.pk}/edit/"
    first, second = login(c.engineering_pm), login(c.tech_lead)
    first_form = read_form(first.get(url), having="assumptions")
    second_form = read_form(second.get(url), having="assumptions")
    assert first.post(url, {**first_form, "labour_cost": "260000"}).status_code == 302

    page = second.post(url, {**second_form, "assumptions": "现场具备24小时施工条件"})

    assert page.status_code == 409
    draft.refresh_from_db()
    assert (draft.labour_cost, draft.assumptions) == (260000, "")
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["labour_cost"]["saved"] == "260000.00"
    assert rows["assumptions"]["yours"] == "现场具备24小时施工条件"
    assert read_form(page, having="assumptions")["assumptions"] == "现场具备24小时施工条件"


def test_editing_an_assessment_shows_and_keeps_its_key_risks(c, draft):
    url = f"/projects/presales/feasibility/{draft.pk}/edit/"
    client = login(c.engineering_pm)
    form = read_form(client.get(url), having="assumptions")
    assert form["key_risks_text"] == "进口PLC交期 | 3 | 4"

    assert client.post(url, {**form, "assumptions": "双班"}).status_code == 302
    draft.refresh_from_db()
    assert [r["title"] for r in draft.key_risks] == ["进口PLC交期"]


def test_the_second_quoter_sees_the_conflict_even_on_the_first_quote(c):
    url = f"/projects/{c.project.code}/presales/quote/"
    first, second = login(c.business_pm), login(c.business_member)
    blank = {
        "quoted_price": "1000000",
        "currency": "CNY",
        "promised_delivery_date": "2026-12-31",
        "payment_terms": "",
        "notes": "",
        "assessment": "",
    }
    first_form = {**read_form(first.get(url), having="quoted_price"), **blank}
    second_form = {**read_form(second.get(url), having="quoted_price"), **blank}
    assert first.post(url, {**first_form, "payment_terms": "30/60/10"}).status_code == 302

    page = second.post(url, {**second_form, "quoted_price": "1200000", "notes": "含税"})

    assert page.status_code == 409
    quote = Quote.objects.get(is_current=True)
    assert (quote.revision, quote.quoted_price, quote.notes) == (1, 1000000, "")
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["quoted_price"] == {
        "name": "quoted_price",
        "label": "报价金额",
        "yours": "1200000",
        "saved": "1000000.00",
    }
    kept = read_form(page, having="quoted_price")
    assert (kept["quoted_price"], kept["notes"]) == ("1200000", "含税")
    # saving the page again, having read both, makes revision 2 with their numbers
    assert second.post(url, kept).status_code == 302
    assert Quote.objects.get(is_current=True).quoted_price == 1200000


def test_a_return_refused_as_stale_keeps_the_reason(c):
    submitted = AssessmentFactory(
        project=c.project, status=S.SUBMITTED, key_risks=[{"title": "吊装窗口"}]
    )
    director = login(c.director)
    page = director.get(f"/projects/presales/feasibility/{submitted.pk}/")
    form = read_form(page, having="reason")
    presales.copy_risks_to_register(submitted.pk, by=c.engineering_pm)  # a new version

    refused = director.post(
        f"/projects/presales/feasibility/{submitted.pk}/return/",
        {**form, "reason": "人工成本估算偏低，请复核"},
    )

    assert refused.status_code == 409
    assert FeasibilityAssessment.objects.get(pk=submitted.pk).status == S.SUBMITTED
    kept = read_form(refused, having="reason")
    assert kept["reason"] == "人工成本估算偏低，请复核"
    # the page now carries the current version: returning from it works
    assert director.post(f"/projects/presales/feasibility/{submitted.pk}/return/", kept)
    assert FeasibilityAssessment.objects.get(pk=submitted.pk).status == S.RETURNED


def test_the_api_answers_412_to_a_stale_if_match_on_an_assessment(c, draft):
    api = client_for(c.engineering_pm)
    url = f"/api/v1/feasibility/{draft.pk}/"
    etag = api.get(url)["ETag"]
    fresh = api.patch(url, {"assumptions": "双班"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag

    stale = api.patch(url, {"assumptions": "单班"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert api.post(f"{url}submit/", format="json", HTTP_IF_MATCH=etag).status_code == 412
    draft.refresh_from_db()
    assert (draft.assumptions, draft.status) == ("双班", S.DRAFT)


def test_the_api_answers_412_to_a_stale_if_match_on_the_quote(c):
    QuoteFactory(project=c.project, revision=1)
    api = client_for(c.business_pm)
    url = f"/api/v1/projects/{c.project.code}/quote/"
    etag = api.get(url)["ETag"]
    assert etag == '"v1"'
    body = {"quoted_price": "1100000.00", "promised_delivery_date": "2026-12-31"}
    saved = api.put(url, body, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] == '"v2"'

    stale = api.put(url, {**body, "quoted_price": "900000.00"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412 and stale["ETag"] == '"v2"'
    current = Quote.objects.get(project=c.project, is_current=True)
    assert (current.revision, current.quoted_price) == (2, 1100000)
    assert Quote.objects.filter(project=c.project).count() == 2
