"""No lost edits on projects and milestones: pages show a conflict to a stale second saver,
the API honours If-Match (412, nothing changed), and every writer makes a new version."""

import pytest
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from coordination.integration.models import IdempotencyRecord
from projects.core import services
from projects.core.models import Milestone, Project, Stage
from tests import factories
from tests.api.helpers import client_for
from tests.formpage import login, read_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return factories.ProjectFactory(stage=Stage.EXECUTION, erp_id="ERP-P-9")


# ---------------------------------------------------------------- pages


def test_the_second_project_editor_sees_both_texts_and_keeps_theirs(project):
    url = f"/projects/{project.code}/edit/"
    first, second = login(project.business_pm), login(project.engineering_pm)
    first_form = read_form(first.get(url), having="name")
    second_form = read_form(second.get(url), having="name")

    first_form.update(description="客户要求提前投产", forecast_end="2026-11-30")
    assert first.post(url, first_form).status_code == 302
    second_form.update(description="设备基础图纸已确认")
    page = second.post(url, second_form)

    assert page.status_code == 409
    project.refresh_from_db()
    assert project.description == "客户要求提前投产"
    assert str(project.forecast_end) == "2026-11-30"
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["description"]["yours"] == "设备基础图纸已确认"
    assert rows["description"]["saved"] == "客户要求提前投产"
    # the second saver never touched the forecast, but saving their stale page would have
    # put the old date back: it is shown too
    assert rows["forecast_end"] == {
        "name": "forecast_end",
        "label": "预测完成",
        "yours": "2026-12-31",
        "saved": "2026-11-30",
    }
    assert "name" not in rows  # equal on both sides
    assert read_form(page, having="name")["description"] == "设备基础图纸已确认"


def test_a_project_changed_by_the_erp_since_the_page_was_read_is_a_conflict(project):
    url = f"/projects/{project.code}/edit/"
    client = login(project.business_pm)
    form = read_form(client.get(url), having="name")
    services.upsert_project_by_erp_id("ERP-P-9", by=None, data={"name": "ERP 改名"})

    page = client.post(url, {**form, "name": "我的改名"})

    assert page.status_code == 409
    assert Project.objects.get(pk=project.pk).name == "ERP 改名"


def test_the_second_milestone_editor_sees_the_conflict(project):
    milestone = factories.MilestoneFactory(project=project, name="设备到场")
    url = f"/projects/{project.code}/milestones/{milestone.pk}/edit/"
    first, second = login(project.business_pm), login(project.engineering_pm)
    first_form = read_form(first.get(url), having="name")
    second_form = read_form(second.get(url), having="name")
    assert first.post(url, {**first_form, "forecast_date": "2026-07-15"}).status_code == 302

    page = second.post(url, {**second_form, "description": "需吊车两台"})

    assert page.status_code == 409
    milestone.refresh_from_db()
    assert (str(milestone.forecast_date), milestone.description) == ("2026-07-15", "")
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["forecast_date"]["saved"] == "2026-07-15"
    assert rows["description"]["yours"] == "需吊车两台"
    assert read_form(page, having="name")["description"] == "需吊车两台"


# ---------------------------------------------------------------- API


