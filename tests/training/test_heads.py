"""Department heads (job rotation's department_head group) schedule training, see their
department's people's records and the coverage grid; an ordinary PM does none of it."""

import pytest
from django.contrib.auth.models import Group

from coordination.core.roles import GROUP_DEPARTMENT_HEAD
from tests.factories import business_user, engineering_user
from tests.formpage import login

pytestmark = pytest.mark.django_db


def test_a_department_head_schedules_and_sees_their_departments_records():
    head = business_user(username="head_b")
    head.groups.add(Group.objects.get_or_create(name=GROUP_DEPARTMENT_HEAD)[0])
    mine, other, pm = business_user(), engineering_user(), business_user()
    client = login(head)
    assert client.get("/training/new/").status_code == 200
    assert client.get("/training/coverage/").status_code == 200
    assert client.get(f"/training/people/{mine.username}/").status_code == 200
    assert client.get(f"/training/people/{other.username}/").status_code == 403
    plain = login(pm)
    assert plain.get("/training/coverage/").status_code == 403
    assert plain.get(f"/training/people/{mine.username}/").status_code == 403
