"""projects.changes.rules: the Python form (one request) and the SQL form (a list) of who must
decide a change request, and for which department, give the same answers."""

from decimal import Decimal

import pytest
from django.test import override_settings

from projects.changes import rules
from projects.changes.models import ChangeRequest
from tests.changes.factories import assessed, cast

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
