"""KPI measures, the list page (constant queries, overdue filter), checklist page and tab."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handover import selectors, services
from handover.models import Handover, HandoverItem
from tests import factories
from tests.handover.factories import handover_for, items, project_with_team

pytestmark = pytest.mark.django_db


def provide_submit_accept_contract(handover):
    """Business provides the contract and the clauses and submits; engineering accepts the
    contract. Returns (contract, clauses) items."""
    project = handover.project
    contract, clauses, _ = items(handover)
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.provide_item(
        contract.pk, by=project.business_pm, file=SimpleUploadedFile("c.pdf", b"%PDF-1.4")
    )
    services.provide_item(clauses.pk, by=project.business_pm, text="条款")
    services.submit_handover(handover.pk, by=project.business_pm)
    services.accept_item(contract.pk, by=project.engineering_pm)
    return contract, clauses


def accept_everything(handover, reject_first: bool = False):
    project = handover.project
    _contract, clauses = provide_submit_accept_contract(handover)
    if reject_first:
        services.reject_item(clauses.pk, by=project.engineering_pm, reason="补充")
        services.provide_item(clauses.pk, by=project.business_pm, text="条款（补充）")
        services.submit_handover(handover.pk, by=project.business_pm)
    services.accept_item(clauses.pk, by=project.engineering_pm)
    handover.refresh_from_db()
    return handover


# ---------------------------------------------------------------- measures
def test_lead_time_is_days_from_signing_to_acceptance():
    project = project_with_team(contract_signed_on=datetime.date(2026, 11, 2))
    handover = accept_everything(handover_for(project))
    accepted = timezone.make_aware(datetime.datetime(2026, 11, 9, 15))
    Handover.objects.filter(pk=handover.pk).update(accepted_at=accepted)
    handover.refresh_from_db()
    assert selectors.lead_time_days(handover) == 7
    assert selectors.measures(Handover.objects.filter(pk=handover.pk)).average_lead_time_days == 7


def test_first_pass_acceptance_and_rejections_per_category():
    clean = accept_everything(handover_for())
    bumpy = accept_everything(handover_for(), reject_first=True)
    m = selectors.measures(Handover.objects.filter(pk__in=[clean.pk, bumpy.pk]))
    assert (m.items_accepted_first_pass, m.items_accepted) == (3, 4)
    assert m.first_pass_rate == 0.75
    assert m.rejections_by_category["customer_requirements"] == 1
    assert m.rejections_by_category["contract"] == 0
    assert m.total_rejections == 1
    assert m.accepted == 2 and m.overdue == 0


def test_a_rejection_lowers_the_first_pass_rate_at_once(client):
    """Right after a rejection the rate is not 100 %: the rejected item counts as reviewed
    (and not first-pass) from the moment it is rejected, and stays so once accepted."""
    handover = handover_for()
    project = handover.project
    _contract, clauses = provide_submit_accept_contract(handover)
    services.reject_item(clauses.pk, by=project.engineering_pm, reason="补充")
    one = Handover.objects.filter(pk=handover.pk)
    m = selectors.measures(one)
    assert (m.items_accepted_first_pass, m.items_reviewed, m.items_accepted) == (1, 2, 1)
    assert m.first_pass_percent == 50.0
    client.force_login(factories.pmo_user())
    body = client.get(f"/handover/{project.code}/").content.decode()
    assert "一次通过率：50.0%" in body and "100.0%" not in body
    # provided again (still not accepted): the rejection still counts
    services.provide_item(clauses.pk, by=project.business_pm, text="条款（补充）")
    assert selectors.measures(one).first_pass_percent == 50.0
    services.submit_handover(handover.pk, by=project.business_pm)
    services.accept_item(clauses.pk, by=project.engineering_pm)
    assert selectors.measures(one).first_pass_percent == 50.0


def test_overdue_is_past_due_and_not_accepted():
    today = datetime.date(2026, 12, 1)
    late = handover_for()
    done = accept_everything(handover_for())
    on_time = handover_for()
    Handover.objects.filter(pk__in=[late.pk, done.pk]).update(due_date=datetime.date(2026, 11, 20))
    Handover.objects.filter(pk=on_time.pk).update(due_date=datetime.date(2026, 12, 5))
    m = selectors.measures(Handover.objects.all(), today=today)
    assert m.overdue == 1
    pmo = factories.pmo_user()
    flagged = {h.pk for h in selectors.handover_list(pmo, overdue=True, today=today)}
    assert flagged == {late.pk}


def test_average_lead_time_over_many_handovers_counts_local_days():
    """Signed → accepted in the local calendar (Asia/Shanghai): accepted at 23:30 local is
    that day; without a signing date the handover's creation day starts the count."""
    signed = project_with_team(contract_signed_on=datetime.date(2026, 11, 2))
    unsigned = project_with_team(contract_signed_on=None)
    a = accept_everything(handover_for(signed))
    b = accept_everything(handover_for(unsigned))
    open_one = handover_for()
    late_evening = timezone.make_aware(datetime.datetime(2026, 11, 10, 23, 30))
    Handover.objects.filter(pk=a.pk).update(accepted_at=late_evening)  # 8 days
    Handover.objects.filter(pk=b.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 11, 3, 0, 10)),
        accepted_at=timezone.make_aware(datetime.datetime(2026, 11, 10, 9)),  # 7 days
    )
    m = selectors.measures(Handover.objects.filter(pk__in=[a.pk, b.pk, open_one.pk]))
    assert (m.handovers, m.accepted) == (3, 2)
    assert m.average_lead_time_days == 7.5


