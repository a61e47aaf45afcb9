"""The admin for PMO: every model browsable, audit trail read-only, saves through services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from coordination.core.models import AuditEvent
from projects.core.models import Project, Stage
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN_APPS = {"coordination", "projects", "auth"}


@pytest.fixture
def superuser(db):
    return factories.UserFactory(
        username="root", is_superuser=True, is_staff=True, department="pmo"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def registered_models():
    return sorted(
        (m._meta.app_label, m._meta.model_name)
        for m in admin.site._registry
        if m._meta.app_label in ADMIN_APPS
    )


def test_core_models_are_registered():
    names = set(registered_models())
    for expected in [
        ("coordination", "profile"),
        ("coordination", "auditevent"),
        ("coordination", "notification"),
        ("coordination", "sequence"),
        ("projects", "customer"),
        ("projects", "project"),
        ("projects", "projectmembership"),
        ("projects", "milestone"),
        ("projects", "risk"),
        ("projects", "stagetransition"),
        ("auth", "user"),
    ]:
        assert expected in names


@pytest.mark.parametrize("app_label,model_name", registered_models())
def test_every_changelist_renders(admin_client, app_label, model_name):
    factories.RiskFactory()
    factories.MilestoneFactory()
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


def test_audit_events_are_read_only(admin_client, project):
    event = AuditEvent.objects.create(
        action="project.updated", target_type="projects.project", target_id="1"
    )
    assert admin_client.get(reverse("admin:coordination_auditevent_add")).status_code == 403
    delete = reverse("admin:coordination_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    changelist = admin_client.get(reverse("admin:coordination_auditevent_changelist"))
    assert reverse("admin:coordination_auditevent_add") not in changelist.content.decode()


def test_project_change_page_shows_audit_history_and_stage_read_only(admin_client):
    project = factories.ProjectFactory(stage=Stage.EXECUTION)
    AuditEvent.objects.create(
        action="project.updated",
        target_type="projects.project",
        target_id=str(project.pk),
        project_code=project.code,
        actor_label="pmo",
    )
    response = admin_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "project.updated" in html
    assert 'name="stage"' not in html


def _management(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_project_edit_goes_through_the_service(admin_client):
    project = factories.ProjectFactory()
    data = {
        "name": "后台改名",
        "customer": project.customer.pk,
        "business_pm": project.business_pm.pk,
        "engineering_pm": project.engineering_pm.pk,
        "primary_owner": "engineering",
        "contract_value": "1000000.00",
        "currency": "CNY",
        "planned_start": "2026-01-05",
        "planned_end": "2026-12-31",
        "forecast_end": "2026-12-31",
        **_management("memberships"),
        **_management("milestones"),
        **_management("risks"),
        **_management("transitions"),
    }
    response = admin_client.post(reverse("admin:projects_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert (project.name, project.primary_owner) == ("后台改名", "engineering")
    event = AuditEvent.objects.get(action="project.updated", project_code=project.code)
    assert event.actor_label == "root"


def test_admin_project_add_numbers_the_project(admin_client):
    customer = factories.CustomerFactory()
    data = {
        "name": "后台新建",
        "customer": customer.pk,
        "business_pm": factories.business_user().pk,
        "engineering_pm": factories.engineering_user().pk,
        "primary_owner": "business",
        "contract_value": "10.00",
        "currency": "CNY",
        **_management("memberships"),
        **_management("milestones"),
        **_management("risks"),
        **_management("transitions"),
    }
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="后台新建")
    assert project.code.startswith("PRJ-")
    assert AuditEvent.objects.filter(action="project.created", project_code=project.code).exists()


def test_audit_changelist_filters_by_project_code(admin_client):
    for code in ["PRJ-2026-0001", "PRJ-2026-0002"]:
        AuditEvent.objects.create(
            action="project.updated",
            target_type="projects.project",
            target_id="1",
            project_code=code,
            target_repr=f"repr {code}",
        )
    response = admin_client.get(
        reverse("admin:coordination_auditevent_changelist"), {"project_code": "PRJ-2026-0001"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "repr PRJ-2026-0001" in html and "repr PRJ-2026-0002" not in html


def test_user_admin_edits_the_profile_inline(admin_client):
    user = factories.business_user(username="bob")
    response = admin_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert "profile-0-department" in response.content.decode()
