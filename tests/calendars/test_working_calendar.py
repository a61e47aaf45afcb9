"""China's working calendar in every working-day computation: 国庆 and 春节 of 2025 and 2026
with their 调休 make-up days, a company day off, and a 2027 date (beyond the statutory data,
computed Monday to Friday and flagged)."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from coordination.core import workdays
from coordination.core.models import AuditEvent, CompanyDayOff
from coordination.core.workdays import WorkCalendar
from coordination.reviews.models import Review, ReviewKind
from coordination.reviews.services import generate_occurrences
from handover import services as handover_services
from tests import factories
from tests.api.helpers import client_for
from tests.handover.factories import handover_for, project_with_team
from tests.reviews.factories import CadenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date

# 国庆 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
# 春节 2025: 28 January – 4 February off; Sunday 26 January and Saturday 8 February work.
# 春节 2026: 15–23 February off; Saturdays 14 and 28 February work.
# 国庆 2026: 1–7 October off; Sunday 20 September and Saturday 10 October work.
HOLIDAYS = {
    "国庆 2025": (D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
    "春节 2025": (D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
    "春节 2026": (D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
    "国庆 2026": (D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
}


def days(first, last):
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


# ---------------------------------------------------------------- the calendar itself
@pytest.mark.parametrize("name", HOLIDAYS)
def test_holidays_are_off_and_make_up_weekends_work(name):
    first, last, make_up = HOLIDAYS[name]
    cal = WorkCalendar()
    assert not any(cal.is_working_day(d) for d in days(first, last))
    assert all(cal.is_working_day(d) and d.weekday() >= 5 for d in make_up)
    assert all(cal.is_closed(d) for d in days(first, last))
    assert not any(cal.is_closed(d) for d in make_up)


@pytest.mark.parametrize(
    "start, n, finish",
    [
        (D(2025, 9, 30), 1, D(2025, 9, 30)),  # inclusive: a 1-day span ends the same day
        (D(2025, 9, 30), 2, D(2025, 10, 9)),  # 国庆 2025 skipped
        (D(2025, 9, 30), 3, D(2025, 10, 10)),
        (D(2025, 9, 30), 4, D(2025, 10, 11)),  # the make-up Saturday counts
        (D(2025, 1, 27), 2, D(2025, 2, 5)),  # 春节 2025
        (D(2026, 2, 13), 2, D(2026, 2, 14)),  # Friday, then the make-up Saturday
        (D(2026, 2, 13), 3, D(2026, 2, 24)),  # then 春节 2026 until the 23rd
        (D(2026, 9, 30), 2, D(2026, 10, 8)),  # 国庆 2026
        (D(2026, 10, 3), 1, D(2026, 10, 8)),  # starting on a holiday: the next working day
    ],
)
def test_finish_of_counts_working_days_inclusive(start, n, finish):
    assert WorkCalendar().finish_of(start, n) == finish


def test_add_working_days_across_national_day():
    cal = WorkCalendar()
    assert cal.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.working_days_between(D(2025, 9, 27), D(2025, 10, 12)) == 6  # 28, 29, 30, 9–11


def test_a_company_day_off_is_no_working_day():
    CompanyDayOff.objects.create(start=D(2026, 11, 27), end=D(2026, 11, 27), name="司庆")
    cal = workdays.calendar()
    assert not cal.is_working_day(D(2026, 11, 27))
    assert cal.is_closed(D(2026, 11, 27))
    assert cal.finish_of(D(2026, 11, 26), 2) == D(2026, 11, 30)  # Thu, (Fri off), Mon


def test_a_site_shutdown_covers_every_day_of_it():
    CompanyDayOff.objects.create(
        start=D(2026, 8, 3), end=D(2026, 8, 7), kind=CompanyDayOff.Kind.SHUTDOWN, name="检修"
    )
    assert workdays.finish_of(D(2026, 8, 3), 1) == D(2026, 8, 10)


def test_the_calendar_is_one_query_whatever_the_span(django_assert_num_queries):
    CompanyDayOff.objects.create(start=D(2026, 3, 2), end=D(2026, 3, 6), name="停工")
    with django_assert_num_queries(1):
        cal = workdays.calendar()
        short = cal.finish_of(D(2026, 1, 5), 5)
        long = cal.finish_of(D(2025, 1, 2), 500)
    assert short < long


def test_2027_is_computed_monday_to_friday_flagged_and_logged(caplog):
    workdays._warned_years.discard(2027)
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="coordination.core.workdays"):
        assert cal.is_working_day(D(2027, 10, 1))  # 国庆 2027 is not known yet: a Friday
        assert cal.finish_of(D(2027, 10, 1), 2) == D(2027, 10, 4)
    assert workdays.beyond_data(D(2027, 10, 1)) and not workdays.beyond_data(D(2026, 12, 31))
    assert workdays.estimated(D(2026, 12, 30), D(2027, 1, 4))
    assert cal.flagged([D(2026, 5, 1), D(2027, 1, 1), None]) == [D(2027, 1, 1)]
    assert [r for r in caplog.records if "2027" in r.getMessage()]


def test_the_estimate_note_is_a_reusable_tag():
    template = Template("{% load workdays_tags %}[{% workday_estimate a b %}]")
    beyond = template.render(Context({"a": D(2026, 6, 1), "b": D(2027, 2, 1)}))
    assert "按周一至周五估算（法定节假日数据未覆盖该年）" in beyond and "2027" in beyond
    assert template.render(Context({"a": D(2026, 6, 1), "b": None})) == "[]"
    flag = Template("{% load workdays_tags %}{% if d|beyond_statutory_data %}yes{% endif %}")
    assert flag.render(Context({"d": D(2027, 1, 4)})) == "yes"


# ---------------------------------------------------------------- PMO's days off (admin)
def test_day_off_admin_validates_and_audits(rf):
    pmo = factories.pmo_user()
    admin = site._registry[CompanyDayOff]
    wrong = CompanyDayOff(start=D(2026, 5, 8), end=D(2026, 5, 6), name="倒过来")
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert "end" in refused.value.message_dict
    request = rf.post("/admin/")
    request.user = pmo
    day_off = CompanyDayOff(start=D(2026, 5, 6), end=D(2026, 5, 8), name="检修")
    admin.save_model(request, day_off, form=None, change=False)
    day_off.name = "停工检修"
    admin.save_model(request, day_off, form=None, change=True)
    admin.delete_model(request, day_off)
    events = list(AuditEvent.objects.filter(action__startswith="company_day_off.").order_by("id"))
    assert [e.action for e in events] == [
        "company_day_off.created",
        "company_day_off.updated",
        "company_day_off.deleted",
    ]
    assert events[1].before["name"] == "检修" and events[1].after["name"] == "停工检修"
    assert not CompanyDayOff.objects.exists()


def test_day_off_admin_form_keeps_input_on_error(admin_client):
    response = admin_client.post(
        "/admin/coordination/companydayoff/add/",
        {"start": "2026-05-08", "end": "2026-05-06", "kind": "day_off", "name": "倒过来"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "结束日期不能早于开始日期" in body and "倒过来" in body
    assert not CompanyDayOff.objects.exists()


# ---------------------------------------------------------------- stand-ups and meetings
def generated(cadence):
    return set(Review.objects.filter(cadence=cadence).values_list("date", flat=True))


@pytest.mark.parametrize("name", HOLIDAYS)
def test_standups_on_make_up_saturdays_never_on_holidays(name):
    first, last, make_up = HOLIDAYS[name]
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    start = min(make_up) - datetime.timedelta(days=2)
    span = (max(make_up) - start).days + 3
    generate_occurrences(today=start, days=span)
    dates = generated(cadence)
    assert set(make_up) <= dates  # 调休: the Saturday (or Sunday) is a working day
    assert not dates & set(days(first, last))  # none on 国庆 / 春节
    cal = WorkCalendar()
    assert all(cal.is_working_day(d) for d in dates)


def test_standups_skip_a_company_day_off():
    CompanyDayOff.objects.create(start=D(2026, 11, 27), end=D(2026, 11, 27), name="司庆")
    cadence = CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    generate_occurrences(today=D(2026, 11, 23), days=7)
    assert generated(cadence) == set(days(D(2026, 11, 23), D(2026, 11, 26)))  # Friday off


def test_weekly_meeting_skips_the_holiday_week_retro_moves_after_it():
    weekly = CadenceFactory(kind=ReviewKind.WEEKLY_MEETING, weekday=3)  # Thursdays
    retro = CadenceFactory(kind=ReviewKind.MONTHLY_RETROSPECTIVE, day_of_month=2)
    generate_occurrences(today=D(2025, 9, 22), days=30)
    assert generated(weekly) == {D(2025, 9, 25), D(2025, 10, 9), D(2025, 10, 16)}  # not 10-02
    assert generated(retro) == {D(2025, 10, 9)}  # 2 October falls in 国庆: next working day


def test_generation_takes_one_calendar_whatever_the_horizon():
    CadenceFactory(kind=ReviewKind.DAILY_STANDUP)
    counts = []
    for horizon in (7, 60):
        Review.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            generate_occurrences(today=D(2026, 9, 1), days=horizon)
        counts.append(sum("coordination_companydayoff" in q["sql"] for q in ctx))
    assert counts == [1, 1]


# ---------------------------------------------------------------- handover SLA
@pytest.mark.parametrize(
    "signed, n, due",
    [
        (D(2025, 9, 30), 2, D(2025, 10, 10)),  # over 国庆 2025
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # … to the make-up Saturday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday + 1: the make-up Saturday
        (D(2026, 2, 13), 2, D(2026, 2, 24)),  # … then over 春节 2026
        (D(2026, 10, 3), 0, D(2026, 10, 8)),  # signed on a holiday: the clock starts after
        (D(2025, 1, 27), 2, D(2025, 2, 6)),  # 春节 2025
    ],
)
def test_handover_sla_over_the_holidays(signed, n, due):
    assert handover_services.add_working_days(signed, n) == due


def test_handover_due_date_over_national_day(settings):
    settings.HANDOVER_SLA_WORKING_DAYS = 5
    project = factories.ProjectFactory(contract_signed_on=D(2026, 9, 29))
    # 30 September, 8, 9, 10 (the make-up Saturday) and 12 October
    assert handover_services.sla_due_date(project) == D(2026, 10, 12)


# ---------------------------------------------------------------- the working-days API
URL = "/api/v1/calendar/working-days/"


@pytest.mark.parametrize(
    "start, n, finish",
    [
        ("2025-09-30", 3, "2025-10-10"),
        ("2025-01-27", 2, "2025-02-05"),
        ("2026-02-13", 3, "2026-02-24"),
        ("2026-09-30", 2, "2026-10-08"),
    ],
)
def test_working_days_api_over_the_holidays(start, n, finish):
    response = client_for(factories.business_user()).get(URL, {"start": start, "days": n})
    assert response.status_code == 200
    assert response.json() == {"start": start, "days": n, "finish": finish, "estimated": False}


def test_working_days_api_knows_company_days_off():
    CompanyDayOff.objects.create(start=D(2026, 11, 27), end=D(2026, 11, 27), name="司庆")
    body = client_for(factories.business_user()).get(URL, {"start": "2026-11-26", "days": 2})
    assert body.json()["finish"] == "2026-11-30"


def test_working_days_api_flags_2027():
    body = client_for(factories.business_user()).get(URL, {"start": "2026-12-30", "days": 5})
    assert body.json() == {
        "start": "2026-12-30",
        "days": 5,
        "finish": "2027-01-05",  # 30, 31, 1 January 2027 (unknown yet: a Friday), 4, 5
        "estimated": True,
    }


@pytest.mark.parametrize(
    "params, field",
    [
        ({"days": 3}, "start"),
        ({"start": "2026-13-01", "days": 3}, "start"),
        ({"start": "30/09/2026", "days": 3}, "start"),
        ({"start": "1999-12-31", "days": 3}, "start"),
        ({"start": "2026-09-30"}, "days"),
        ({"start": "2026-09-30", "days": "x"}, "days"),
        ({"start": "2026-09-30", "days": 0}, "days"),
        ({"start": "2026-09-30", "days": -2}, "days"),
        ({"start": "2026-09-30", "days": 3651}, "days"),
    ],
)
def test_working_days_api_refuses_bad_input_with_400(params, field):
    response = client_for(factories.business_user()).get(URL, params)
    assert response.status_code == 400
    assert field in response.json() and isinstance(response.json()[field], list)


def test_working_days_api_needs_credentials():
    assert client_for(None).get(URL, {"start": "2026-09-30", "days": 3}).status_code == 401


def test_working_days_api_is_in_the_schema():
    schema = client_for(factories.business_user()).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/calendar/working-days/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"start", "days"}
    content = operation["responses"]["200"]["content"]["application/json"]
    assert "examples" in content


# ---------------------------------------------------------------- the note on the pages
def test_a_2027_due_date_is_flagged_on_the_handover_and_project_pages(settings, client):
    settings.HANDOVER_SLA_WORKING_DAYS = 5
    project = project_with_team(contract_signed_on=D(2026, 12, 29), forecast_end=D(2027, 3, 1))
    handover = handover_for(project)
    assert handover.due_date == D(2027, 1, 5)  # 30, 31 Dec; 1 (a Friday, unknown), 4, 5 Jan
    client.force_login(project.business_pm)
    note = "按周一至周五估算（法定节假日数据未覆盖该年）"
    assert note in client.get(f"/handover/{project.code}/").content.decode()
    assert note in client.get(f"/projects/{project.code}/").content.decode()
    known = project_with_team(contract_signed_on=D(2026, 9, 29), forecast_end=D(2026, 12, 1))
    handover_for(known)
    client.force_login(known.business_pm)
    assert note not in client.get(f"/handover/{known.code}/").content.decode()
