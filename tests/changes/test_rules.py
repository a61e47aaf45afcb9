"""projects.changes.rules: the Python form (one request) and the SQL form (a list) of who must
decide a change request, and for which department, give the same answers."""

from decimal import Decimal

import pytest
from django.test import override_settings

from projects.changes import rules
from projects.changes.models import ChangeRequest
from projects.changes.selectors import awaiting
from projects.core.models import MemberRole
from projects.core.selectors import project_roles
from tests import factories
from tests.changes.factories import ChangeDecisionFactory, assessed, cast

pytestmark = pytest.mark.django_db

COSTS = [Decimal("0"), Decimal("99999.99"), Decimal("100000"), Decimal("100000.01")]
COSTS += [Decimal("-100000"), Decimal("-100000.01"), Decimal("250000")]


@override_settings(CHANGE_REQUEST_FINANCE_THRESHOLD="100000")
def test_required_departments_python_and_sql_agree_on_every_cost():
    c = cast()
    requests = [assessed(c, title=f"cost {cost}", cost_impact=cost) for cost in COSTS]
    for department in rules.DEPARTMENTS:
        by_sql = set(
            ChangeRequest.objects.filter(pk__in=[cr.pk for cr in requests])
            .filter(rules.required_q(department))
            .values_list("pk", flat=True)
        )
        by_python = {cr.pk for cr in requests if department in rules.required_departments(cr)}
        assert by_sql == by_python, department
    finance = {cr.cost_impact for cr in requests if "finance" in rules.required_departments(cr)}
    assert finance == {Decimal("100000.01"), Decimal("-100000.01"), Decimal("250000")}


def test_who_acts_for_a_department_python_and_sql_agree_for_every_person():
    c = cast()
    cr = assessed(c)
    people = [c.biz_pm, c.eng_pm, c.biz_lead, c.eng_director, c.tech_lead, c.finance, c.member]
    people.append(c.pmo)
    for person in people:
        by_python = set(rules.departments_for(person, c.project))
        by_sql = {
            dept
            for dept in rules.DEPARTMENTS
            if ChangeRequest.objects.filter(pk=cr.pk)
            .filter(rules.acts_for_q(person, dept))
            .exists()
            and not person.is_superuser
            and person != c.pmo
        }
        assert by_python == by_sql, person.username


@pytest.mark.parametrize("requester_may_approve", [False, True])
def test_who_decides_which_request_python_and_sql_agree(settings, requester_may_approve):
    """Every person × requests asked for by each decider (and by a plain member), with and
    without finance: the departments `deciding_departments` gives (one request in hand)
    are those `decides_q` selects, and `awaiting` (the inbox, the dashboard's "waiting for
    me") lists exactly the requests `open_departments` leaves a department for."""
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    settings.CHANGE_REQUEST_REQUESTER_MAY_APPROVE = requester_may_approve
    c = cast()
    executive = factories.executive_user()  # a business lead on paper, read-only anyway
    factories.MembershipFactory(project=c.project, user=executive, role=MemberRole.BUSINESS_LEAD)
    people = [c.biz_pm, c.eng_pm, c.biz_lead, c.eng_director, c.tech_lead, c.finance, c.member]
    people += [c.pmo, executive]
    requests = [
        assessed(c, by=who, title=f"{who.username} {cost}", cost_impact=Decimal(cost))
        for who in (c.biz_pm, c.biz_lead, c.eng_pm, c.finance, c.member)
        for cost in ("50000", "250000")
    ]
    # one department decided already: it is no longer open, for anyone
    ChangeDecisionFactory(
        change_request=requests[0], department="engineering", decided_by=c.eng_director
    )
    ids = [cr.pk for cr in requests]
    for person in people:
        for department in rules.DEPARTMENTS:
            by_sql = (
                set(
                    ChangeRequest.objects.filter(pk__in=ids)
                    .filter(rules.decides_q(person, department))
                    .values_list("pk", flat=True)
                )
                if rules.decides_at_all(person)
                else set()
            )
            by_python = {
                cr.pk for cr in requests if department in rules.deciding_departments(cr, person)
            }
            assert by_sql == by_python, (person.username, department)
        waiting = set(awaiting(person).filter(pk__in=ids).values_list("pk", flat=True))
        roles = project_roles(person, c.project)
        open_for_me = {
            cr.pk
            for cr in requests
            if rules.open_departments(
                cr, person, roles, set(cr.decisions.values_list("department", flat=True))
            )
        }
        assert waiting == open_for_me, person.username


def test_the_requester_is_barred_for_their_own_department_only(settings):
    """A business PM who asked for a change, and also holds the finance role on the project,
    decides for finance but not for business; with the PMO setting on, for both."""
    settings.CHANGE_REQUEST_FINANCE_THRESHOLD = "100000"
    c = cast()
    factories.MembershipFactory(project=c.project, user=c.biz_pm, role=MemberRole.FINANCE_REP)
    cr = assessed(c, cost_impact=Decimal("250000"))
    assert rules.deciding_departments(cr, c.biz_pm) == ["finance"]
    assert rules.deciding_departments(cr, c.biz_lead) == ["business"]
    settings.CHANGE_REQUEST_REQUESTER_MAY_APPROVE = True
    assert rules.deciding_departments(cr, c.biz_pm) == ["business", "finance"]
