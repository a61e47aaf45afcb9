"""The payments tab, its forms and buttons, and the home dashboard's block for both PMs; the
panel and the block read a fixed number of queries whatever the number of payments."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.core import services as core_services
from projects.core.models import Stage
from projects.payments.models import PaymentMilestone
from tests import factories
from tests.payments.factories import PaymentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(db):
    return factories.ProjectFactory(stage=Stage.EXECUTION, contract_value=Decimal("1000000"))


@pytest.fixture
def milestone(project):
    return factories.MilestoneFactory(
        project=project, name="设备到货验收", baseline_date=datetime.date(2026, 9, 30)
    )


def test_the_project_page_has_the_tab_and_the_panel_shows_a_slip(client, project, milestone):
    payment = PaymentFactory(project=project, milestone=milestone, amount=Decimal("300000"))
    core_services.update_milestone(
        milestone.pk, by=project.engineering_pm, data={"forecast_date": datetime.date(2026, 10, 9)}
    )
    client.force_login(project.business_pm)
    page = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert 'id="pane-payments"' in page and reverse("payments:panel", args=[project.code]) in page
    panel = client.get(reverse("payments:panel", args=[project.code]), **HTMX)
    html = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in html
    assert payment.name in html and "300,000.00 CNY" in html
    assert "因里程碑“设备到货验收”延误推迟 9 天" in html
    assert 'class="table-responsive"' in html
    full = client.get(reverse("payments:panel", args=[project.code]))
    assert "<html" in full.content.decode()


def test_create_edit_invoice_receive_and_delete_through_the_pages(client, project, milestone):
    client.force_login(project.business_pm)
    url = reverse("payments:create", args=[project.code])
    assert client.get(url).status_code == 200
    body = {
        "name": "到货款",
        "milestone": milestone.pk,
        "amount": "300000",
        "due_condition": "acceptance",
        "days_after": "30",
        "fixed_date": "",
        "notes": "",
    }
    too_much = client.post(url, {**body, "amount": "1500000"})
    assert too_much.status_code == 200 and "1,500,000.00" in too_much.content.decode()
    assert not PaymentMilestone.objects.exists()
    response = client.post(url, body)
    assert response.status_code == 302
    payment = PaymentMilestone.objects.get()
    assert payment.due_date == datetime.date(2026, 10, 30)
    edit = reverse("payments:edit", args=[payment.pk])
    response = client.post(edit, {**body, "name": "到货款 30%", "_version": "1"})
    assert response.status_code == 302
    today = timezone.localdate().isoformat()
    client.post(reverse("payments:invoiced", args=[payment.pk]), {"on": today})
    client.post(reverse("payments:received", args=[payment.pk]), {"on": today, "amount": ""})
    payment.refresh_from_db()
    assert payment.name == "到货款 30%"
    assert payment.invoiced_on == payment.received_on == timezone.localdate()
    refused = client.post(reverse("payments:delete", args=[payment.pk]), follow=True)
    assert "已收款的收款节点不能删除" in refused.content.decode()
    assert PaymentMilestone.objects.count() == 1


def test_a_read_only_role_sees_the_panel_without_buttons_and_may_not_post(client, project):
    PaymentFactory(project=project)
    executive = factories.executive_user()
    client.force_login(executive)
    html = client.get(reverse("payments:panel", args=[project.code]), **HTMX).content.decode()
    assert "登记开票" not in html and "新增收款节点" not in html
    assert client.get(reverse("payments:create", args=[project.code])).status_code == 403


def test_the_panel_reads_the_same_queries_for_2_and_12_payments(client, project):
    client.force_login(project.business_pm)
    url = reverse("payments:panel", args=[project.code])
    for _ in range(2):
        PaymentFactory(project=project, amount=Decimal("1000"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, **HTMX).status_code == 200
    for _ in range(10):
        PaymentFactory(project=project, amount=Decimal("1000"))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, **HTMX)
    assert len(response.context["payments"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def _slipped(project, days=10, amount=Decimal("1000")):
    """A payment whose milestone slipped `days` days (its baseline stays)."""
    payment = PaymentFactory(project=project, amount=amount)
    PaymentMilestone.objects.filter(pk=payment.pk).update(
        due_date=payment.baseline_due_date + datetime.timedelta(days=days)
    )
    return payment


def test_both_pms_see_the_moved_and_the_overdue_payments_on_their_home(client, project):
    moved = _slipped(project, days=12, amount=Decimal("250000"))
    today = timezone.localdate()
    overdue = PaymentFactory(
        project=project,
        milestone=None,
        due_condition="fixed_date",
        fixed_date=today - datetime.timedelta(days=5),
    )
    outsider = factories.business_user()
    for user in (project.business_pm, project.engineering_pm):
        client.force_login(user)
        response = client.get(reverse("home"))
        html = response.content.decode()
        assert [r["pk"] for r in response.context["payments_moved"]] == [moved.pk]
        assert overdue.pk in [r["pk"] for r in response.context["payments_overdue"]]
        assert "因交付延误推迟的收款" in html and "+12" in html and "250,000.00 CNY" in html
        assert overdue.name in html
    client.force_login(outsider)
    assert client.get(reverse("home")).context["payments_moved"] == []


def test_the_home_block_reads_the_same_queries_for_1_and_8_payments(client, project):
    client.force_login(project.engineering_pm)
    _slipped(project)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    for _ in range(7):
        _slipped(factories.ProjectFactory(engineering_pm=project.engineering_pm))
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("home"))
    assert len(response.context["payments_moved"]) == 8
    assert len(large.captured_queries) == len(small.captured_queries)
