"""Task services: who may, roll-up, forecasts that follow, dependencies refused, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.models import AuditEvent, Notification
from projects.tasks import services
from projects.tasks.models import Task
from tests import factories
from tests.changes.factories import cast
from tests.tasks.factories import link, task

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def c():
    return cast()


def test_create_computes_finish_on_the_calendar_and_notifies_the_owner(c):
    t = task(c.project, by=c.biz_pm, owner=c.tech_lead, title="设备基础", duration_days=5)
    # 9-28, 9-29, 9-30, (国庆) 10-8, 10-9
    assert t.planned_finish == D(2026, 10, 9)
    assert (t.forecast_start, t.forecast_finish) == (t.planned_start, t.planned_finish)
    assert t.department == "engineering"  # the owner's
    assert AuditEvent.objects.filter(action="task.created", target_id=str(t.pk)).exists()
    assert Notification.objects.filter(user=c.tech_lead, kind="task.assigned").count() == 1


def test_a_start_on_a_holiday_rolls_to_the_next_working_day(c):
    t = task(c.project, planned_start=D(2026, 10, 3), duration_days=1)
    assert t.planned_start == t.planned_finish == D(2026, 10, 8)


def test_who_may_plan_and_who_may_report(c):
    for planner in (c.biz_pm, c.eng_pm, c.biz_lead, c.eng_director, c.tech_lead, c.pmo):
        task(c.project, by=planner, owner=c.member)
    for refused in (c.member, c.finance, factories.executive_user(), factories.business_user()):
        with pytest.raises(PermissionDenied):
            task(c.project, by=refused, owner=c.member)
    t = task(c.project, owner=c.member)
    services.update_task(t.pk, by=c.member, data={"progress": 40, "status": "in_progress"})
    with pytest.raises(PermissionDenied):
        services.update_task(t.pk, by=c.member, data={"title": "改名"})
    with pytest.raises(PermissionDenied):
        services.update_task(t.pk, by=c.finance, data={"progress": 50})
    t.refresh_from_db()
    assert t.progress == 40 and t.status == "in_progress" and t.actual_start is not None


def test_owner_must_be_a_member(c):
    with pytest.raises(ValidationError) as caught:
        task(c.project, owner=factories.engineering_user())
    assert "owner" in caught.value.message_dict


def test_status_table(c):
    t = task(c.project)
    with pytest.raises(Conflict) as caught:
        services.set_status(t.pk, by=c.eng_pm, status="done")
    assert caught.value.unmet  # names the allowed moves
    services.set_status(t.pk, by=c.eng_pm, status="in_progress")
    t = services.set_status(t.pk, by=c.eng_pm, status="done")
    assert t.progress == 100 and t.actual_finish is not None
    t = services.set_status(t.pk, by=c.eng_pm, status="in_progress")
    assert t.actual_finish is None


def test_stale_version_is_refused(c):
    t = task(c.project)
    services.update_task(t.pk, by=c.eng_pm, data={"title": "一"}, expected_version=1)
    with pytest.raises(StaleWrite):
        services.update_task(t.pk, by=c.eng_pm, data={"title": "二"}, expected_version=1)
    assert Task.objects.get(pk=t.pk).title == "一"


def test_parent_rolls_up_dates_and_weighted_progress(c):
    parent = task(c.project, title="土建")
    a = task(c.project, parent=parent.pk, duration_days=3)  # 9-28 … 9-30
    b = task(c.project, parent=parent.pk, planned_start=D(2026, 10, 8), duration_days=1)
    services.update_task(a.pk, by=c.eng_pm, data={"progress": 100, "status": "in_progress"})
    parent.refresh_from_db()
    assert (parent.planned_start, parent.planned_finish) == (D(2026, 9, 28), D(2026, 10, 8))
    assert parent.duration_days == 4 and parent.progress == 75  # (3×100 + 1×0) / 4
    with pytest.raises(ValidationError):
        services.update_task(parent.pk, by=c.eng_pm, data={"duration_days": 9})
    services.delete_task(b.pk, by=c.eng_pm)
    parent.refresh_from_db()
    assert parent.planned_finish == D(2026, 9, 30) and parent.progress == 100


def test_parent_cannot_be_its_own_descendant(c):
    a = task(c.project)
    b = task(c.project, parent=a.pk)
    with pytest.raises(ValidationError):
        services.update_task(a.pk, by=c.eng_pm, data={"parent": b.pk})


def test_loop_is_refused_naming_its_tasks(c):
    a, b, t3 = (task(c.project, title=n) for n in ("设计", "采购", "施工"))
    link(a, b)
    link(b, t3)
    with pytest.raises(ValidationError) as caught:
        link(t3, a)
    message = caught.value.message_dict["predecessor"][0]
    assert "设计" in message and "采购" in message and "施工" in message
    assert a.predecessor_links.count() == 0


def test_cross_project_self_and_duplicate_refused(c):
    a, b = task(c.project), task(c.project)
    other = task(factories.ProjectFactory(stage="execution"))
    for pred in (other, b):
        with pytest.raises(ValidationError):
            link(pred, b)
    link(a, b)
    with pytest.raises(ValidationError):
        link(a, b)


def test_moving_a_task_reschedules_its_successors_forecasts_not_their_baseline(c):
    a = task(c.project, duration_days=2)  # 9-28, 9-29
    b = task(c.project, duration_days=1)
    unrelated = task(c.project, duration_days=1)
    link(a, b)  # b's forecast follows: 9-30
    b.refresh_from_db()
    assert b.forecast_start == D(2026, 9, 30) and b.planned_start == D(2026, 9, 28)
    services.move_task(a.pk, by=c.eng_pm, start=D(2026, 10, 9))  # 10-9, 10-10 (调休 Saturday)
    b.refresh_from_db()
    unrelated.refresh_from_db()
    assert (b.forecast_start, b.forecast_finish) == (D(2026, 10, 12), D(2026, 10, 12))
    assert b.planned_start == D(2026, 9, 28) and b.planned_finish == D(2026, 9, 28)
    assert unrelated.forecast_start == D(2026, 9, 28)
    assert AuditEvent.objects.filter(action="task.rescheduled", target_id=str(b.pk)).exists()


def test_shift_forecasts_by_working_days(c):
    a = task(c.project, duration_days=1, planned_start=D(2026, 9, 30))
    b = task(c.project, duration_days=1, planned_start=D(2026, 9, 30))
    link(a, b)
    services.shift_forecasts(c.project, by=c.eng_pm, task_ids=[a.pk], days=2, reason="CR-001")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.forecast_start == D(2026, 10, 9)  # 9-30 + 2 working days across 国庆
    assert b.forecast_start == D(2026, 10, 10)  # the 调休 Saturday
    assert a.planned_start == D(2026, 9, 30)


def test_closed_project_refuses(c):
    t = task(c.project)
    type(c.project).objects.filter(pk=c.project.pk).update(stage="closed")
    with pytest.raises(Conflict):
        services.update_task(t.pk, by=c.eng_pm, data={"progress": 10})


def test_a_slipping_critical_task_is_in_project_health_with_its_reason(c):
    from coordination.dashboard.health import project_health

    a = task(c.project, title="设备到货", duration_days=2)
    b = task(c.project, title="设备安装", duration_days=1)
    link(a, b)
    off = task(c.project, title="培训", duration_days=1)  # float: not critical
    services.move_task(off.pk, by=c.eng_pm, start=D(2026, 9, 29))
    assert "培训" not in str(project_health(c.project, today=D(2026, 9, 1)).as_dict())
    services.move_task(a.pk, by=c.eng_pm, start=D(2026, 10, 8))
    h = project_health(c.project, today=D(2026, 9, 1))
    messages = [r.message for r in h.reasons if r.code == "critical_task_slipping"]
    assert any("设备到货" in m and "2026-10-09" in m for m in messages), h.as_dict()
    late = project_health(c.project, today=D(2026, 9, 29))
    assert any(r.code == "critical_task_late_start" for r in late.reasons)


def test_my_tasks_on_the_home_page(c):
    from tests.formpage import login

    t = task(c.project, title="编制调试方案", owner=c.tech_lead)
    body = login(c.tech_lead).get("/").content.decode()
    assert 'id="my-tasks"' in body and "编制调试方案" in body and f'data-task="{t.pk}"' in body


def test_an_action_item_becomes_a_task_once(c):
    from coordination.reviews import services as reviews
    from tests.formpage import login
    from tests.reviews.factories import ActionItemFactory

    due = datetime.date.today() + datetime.timedelta(days=20)
    item = ActionItemFactory(project=c.project, owner=c.tech_lead, due_date=due)
    page = login(c.eng_pm)
    r = page.post(f"/reviews/action-items/{item.pk}/task/")
    t = Task.objects.get(action_item=item)
    assert r.status_code == 302 and r["Location"] == f"/tasks/{t.pk}/"
    assert t.title == item.title and t.owner == c.tech_lead and t.planned_finish <= due
    assert AuditEvent.objects.filter(action="action_item.became_task").count() == 1
    with pytest.raises(Conflict):
        reviews.task_from_action_item(item.pk, by=c.eng_pm)
    with pytest.raises(PermissionDenied):
        reviews.task_from_action_item(
            ActionItemFactory(project=c.project, owner=c.member).pk, by=c.member
        )
    assert Task.objects.count() == 1


def test_an_approved_change_requests_impact_moves_chosen_tasks_once(c):
    from projects.changes import services as changes
    from tests.changes import factories as cr_factories
    from tests.formpage import login

    cr = cr_factories.approved(c, schedule_impact_days=7)
    a = task(c.project, title="设备安装", planned_start=D(2026, 9, 24))
    b = task(c.project, title="调试")
    link(a, b)
    untouched = task(c.project, title="培训")
    page = login(c.biz_pm)
    assert b'id="apply-to-tasks"' in page.get(f"/changes/{cr.pk}/").content
    r = page.post(f"/changes/{cr.pk}/apply-to-tasks/", {"tasks": [a.pk]})
    assert r.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    untouched.refresh_from_db()
    # 9-24 + 7 working days: 9-28, 9-29, 9-30, (国庆) 10-8, 10-9, 10-10 (调休), 10-12
    assert a.forecast_start == D(2026, 10, 12)
    assert a.planned_start == D(2026, 9, 24)
    assert b.forecast_start == D(2026, 10, 13)
    assert untouched.forecast_start == untouched.planned_start
    assert AuditEvent.objects.filter(action="change_request.tasks_impact_applied").count() == 1
    with pytest.raises(Conflict):
        changes.apply_impact_to_tasks(cr.pk, by=c.biz_pm, task_ids=[b.pk])
    other = cr_factories.approved(c, title="另一个变更", schedule_impact_days=3)
    with pytest.raises(PermissionDenied):
        changes.apply_impact_to_tasks(other.pk, by=c.tech_lead, task_ids=[b.pk])
    with pytest.raises(Conflict):  # a draft has not been approved
        changes.apply_impact_to_tasks(cr_factories.draft(c).pk, by=c.biz_pm, task_ids=[b.pk])