def test_project_patch_with_a_stale_if_match_is_412_and_changes_nothing(project):
    api = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/"
    etag = api.get(url)["ETag"]
    first = api.patch(url, {"description": "甲"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] == f'"v{Project.objects.get(pk=project.pk).edit_version}"' != etag
    events = AuditEvent.objects.count()

    stale = api.patch(url, {"description": "乙"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412 and set(stale.json()) == {"detail"}
    assert Project.objects.get(pk=project.pk).description == "甲"
    assert AuditEvent.objects.count() == events
    again = api.patch(url, {"description": "乙"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert again.status_code == 200 and again.json()["description"] == "乙"


def test_a_stale_if_match_on_a_transition_is_412_and_the_stage_stays(project):
    api = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/"
    etag = api.get(url)["ETag"]
    api.patch(url, {"description": "先改一下"}, format="json")  # no If-Match: accepted

    move = {"to": "on_hold", "reason": "客户暂停"}
    stale = api.post(f"{url}transition/", move, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert Project.objects.get(pk=project.pk).stage == Stage.EXECUTION
    fresh = api.post(f"{url}transition/", move, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert fresh.status_code == 200 and fresh.json()["stage"] == "on_hold"


def test_a_412_is_not_replayed_for_the_same_idempotency_key(project):
    api = APIClient()
    api.force_login(project.business_pm)  # the key's principal is the signed-in user
    url = f"/api/v1/projects/{project.code}/"
    etag = api.get(url)["ETag"]
    api.patch(url, {"description": "先改一下"}, format="json")
    move = {"to": "on_hold", "reason": "客户暂停"}

    stale = api.post(
        f"{url}transition/", move, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="k"
    )
    retry = api.post(
        f"{url}transition/",
        move,
        format="json",
        HTTP_IF_MATCH=stale["ETag"],
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert stale.status_code == 412
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry
    assert IdempotencyRecord.objects.get(key="k").status_code == 200


def test_milestone_patch_honours_if_match(project):
    milestone = factories.MilestoneFactory(project=project)
    api = client_for(project.engineering_pm)
    url = f"/api/v1/milestones/{milestone.pk}/"
    etag = api.get(url)["ETag"]
    assert etag == '"v1"'
    saved = api.patch(url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] == '"v2"'

    stale = api.patch(url, {"status": "cancelled"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert Milestone.objects.get(pk=milestone.pk).status == "in_progress"


# ---------------------------------------------------------------- every writer counts


def test_every_writer_makes_a_new_version(project):
    seen = project.edit_version
    services.upsert_project_by_erp_id("ERP-P-9", by=None, data={"name": "单条同步"})
    assert Project.objects.get(pk=project.pk).edit_version == seen + 1
    services.upsert_project_by_erp_id("ERP-P-9", by=None, data={"name": "单条同步"})
    assert Project.objects.get(pk=project.pk).edit_version == seen + 1  # unchanged: no write

    pmo = client_for(factories.pmo_user())
    row = {
        "erp_id": "ERP-P-9",
        "name": "批量同步",
        "customer_erp_id": project.customer.erp_id,
        "contract_value": "1000000.00",
        "currency": "CNY",
        "planned_start": "2026-01-05",
        "planned_end": "2026-12-31",
        "business_pm": project.business_pm.username,
        "engineering_pm": project.engineering_pm.username,
        "primary_owner": "business",
        "is_key_project": False,
    }
    answer = pmo.post("/api/v1/erp/projects/bulk/", [row], format="json")
    assert answer.json()[0]["status"] == "updated"
    assert Project.objects.get(pk=project.pk).edit_version == seen + 2

    services.transition_project(project.pk, to="on_hold", by=None, reason="暂停")
    assert Project.objects.get(pk=project.pk).edit_version == seen + 3


def test_a_new_project_from_the_bulk_upsert_starts_at_version_1():
    factories.CustomerFactory(erp_id="C-NEW")
    biz, eng = factories.business_user(), factories.engineering_user()
    row = {
        "erp_id": "ERP-NEW",
        "name": "新项目",
        "customer_erp_id": "C-NEW",
        "contract_value": "1.00",
        "currency": "CNY",
        "planned_start": "2026-01-05",
        "planned_end": "2026-12-31",
        "business_pm": biz.username,
        "engineering_pm": eng.username,
        "primary_owner": "business",
        "is_key_project": False,
    }
    pmo = client_for(factories.pmo_user())
    assert pmo.post("/api/v1/erp/projects/bulk/", [row], format="json").status_code == 200
    assert Project.objects.get(erp_id="ERP-NEW").edit_version == 1
