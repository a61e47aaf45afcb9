"""No lost edits on the kickoff record: a second saver with a stale page sees both texts,
keeps what they typed, and the first saver's record stands; the API answers 412."""

import pytest

from coordination.kickoff.models import KickoffMeeting
from tests.api.helpers import client_for
from tests.formpage import login, read_form
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


def test_the_second_saver_of_the_kickoff_record_sees_the_conflict():
    team = Team()
    meeting = team.schedule()
    url = f"/projects/{team.project.code}/kickoff/"
    first, second = login(team.business_pm), login(team.engineering_pm)
    first_form = read_form(first.get(url), having="risk_plan")
    second_form = read_form(second.get(url), having="risk_plan")

    assert first.post(url, {**first_form, "risk_plan": "钢材提前锁价"}).status_code == 302
    page = second.post(url, {**second_form, "risk_plan": "增加备用供应商"})

    assert page.status_code == 409
    meeting.refresh_from_db()
    assert meeting.risk_plan == "钢材提前锁价"
    rows = {row["name"]: row for row in page.context["conflict"]["rows"]}
    assert rows["risk_plan"] == {
        "name": "risk_plan",
        "label": "风险应对总体安排",
        "yours": "增加备用供应商",
        "saved": "钢材提前锁价",
    }
    kept = read_form(page, having="risk_plan")
    assert kept["risk_plan"] == "增加备用供应商"
    assert kept["location"] == second_form["location"]
    # attendees and the responsibility split are kept as posted too
    assert kept["att-TOTAL_FORMS"] == second_form["att-TOTAL_FORMS"]
    assert kept["resp-0-area"] == second_form["resp-0-area"]


def test_a_record_scheduled_by_someone_else_meanwhile_is_a_conflict_too():
    team = Team()
    url = f"/projects/{team.project.code}/kickoff/"
    first, second = login(team.business_pm), login(team.engineering_pm)
    second_form = read_form(second.get(url), having="risk_plan")  # nothing scheduled yet
    first_form = read_form(first.get(url), having="risk_plan")
    first_form.update(scheduled_at="2026-03-02T09:30", location="3号会议室")
    assert first.post(url, first_form).status_code == 302

    second_form.update(scheduled_at="2026-03-03T14:00", location="线上会议")
    page = second.post(url, second_form)

    assert page.status_code == 409
    assert KickoffMeeting.objects.get(project=team.project).location == "3号会议室"
    assert read_form(page, having="risk_plan")["location"] == "线上会议"


def test_holding_from_a_stale_page_is_refused_and_the_meeting_stays_scheduled():
    team = Team()
    meeting = team.schedule()
    url = f"/projects/{team.project.code}/kickoff/"
    client = login(team.business_pm)
    record = read_form(client.get(url), having="risk_plan")
    stale_version = meeting.edit_version
    client.post(url, {**record, "risk_plan": "改过了"})

    response = client.post(
        f"/projects/{team.project.code}/kickoff/hold/", {"edit_version": stale_version}
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == KickoffMeeting.Status.SCHEDULED
    assert not meeting.commitments.exists()


def test_the_api_answers_412_to_a_stale_if_match_on_the_record_and_on_hold():
    team = Team()
    meeting = team.schedule()
    api = client_for(team.business_pm)
    url = f"/api/v1/projects/{team.project.code}/kickoff/"
    etag = api.get(url)["ETag"]
    assert etag == f'"v{meeting.edit_version}"'
    fresh = api.patch(url, {"risk_plan": "锁价"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag

    stale = api.patch(url, {"risk_plan": "我的"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    stale_hold = api.post(f"{url}hold/", format="json", HTTP_IF_MATCH=etag)
    assert stale_hold.status_code == 412

    meeting.refresh_from_db()
    assert (meeting.risk_plan, meeting.status) == ("锁价", KickoffMeeting.Status.SCHEDULED)
    held = api.post(f"{url}hold/", format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert held.status_code == 200
