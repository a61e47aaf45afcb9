"""Executives are read-only everywhere (coordination.core.roles.can_write): every write
permission refuses them whatever project role they hold, and a kickoff cannot make one a
signatory the commitment would wait for forever.

The HTTP side (every write route answers 403, no page offers a write) is in
test_permission_matrix.py; this is the layer underneath, which the admin, Celery tasks and
the ERP sync reach without passing through those doors.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from coordination.core.exceptions import Conflict
from coordination.core.roles import GROUP_EXECUTIVE, can_write
from coordination.kickoff import selectors as kickoff
from coordination.reviews import services as reviews
from coordination.rotations import rules as rotations
from handover import permissions as handover
from kpi import services as kpi
from projects.changes import rules
from projects.changes import services as changes
from projects.core import permissions
from projects.core.models import MemberRole
from projects.presales import services as presales
from tests import factories
from tests.changes.factories import assessed, cast
from tests.kickoff.factories import Team
from tests.reviews.factories import ActionItemFactory, CadenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _answers(user, c, cr, review, item, commitment) -> dict[str, bool]:
    project = c.project
    return {
        "create project": permissions.can_create_project(user),
        "create customer": permissions.can_create_customer(user),
        "edit customer": permissions.can_edit_customer(user, project.customer),
        "edit project": permissions.can_edit_project(user, project),
        "move stage": permissions.can_transition(user, project),
        "milestones, risks": permissions.can_edit_plan(user, project),
        "raise change request": changes.can_create(user, project),
        "edit change request": changes.can_edit(user, cr),
        "assess change request": changes.can_assess(user, project),
        "decide change request": bool(rules.deciding_departments(cr, user)),
        "withdraw change request": changes.can_withdraw(user, cr),
        "implement change request": changes.can_implement(user, project),
        "write assessment": presales.can_write_assessment(user, project),
        "decide assessment": presales.can_decide_assessment(user, project),
        "write quote": presales.can_write_quote(user, project),
        "provide handover item": handover.is_business_side(user, project),
        "review handover item": handover.is_engineering_side(user, project),
        "record KPI inputs": kpi.can_record_inputs(user, project),
        "manage cadence": reviews.can_manage_cadence(user, project),
        "keep minutes": reviews.can_edit_review(user, review),
        "update action item": reviews.can_edit_action_item(user, item),
        "record own job rotation": rotations.can_plan(user, user),
        "manage kickoff": kickoff.can_manage_kickoff(user, project),
        "hold kickoff": kickoff.can_hold_kickoff(user, project),
        "sign commitment": kickoff.can_sign(user, commitment),
    }


def test_every_write_permission_refuses_an_executive_whatever_roles_they_hold():
    team = Team(stage="kickoff")
    commitment = team.hold()  # its business lead signs it
    person = team.business_lead
    c = cast()
    for role in MemberRole.values:  # and holds every role on the cast's project
        factories.MembershipFactory(project=c.project, user=person, role=role)
    cr = assessed(c, by=c.member)
    review = ReviewFactory(cadence=CadenceFactory(project=c.project), project=c.project)
    review.cadence.participants.add(person)
    item = ActionItemFactory(review=review, project=c.project, owner=person)

    as_writer = _answers(person, c, cr, review, item, commitment)
    assert can_write(person)
    assert [name for name, allowed in as_writer.items() if not allowed] == []

    person.groups.add(Group.objects.get_or_create(name=GROUP_EXECUTIVE)[0])
    person = type(person).objects.get(pk=person.pk)  # no cached group names
    as_executive = _answers(person, c, cr, review, item, commitment)
    assert not can_write(person)
    assert [name for name, allowed in as_executive.items() if allowed] == []


def test_a_pmo_user_in_the_executive_group_still_acts_as_pmo():
    user = factories.pmo_user()
    user.groups.add(Group.objects.get_or_create(name=GROUP_EXECUTIVE)[0])
    user = type(user).objects.get(pk=user.pk)
    assert can_write(user) and permissions.can_create_project(user)


def test_a_kickoff_with_an_executive_signatory_cannot_be_held():
    """The commitment would wait for a signature that can never come: holding says why."""
    team = Team(stage="kickoff")
    team.business_lead.groups.add(Group.objects.get_or_create(name=GROUP_EXECUTIVE)[0])
    with pytest.raises(Conflict) as refused:
        team.hold()
    assert any("只读角色" in reason for reason in refused.value.unmet)
