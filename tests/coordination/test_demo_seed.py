"""`manage.py seed_demo`: idempotent demo data in every stage; demo users log in."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from coordination.core.models import AuditEvent
from coordination.core.roles import ALL_GROUPS, is_executive, is_pmo
from coordination.devtools.demo.users import DEMO_PASSWORD, DEMO_USERS
from projects.core.models import (
    Customer,
    DefaultMember,
    Milestone,
    Project,
    ProjectMembership,
    Risk,
    Stage,
    StageTransition,
)
from projects.core.team import default_members_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def seed(**kw):
    call_command("seed_demo", today=TODAY, stdout=io.StringIO(), **kw)


def counts() -> dict:
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"auth", "coordination", "projects", "handover", "kpi", "authtoken"}
    }


@pytest.fixture
def seeded(settings):
    """Seeded twice (first forced with DEBUG off, then as `make run` does) with the counts."""
    settings.DEBUG = False
    seed(force=True)
    first = counts()
    settings.DEBUG = True
    seed()
    return first


def test_seeding_twice_creates_nothing_new_and_covers_every_stage(seeded, client):
    assert counts() == seeded
    assert seeded["projects.Project"] >= 18
    check_projects()
    check_users(client)


def check_projects():
    stages = set(Project.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert Customer.objects.count() >= 8
    names = list(Project.objects.values_list("name", flat=True))
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    for project in Project.objects.exclude(stage=Stage.OPPORTUNITY):
        moves = list(project.transitions.order_by("created_at"))
        assert moves, project.code
        assert moves[0].from_stage == Stage.OPPORTUNITY
        assert moves[-1].to_stage == project.stage
        assert all(a.to_stage == b.from_stage for a, b in zip(moves, moves[1:], strict=False))
        assert all(m.created_at.date() <= TODAY for m in moves)
    held = Project.objects.filter(stage=Stage.ON_HOLD)
    assert all(p.stage_before_hold for p in held)
    assert StageTransition.objects.filter(to_stage=Stage.CANCELLED).exclude(reason="").exists()
    assert AuditEvent.objects.filter(action="project.stage_changed").count() == (
        StageTransition.objects.count()
    )
    categories = set(Risk.objects.values_list("category", flat=True))
    assert {Risk.Category.MATERIAL_PRICE, Risk.Category.LABOUR_SHORTAGE} <= categories
    assert Milestone.objects.filter(status=Milestone.Status.DONE).exists()
    slipping = [m for m in Milestone.objects.exclude(status="done") if m.slip_days > 0]
    assert slipping
    assert Project.objects.filter(contract_value__gt=0).count() == Project.objects.count()
    years = {p.planned_start.year for p in Project.objects.all()}
    assert years & {2025, 2026}


def check_users(client):
    User = get_user_model()
    assert set(ALL_GROUPS) <= set(Group.objects.values_list("name", flat=True))
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec["username"])
        assert user.email == f"{spec['username']}@example.com"
        assert user.profile.department == spec["department"]
        assert user.profile.title
        assert client.login(
            request=RequestFactory().get("/"), username=spec["username"], password=DEMO_PASSWORD
        ), spec["username"]
        client.logout()
    pmo = User.objects.get(username="pmo")
    assert pmo.is_staff and pmo.is_superuser and is_pmo(pmo)
    assert is_executive(User.objects.get(username="exec"))
    total = Project.objects.count()
    for name in ("biz_pm2", "eng_pm2"):
        user = User.objects.get(username=name)
        mine = Project.objects.filter(memberships__user=user).distinct().count()
        assert 0 < mine < total, name
    for username, role in [
        ("biz_lead", "business_lead"),
        ("eng_director", "engineering_director"),
        ("tech_lead", "tech_lead"),
        ("finance", "finance_rep"),
    ]:
        assert ProjectMembership.objects.filter(user__username=username, role=role).count() == (
            total
        )
    # PMO's department defaults: the company's four roles, and the metro customer's own
    # tech lead, which replaces the company's for that customer's new projects
    company = set(DefaultMember.objects.filter(customer=None).values_list("role", "user__username"))
    assert company == {
        ("business_lead", "biz_lead"),
        ("engineering_director", "eng_director"),
        ("tech_lead", "tech_lead"),
        ("finance_rep", "finance"),
    }
    metro = Customer.objects.get(erp_id="DEMO-C004")
    assert default_members_for([metro.pk])[metro.pk]["tech_lead"] == [
        User.objects.get(username="eng_pm2")
    ]
    response = client.post(
        "/accounts/login/", {"username": "biz_pm", "password": DEMO_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert client.get("/accounts/login/").wsgi_request.user.username == "biz_pm"


def test_refused_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not Project.objects.exists()
    assert not get_user_model().objects.filter(username="pmo").exists()
    # --force passes the guard: exercised by the `seeded` fixture above.