def test_list_pages_keep_the_filters(client):
    pmo = factories.pmo_user()
    client.force_login(pmo)
    for _ in range(27):
        handover_for()
    first = client.get("/handover/?status=draft")
    assert len(first.context["page"].object_list) == 25
    assert first.context["measures"].handovers == 27
    assert 'href="?status=draft&amp;page=2"' in first.content.decode()
    second = client.get("/handover/?status=draft&page=2")
    assert len(second.context["page"].object_list) == 2


def test_measures_use_a_constant_number_of_queries(django_assert_num_queries):
    for _ in range(2):
        accept_everything(handover_for(), reject_first=True)
    with django_assert_num_queries(3):
        selectors.measures(Handover.objects.all())
    for _ in range(3):
        handover_for()
    with django_assert_num_queries(3):
        selectors.measures(Handover.objects.all())


# ---------------------------------------------------------------- list page
def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/handover/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(client):
    pmo = factories.pmo_user()
    client.force_login(pmo)
    for _ in range(2):
        handover_for()
    small = page_queries(client)
    for _ in range(6):
        accept_everything(handover_for(), reject_first=True)
    assert page_queries(client) == small


def test_list_selector_is_one_query(django_assert_num_queries):
    pmo = factories.pmo_user()
    for _ in range(3):
        handover_for()
    pmo.groups.all()  # warm the role cache path the same way each time
    with django_assert_num_queries(2):  # the user's groups + the list
        rows = list(selectors.handover_list(pmo))
    assert len(rows) == 3
    assert all(r.required_total == 2 for r in rows)


def test_list_shows_only_visible_handovers_and_filters_overdue(client):
    mine = handover_for()
    other = handover_for()
    Handover.objects.filter(pk=mine.pk).update(due_date=datetime.date(2020, 1, 6))
    client.force_login(mine.project.business_pm)
    body = client.get("/handover/").content.decode()
    assert mine.project.code in body and other.project.code not in body
    assert "已逾期" in body
    body = client.get("/handover/?overdue=0").content.decode()
    assert mine.project.code not in body
    body = client.get("/handover/?overdue=1").content.decode()
    assert mine.project.code in body


def test_list_requires_login(client):
    response = client.get("/handover/")
    assert response.status_code == 302


# ---------------------------------------------------------------- checklist page and tab
def test_checklist_page_per_side(client):
    handover = handover_for()
    project = handover.project
    client.force_login(project.business_pm)
    body = client.get(f"/handover/{project.code}/").content.decode()
    assert "已签署合同" in body and "提交移交" in body and "接收" not in body.split("<tbody>")[1]
    client.force_login(factories.business_user())
    assert client.get(f"/handover/{project.code}/").status_code == 404
    client.force_login(factories.pmo_user())
    body = client.get(f"/handover/{project.code}/").content.decode()
    assert "已签署合同" in body and "提交移交" not in body


