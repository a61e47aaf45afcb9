"""Every endpoint against every kind of user (helpers.ROLES), one line per endpoint:

anonymous, non_member, member, pm, other_department, pmo, executive
"""

import pytest

from projects.core.models import Project, Stage
from tests import factories
from tests.api.helpers import assert_statuses

pytestmark = pytest.mark.django_db


def test_customer_list(people):
    assert_statuses(people, "get", "/api/v1/customers/", [401, 200, 200, 200, 200, 200, 200])


def test_customer_create(people):
    assert_statuses(
        people,
        "post",
        "/api/v1/customers/",
        [401, 201, 403, 201, 403, 201, 403],
        data={"name": "上海建工"},
    )


def test_customer_detail(people, project):
    url = f"/api/v1/customers/{project.customer_id}/"
    assert_statuses(people, "get", url, [401, 200, 200, 200, 200, 200, 200])


def test_customer_update(people, project):
    url = f"/api/v1/customers/{project.customer_id}/"
    # the project's business PM edits its customer; a business PM of other projects does not
    assert_statuses(
        people, "patch", url, [401, 403, 403, 200, 403, 200, 403], data={"contact_name": "王经理"}
    )


def test_customer_erp_upsert(people):
    # non_member creates it (business department); it has no project yet, so only PMO edits it
    assert_statuses(
        people,
        "put",
        "/api/v1/erp/customers/ERP-C-9/",
        [401, 201, 403, 403, 403, 200, 403],
        data={"name": "华东电力"},
    )


def test_customer_erp_upsert_of_the_projects_customer(people):
    assert_statuses(
        people,
        "put",
        "/api/v1/erp/customers/ERP-C-1/",
        [401, 403, 403, 200, 403, 200, 403],
        data={"name": "华东电力"},
    )


def test_project_list(people):
    assert_statuses(people, "get", "/api/v1/projects/", [401, 200, 200, 200, 200, 200, 200])


def test_project_create(people, project):
    def body():
        return {
            "name": "新园区",
            "customer": project.customer_id,
            "business_pm": project.business_pm.username,
            "engineering_pm": project.engineering_pm.username,
        }

    assert_statuses(
        people, "post", "/api/v1/projects/", [401, 201, 403, 201, 403, 201, 403], data=body
    )


def test_project_detail(people, project):
    url = f"/api/v1/projects/{project.code}/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])


def test_project_update(people, project):
    url = f"/api/v1/projects/{project.code}/"
    assert_statuses(
        people, "patch", url, [401, 404, 403, 200, 404, 200, 403], data={"name": "改名"}
    )


def test_project_erp_upsert_of_an_existing_project(people, project):
    body = {
        "name": project.name,
        "customer_erp_id": "ERP-C-1",
        "business_pm": project.business_pm.username,
        "engineering_pm": project.engineering_pm.username,
    }
    # Creating needs business or PMO; updating an existing project needs its PM/lead or PMO.
    assert_statuses(
        people,
        "put",
        f"/api/v1/erp/projects/{project.erp_id}/",
        [401, 403, 403, 200, 403, 200, 403],
        data=body,
    )


def test_project_erp_bulk(people, project):
    rows = [
        {
            "erp_id": "ERP-P-77",
            "name": "批量项目",
            "customer_erp_id": "ERP-C-1",
            "business_pm": project.business_pm.username,
            "engineering_pm": project.engineering_pm.username,
        }
    ]
    assert_statuses(
        people, "post", "/api/v1/erp/projects/bulk/", [401, 200, 403, 200, 403, 200, 403], data=rows
    )


def test_project_transition(people, project):
    def reset():
        Project.objects.filter(pk=project.pk).update(stage=Stage.EXECUTION, stage_before_hold="")

    assert_statuses(
        people,
        "post",
        f"/api/v1/projects/{project.code}/transition/",
        [401, 404, 403, 200, 404, 200, 403],
        data={"to": "on_hold", "reason": "客户资金未到位"},
        before_each=reset,
    )


def test_milestone_list(people, project):
    url = f"/api/v1/projects/{project.code}/milestones/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])


def test_milestone_create(people, project):
    url = f"/api/v1/projects/{project.code}/milestones/"
    assert_statuses(
        people,
        "post",
        url,
        [401, 404, 403, 201, 404, 201, 403],
        data={"name": "设备到场", "baseline_date": "2026-08-01"},
    )


def test_milestone_detail_and_update(people, project):
    url = f"/api/v1/milestones/{factories.MilestoneFactory(project=project).pk}/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])
    assert_statuses(
        people,
        "patch",
        url,
        [401, 404, 403, 200, 404, 200, 403],
        data={"forecast_date": "2026-07-15"},
    )


def test_risk_list(people, project):
    url = f"/api/v1/projects/{project.code}/risks/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])


def test_risk_create(people, project):
    url = f"/api/v1/projects/{project.code}/risks/"
    assert_statuses(
        people,
        "post",
        url,
        [401, 404, 403, 201, 404, 201, 403],
        data={"title": "钢材涨价", "category": "material_price", "probability": 4, "impact": 3},
    )


def test_risk_detail_and_update(people, project):
    url = f"/api/v1/risks/{factories.RiskFactory(project=project).pk}/"
    assert_statuses(people, "get", url, [401, 404, 200, 200, 404, 200, 200])
    assert_statuses(
        people, "patch", url, [401, 404, 403, 200, 404, 200, 403], data={"status": "mitigating"}
    )


def test_unknown_objects_are_404_for_everyone_signed_in(people):
    for url in ("/api/v1/projects/PRJ-1999-0001/", "/api/v1/milestones/999999/"):
        assert_statuses(people, "get", url, [401, 404, 404, 404, 404, 404, 404])
