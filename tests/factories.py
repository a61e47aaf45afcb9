"""factory_boy factories shared by every test folder."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from coordination.core.models import Department, Notification
from coordination.core.roles import (
    GROUP_BUSINESS_MANAGER,
    GROUP_ENGINEERING_MANAGER,
    GROUP_EXECUTIVE,
    GROUP_FINANCE,
    GROUP_PMO,
)
from coordination.core.tokens.models import ApiToken
from coordination.core.tokens.services import token_ttl
from projects.core.models import Customer, Milestone, Project, ProjectMembership, Risk

User = get_user_model()

GROUP_OF_DEPARTMENT = {
    Department.BUSINESS: GROUP_BUSINESS_MANAGER,
    Department.ENGINEERING: GROUP_ENGINEERING_MANAGER,
    Department.FINANCE: GROUP_FINANCE,
    Department.PMO: GROUP_PMO,
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-12345-secret")

    department = Department.BUSINESS  # popped in _create: sets the profile and group
    executive = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        department = kwargs.pop("department", Department.BUSINESS)
        executive = kwargs.pop("executive", False)
        user = super()._create(model_class, *args, **kwargs)
        user.profile.department = department
        user.profile.save()
        group = GROUP_EXECUTIVE if executive else GROUP_OF_DEPARTMENT.get(department)
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user


def business_user(**kw):
    return UserFactory(department=Department.BUSINESS, **kw)


def engineering_user(**kw):
    return UserFactory(department=Department.ENGINEERING, **kw)


def finance_user(**kw):
    return UserFactory(department=Department.FINANCE, **kw)


def pmo_user(**kw):
    return UserFactory(department=Department.PMO, **kw)


def executive_user(**kw):
    return UserFactory(department=Department.BUSINESS, executive=True, **kw)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户 {n}")
    erp_id = factory.Sequence(lambda n: f"C{n:05d}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"PRJ-2026-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"项目 {n}")
    customer = factory.SubFactory(CustomerFactory)
    business_pm = factory.LazyFunction(lambda: business_user())
    engineering_pm = factory.LazyFunction(lambda: engineering_user())
    contract_value = Decimal("1000000.00")
    planned_start = datetime.date(2026, 1, 5)
    planned_end = datetime.date(2026, 12, 31)
    forecast_end = datetime.date(2026, 12, 31)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.LazyFunction(lambda: engineering_user())
    role = "member"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"里程碑 {n}")
    baseline_date = datetime.date(2026, 6, 30)
    forecast_date = factory.LazyAttribute(lambda o: o.baseline_date)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"风险 {n}")
    category = Risk.Category.MATERIAL_PRICE


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "test"
    subject = factory.Sequence(lambda n: f"通知 {n}")
    url = "/"


def api_token(user, *, recently_used: bool = False, **fields) -> str:
    """The key of a new API token (as POST /api/v1/auth/token/ issues, without its audit
    event). `recently_used`: as if used within the minute, so the next request writes no
    `last_used_at` (query counts of the request alone)."""
    if recently_used:
        fields.setdefault("last_used_at", timezone.now())
    expiry = fields.pop("expiry", token_ttl())  # a timedelta from now
    return ApiToken.objects.create(user=user, expiry=expiry, **fields)[1]
