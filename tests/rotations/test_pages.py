"""A job rotation in the browser: plan → both heads approve → start → check-in → close, and the
refusals a user meets on the way (wrong approver 403, closing too early 409, bad input 400,
each changing nothing)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coordination.core.models import AuditEvent, Notification
from coordination.rotations.models import JobRotation, RotationApproval, RotationCheckIn
from tests import factories
from tests.formpage import login
from tests.rotations.factories import Cast, in_progress, planned

pytestmark = pytest.mark.django_db


def _moves(rotation) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type="coordination.jobrotation", target_id=str(rotation.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_whole_rotation_in_the_browser():
    c = Cast()
    factories.MembershipFactory(project=c.project, user=c.person)  # the project picker: theirs
    today = timezone.localdate()
    person = login(c.person)

    # plan: the sales manager goes on site at the project, with an engineering mentor
    response = person.post(
        "/reviews/job-rotations/",
        {
            "to_project": c.project.pk,
            "to_site": "现场项目部",
            "mentor": c.mentor.pk,
            "start_date": today.isoformat(),
            "end_date": "2027-03-31",
        },
    )
    rotation = JobRotation.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/reviews/job-rotations/{rotation.pk}/"
    )
    assert (rotation.status, rotation.from_department, rotation.host_department) == (
        "planned",
        "business",
        "engineering",
    )
    asked = set(
        Notification.objects.filter(kind="job_rotation.planned").values_list("user", flat=True)
    )
    assert asked == {c.own_head.pk, c.host_head.pk}
    # the person is named as the reader names people (李伟, never "伟 李" or a username)
    from coordination.core.people import display_name

    subject = Notification.objects.filter(kind="job_rotation.planned").first().subject
    assert display_name(c.person) in subject
    url = f"/reviews/job-rotations/{rotation.pk}/"

    # the page offers the approve button to a head, not to the person
    assert "/approve/" in login(c.own_head).get(url).content.decode()
    assert "/approve/" not in person.get(url).content.decode()

    # the mentor is no head: 403, nothing recorded
    assert login(c.mentor).post(f"{url}approve/", {}).status_code == 403
    assert not RotationApproval.objects.exists()

    # both heads approve: one is not enough
    assert login(c.own_head).post(f"{url}approve/", {"comment": "同意"}).status_code == 302
    rotation.refresh_from_db()
    assert rotation.status == "planned"
    assert login(c.host_head).post(f"{url}approve/", {}).status_code == 302
    rotation.refresh_from_db()
    assert rotation.status == "approved"
    assert Notification.objects.filter(user=c.person, kind="job_rotation.decided").exists()

    # closing before it is in progress: 409, nothing changes
    response = person.post(f"{url}close/", {"reflection": "太早了"})
    assert response.status_code == 409
    rotation.refresh_from_db()
    assert rotation.status == "approved" and rotation.reflection == ""

    assert person.post(f"{url}start/").status_code == 302
    rotation.refresh_from_db()
    assert (rotation.status, rotation.actual_start) == ("in_progress", today)

    # a check-in without a note is a 400 and records nothing; with a note it is kept
    mentor = login(c.mentor)
    assert mentor.post(f"{url}check-ins/", {"note": ""}).status_code == 400
    assert not RotationCheckIn.objects.exists()
    assert mentor.post(f"{url}check-ins/", {"note": "参加了吊装方案评审"}).status_code == 302
    assert "参加了吊装方案评审" in person.get(url).content.decode()

    # the host's assessment (a score out of range is a 400), then the person's reflection
    assert (
        mentor.post(f"{url}close/", {"host_score": "9", "host_assessment": "好"}).status_code == 400
    )
    response = mentor.post(f"{url}close/", {"host_score": "4", "host_assessment": "沟通积极"})
    assert response.status_code == 302
    rotation.refresh_from_db()
    assert rotation.status == "in_progress" and rotation.host_score == 4
    response = person.post(f"{url}close/", {"reflection": "理解了工期承诺背后的约束"})
    assert response.status_code == 302
    rotation.refresh_from_db()
    assert (rotation.status, rotation.actual_end, rotation.assessed_by) == (
        "closed",
        today,
        c.mentor,
    )
    html = person.get(url).content.decode()
    assert "理解了工期承诺背后的约束" in html and "沟通积极" in html and "4 / 5" in html
    assert _moves(rotation) == [
        "job_rotation.planned",
        "job_rotation.side_approved",
        "job_rotation.approved",
        "job_rotation.started",
        "job_rotation.checked_in",
        "job_rotation.close_part",
        "job_rotation.closed",
    ]


def test_a_rejection_sends_the_plan_back_with_its_reason_and_a_resubmission_asks_again():
    c = Cast()
    rotation = planned(c)
    url = f"/reviews/job-rotations/{rotation.pk}/"
    host = login(c.host_head)
    assert host.post(f"{url}reject/", {"comment": ""}).status_code == 400  # no reason
    rotation.refresh_from_db()
    assert rotation.status == "planned" and not rotation.approvals.exists()
    assert (
        host.post(f"{url}reject/", {"comment": "三季度现场人手紧，请改到四季度"}).status_code == 302
    )
    rotation.refresh_from_db()
    assert rotation.status == "returned"
    told = Notification.objects.get(user=c.person, kind="job_rotation.decided")
    assert "四季度" in told.body
    assert login(c.outsider).post(f"{url}resubmit/").status_code == 404  # not theirs to see
    Notification.objects.all().delete()
    assert login(c.person).post(f"{url}resubmit/").status_code == 302
    rotation.refresh_from_db()
    assert (rotation.status, rotation.round) == ("planned", 2)
    assert Notification.objects.filter(kind="job_rotation.planned", user=c.own_head).exists()
    assert "/approve/" in login(c.own_head).get(url).content.decode()  # a new round to decide


def test_pmo_decides_on_a_heads_behalf_only_with_a_comment_and_the_row_says_so():
    c = Cast()
    rotation = planned(c)
    pmo = login(c.pmo)
    url = f"/reviews/job-rotations/{rotation.pk}/"
    assert pmo.post(f"{url}approve/", {"side": "host"}).status_code == 400
    assert not rotation.approvals.exists()
    assert (
        pmo.post(f"{url}approve/", {"side": "host", "comment": "工程总监邮件同意"}).status_code
        == 302
    )
    approval = rotation.approvals.get()
    assert (approval.side, approval.on_behalf, approval.approver) == ("host", True, c.pmo)


def test_cancel_before_it_starts_not_after():
    c = Cast()
    rotation = planned(c)
    person = login(c.person)
    url = f"/reviews/job-rotations/{rotation.pk}/"
    assert person.post(f"{url}cancel/", {"reason": "客户项目延期"}).status_code == 302
    rotation.refresh_from_db()
    assert (rotation.status, rotation.cancel_reason) == ("cancelled", "客户项目延期")
    started = in_progress(Cast())
    response = login(started.user).post(
        f"/reviews/job-rotations/{started.pk}/cancel/", {"reason": "不去了"}
    )
    assert response.status_code == 409
    started.refresh_from_db()
    assert started.status == "in_progress"


def test_the_list_filters_by_status_and_shows_each_one_what_concerns_them(
    django_assert_max_num_queries,
):
    c = Cast()
    planned(c)
    in_progress(c)
    person = login(c.person)
    html = person.get("/reviews/job-rotations/?status=in_progress").content.decode()
    assert html.count('data-status="in_progress"') == 1 and 'data-status="planned"' not in html
    assert (
        login(c.outsider).get("/reviews/job-rotations/").content.decode().count("data-status=") == 0
    )
    for viewer in (c.pmo, c.mentor, c.own_head, c.host_head):
        html = login(viewer).get("/reviews/job-rotations/").content.decode()
        assert html.count('<tr data-status="') == 2, viewer
    assert login(factories.engineering_user()).get("/reviews/job-rotations/").status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_the_list_has_a_constant_query_count(django_assert_num_queries, n):
    c = Cast()
    for _i in range(n):
        in_progress(c)
    client = login(c.pmo)
    client.get("/reviews/job-rotations/")
    with django_assert_num_queries(QUERIES):
        html = client.get("/reviews/job-rotations/").content.decode()
    assert html.count('<tr data-status="') == n


QUERIES = 8


def test_an_executive_is_offered_no_plan_and_refused_one():
    executive = factories.executive_user()
    client = login(executive)
    assert 'name="start_date"' not in client.get("/reviews/job-rotations/").content.decode()
    response = client.post(
        "/reviews/job-rotations/", {"to_site": "现场", "start_date": "2026-12-01"}
    )
    assert response.status_code == 403 and not JobRotation.objects.exists()
