"""The home page shows rotations in progress (PMO and executives: all; others: their own and
those they mentor) and, to a department head, those waiting for their decision."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.rotations import services
from tests import factories
from tests.formpage import login
from tests.rotations.factories import Cast, in_progress, planned

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_rotations_in_progress_on_the_home_page():
    c = Cast()
    rotation = in_progress(c)
    mark = f'data-rotation-in-progress="{rotation.pk}"'
    for viewer in (c.person, c.mentor, c.pmo, factories.executive_user()):
        assert mark in _home(viewer), viewer
    assert 'id="rotations"' not in _home(c.outsider)
    assert mark not in _home(c.own_head)  # a head is asked to decide, not to follow every one


def test_a_head_sees_the_plans_waiting_for_them_until_they_decide():
    c = Cast()
    rotation = planned(c)
    mark = f'data-rotation-awaiting="{rotation.pk}"'
    assert mark in _home(c.own_head) and mark in _home(c.host_head)
    assert mark not in _home(c.person)
    services.approve_rotation(rotation.pk, by=c.own_head)
    assert mark not in _home(c.own_head) and mark in _home(c.host_head)