def test_htmx_provide_then_review_from_the_page(client):
    handover = handover_for()
    project = handover.project
    contract, clauses, _ = items(handover)
    client.force_login(project.business_pm)
    response = client.post(
        f"/handover/items/{clauses.pk}/provide/", {"text": "罚则上限"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="handover-checklist"' in response.content.decode()
    assert HandoverItem.objects.get(pk=clauses.pk).status == "provided"

    # a refused upload is a message on the page, not an error page
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/handover/items/{contract.pk}/provide/",
        {"file": SimpleUploadedFile("c.pdf", b"MZ\x90\x00")},
        HTTP_HX_REQUEST="true",
    )
    assert "文件内容与扩展名" in response.content.decode()
    assert HandoverItem.objects.get(pk=contract.pk).status == "pending"

    client.post(
        f"/handover/items/{contract.pk}/provide/",
        {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4")},
    )
    response = client.post(f"/handover/{project.code}/submit/")
    assert response.status_code == 302
    client.force_login(project.engineering_pm)
    client.post(f"/handover/items/{clauses.pk}/reject/", {"reason": "不完整"})
    assert HandoverItem.objects.get(pk=clauses.pk).status == "rejected"
    client.post(f"/handover/items/{contract.pk}/accept/")
    assert HandoverItem.objects.get(pk=contract.pk).status == "accepted"
    file_response = client.get(f"/handover/items/{contract.pk}/file/")
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content).startswith(b"%PDF")


def test_wrong_side_on_the_page_is_a_message_and_changes_nothing(client):
    handover = handover_for()
    clauses = items(handover)[1]
    client.force_login(handover.project.engineering_pm)
    response = client.post(
        f"/handover/items/{clauses.pk}/provide/", {"text": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert HandoverItem.objects.get(pk=clauses.pk).status == "pending"


def test_evidence_file_is_hidden_from_non_members(client):
    handover = handover_for()
    contract = items(handover)[0]
    client.force_login(factories.business_user())
    assert client.get(f"/handover/items/{contract.pk}/file/").status_code == 404
    assert client.post(f"/handover/items/{contract.pk}/accept/").status_code == 404


def test_project_tab_panel_shows_the_measures(client):
    handover = handover_for()
    Handover.objects.filter(pk=handover.pk).update(due_date=datetime.date(2020, 1, 6))
    client.force_login(handover.project.engineering_pm)
    body = client.get(f"/handover/{handover.project.code}/panel/").content.decode()
    assert "0/2" in body and "已逾期" in body


def test_tab_partial_loads_the_panel():
    from django.template.loader import render_to_string

    project = handover_for().project
    html = render_to_string("projects/tabs/handover.html", {"project": project})
    assert f"/handover/{project.code}/panel/" in html


def test_the_reviewer_accepts_every_provided_item_at_once(client):
    """“Accept all” accepts exactly the provided items (each audited, the business side told
    once), accepts the handover when nothing required is left, and is refused to the
    business side and when nothing is provided."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination.core.models import AuditEvent, Notification

    handover = handover_for()
    project = handover.project
    contract, clauses, third = items(handover)
    services.provide_item(
        contract.pk, by=project.business_pm, file=SimpleUploadedFile("c.pdf", b"%PDF-1.4")
    )
    services.provide_item(clauses.pk, by=project.business_pm, text="条款")
    services.submit_handover(handover.pk, by=project.business_pm)
    url = f"/handover/{project.code}/accept-all/"

    client.force_login(project.business_pm)
    client.post(url)
    assert HandoverItem.objects.filter(handover=handover, status="accepted").count() == 0

    client.force_login(project.engineering_pm)
    page = client.get(f"/handover/{project.code}/").content.decode()
    assert "data-accept-all" in page and "全部接收（2 项）" in page
    told = Notification.objects.filter(user=project.business_pm, kind="handover_item.accepted")
    before = told.count()
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    statuses = dict(HandoverItem.objects.filter(handover=handover).values_list("pk", "status"))
    assert statuses[contract.pk] == statuses[clauses.pk] == "accepted"
    assert statuses[third.pk] == third.status
    audited = AuditEvent.objects.filter(action="handover_item.accepted", project_code=project.code)
    assert audited.count() == 2
    assert told.count() == before + 1

    again = client.post(url, follow=True)
    assert "没有待审核的清单项" in again.content.decode()
