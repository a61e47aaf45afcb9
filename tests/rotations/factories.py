"""A small cast for job rotations: a sales manager (business) going on site, both department
heads, a mentor on the host side, PMO, an outsider; `planned`, `approved`, `in_progress`
walk a rotation on through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.utils import timezone

from coordination.core.roles import GROUP_DEPARTMENT_HEAD
from coordination.rotations import services
from coordination.rotations.models import JobRotation
from projects.core.models import Project
from tests import factories


def head(department: str, **kw):
    """The head of `department` (group department_head)."""
    user = factories.UserFactory(department=department, **kw)
    user.groups.add(Group.objects.get_or_create(name=GROUP_DEPARTMENT_HEAD)[0])
    return user


@dataclass
class Cast:
    person: object = field(default_factory=factories.business_user)
    own_head: object = field(default_factory=lambda: head("business"))
    host_head: object = field(default_factory=lambda: head("engineering"))
    mentor: object = field(default_factory=factories.engineering_user)
    pmo: object = field(default_factory=factories.pmo_user)
    outsider: object = field(default_factory=factories.business_user)
    project: Project = field(default_factory=lambda: factories.ProjectFactory(stage="execution"))


def planned(c: Cast, **kw) -> JobRotation:
    today = timezone.localdate()
    data = {
        "by": c.person,
        "to_project": c.project,
        "mentor": c.mentor,
        "start_date": today + datetime.timedelta(days=7),
        "end_date": today + datetime.timedelta(days=97),
    } | kw
    return services.plan_rotation(**data)


def approved(c: Cast, **kw) -> JobRotation:
    rotation = planned(c, **kw)
    services.approve_rotation(rotation.pk, by=c.own_head)
    return services.approve_rotation(rotation.pk, by=c.host_head)


def in_progress(c: Cast, on: datetime.date | None = None, **kw) -> JobRotation:
    rotation = approved(c, **kw)
    return services.start_rotation(rotation.pk, by=c.person, on=on)
