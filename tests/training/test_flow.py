"""Training in the browser's terms: PMO schedules with invitees, the invitees are told, the
session is held, attendance is ticked, an attendee gives feedback; then the coverage grid and
the per-person record say what happened. And the refusals."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coordination.core.models import AuditEvent, Department, Notification
from coordination.training import selectors, services
from coordination.training.models import TrainingAttendance, TrainingSession
from tests import factories
from tests.training.factories import SessionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two business people, two engineers, one finance; a PMO organiser; two topics."""
    return {
        "pmo": factories.pmo_user(username="t_pmo"),
        "biz1": factories.business_user(username="t_biz1"),
        "biz2": factories.business_user(username="t_biz2"),
        "eng1": factories.engineering_user(username="t_eng1"),
        "eng2": factories.engineering_user(username="t_eng2"),
        "fin": factories.finance_user(username="t_fin"),
        "exec": factories.executive_user(username="t_exec"),
        "handover": TopicFactory(name="合同移交规范", name_en="Contract handover"),
        "safety": TopicFactory(name="安全生产", name_en="Site safety"),
    }


def _start(client, world, **extra):
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    data = {
        "topic": world["handover"].pk,
        "title": "移交清单实操",
        "trainer_name": "外部讲师甲",
        "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 90,
        "location": "3楼会议室",
        "audience": ["business", "engineering"],
        "invitees": [world["biz1"].pk, world["eng1"].pk],
        **extra,
    }
    return client.post(reverse("training:new"), data)


def _held(session):
    """The session started an hour ago, then its organiser confirms it was held."""
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_the_whole_flow_in_the_browser(client, world):
    client.force_login(world["pmo"])
    r = _start(client, world)
    assert r.status_code == 302
    session = TrainingSession.objects.get(title="移交清单实操")
    assert r["Location"] == reverse("training:detail", args=[session.pk])
    # the invitees are told, in-app, with a link to the session
    told = Notification.objects.filter(kind="training.invited", url=f"/training/{session.pk}/")
    assert set(told.values_list("user__username", flat=True)) == {"t_biz1", "t_eng1"}
    assert AuditEvent.objects.filter(action="training.session_scheduled").count() == 1

    # before it starts it cannot be held, and attendance waits for it
    r = client.post(reverse("training:held", args=[session.pk]))
    assert r.status_code == 409
    _held(session)
    r = client.post(reverse("training:held", args=[session.pk]))
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == "held"

    # the organiser ticks biz1 and a walk-in (eng2); eng1 did not come
    page = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert 'name="attended"' in page
    r = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"marking": "1", "attended": [world["biz1"].pk], "walk_ins": [world["eng2"].pk]},
    )
    assert r.status_code == 302
    rows = {a.user.username: a for a in session.attendances.select_related("user")}
    assert rows["t_biz1"].attended and not rows["t_eng1"].attended
    assert rows["t_eng2"].attended and not rows["t_eng2"].invited

    # the attendee gives feedback on the session's page
    client.force_login(world["biz1"])
    page = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert 'name="score"' in page
    r = client.post(
        reverse("training:feedback", args=[session.pk]), {"score": 4, "comment": "实用"}
    )
    assert r.status_code == 302
    # changed within the window: still one row, the latest score
    r = client.post(reverse("training:feedback", args=[session.pk]), {"score": 5})
    assert r.status_code == 302
    row = TrainingAttendance.objects.get(session=session, user=world["biz1"])
    assert (row.score, row.comment) == (5, "")
    assert AuditEvent.objects.filter(action="training.feedback_given").count() == 2
    page = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert "data-average>5.0<" in page

    # biz1's own record
    page = client.get(reverse("training:me")).content.decode()
    assert "data-sessions>1<" in page and "data-hours>1.5<" in page
    assert "data-feedback>1<" in page and "合同移交规范" in page

    # coverage: business 1 of 3 (the executive is of business too), engineering 1 of 2 (the
    # walk-in), finance none of 1
    client.force_login(world["pmo"])
    grid = selectors.coverage(timezone.localdate().year)
    rows = {row["department"]: row for row in grid["rows"]}
    handover = grid["topics"].index(world["handover"])
    safety = grid["topics"].index(world["safety"])
    assert (rows["business"]["cells"][handover].reached, rows["business"]["headcount"]) == (1, 3)
    assert rows["business"]["cells"][handover].percent == 33.3
    assert rows["engineering"]["cells"][handover].percent == 50.0
    assert rows["engineering"]["cells"][handover].reached == 1
    assert rows["business"]["cells"][safety].reached == 0
    assert rows["finance"]["any"].percent == 0.0
    page = client.get(reverse("training:coverage")).content.decode()
    assert "33%" in page and "(1/3)" in page and "50%" in page


def test_everyone_of_the_audience_departments_is_invited(client, world):
    client.force_login(world["pmo"])
    r = _start(client, world, invitees=[], invite_audience="on", audience=["engineering"])
    assert r.status_code == 302
    session = TrainingSession.objects.get()
    assert set(session.attendances.values_list("user__username", flat=True)) == {
        "t_eng1",
        "t_eng2",
    }


def test_a_session_needs_a_trainer_and_an_audience(client, world):
    client.force_login(world["pmo"])
    r = _start(client, world, trainer_name="", audience=[])
    assert r.status_code == 400
    assert not TrainingSession.objects.exists()


def test_only_pmo_schedules_and_executives_only_read(client, world):
    for who in ("biz1", "exec"):
        client.force_login(world[who])
        assert _start(client, world).status_code == 403
        assert client.get(reverse("training:list")).status_code == 200
    assert not TrainingSession.objects.exists()


@pytest.fixture
def held(world):
    session = services.schedule_session(
        by=world["pmo"],
        data={
            "topic": world["safety"],
            "title": "安全交底",
            "trainer": world["eng1"],
            "starts_at": timezone.now() + datetime.timedelta(hours=1),
            "audience": ["business"],
            "invitees": [world["biz1"], world["biz2"]],
        },
    )
    _held(session)
    return session


def test_a_non_organiser_marking_attendance_is_refused(client, world, held):
    services.mark_held(held.pk, by=world["pmo"])
    client.force_login(world["biz2"])
    r = client.post(
        reverse("training:attendance", args=[held.pk]),
        {"marking": "1", "attended": [world["biz2"].pk]},
    )
    assert r.status_code == 403
    assert not TrainingAttendance.objects.filter(session=held, attended=True).exists()
    # the trainer (a user) is an organiser of their own session
    client.force_login(world["eng1"])
    r = client.post(
        reverse("training:attendance", args=[held.pk]),
        {"marking": "1", "attended": [world["biz2"].pk]},
    )
    assert r.status_code == 302


def test_feedback_refusals(client, world, held):
    client.force_login(world["biz1"])
    # before it is held: 409
    r = client.post(reverse("training:feedback", args=[held.pk]), {"score": 4})
    assert r.status_code == 409
    services.mark_held(held.pk, by=world["pmo"])
    services.mark_attendance(held.pk, by=world["pmo"], attended=[world["biz1"]])
    # invited, not attended: 403; not on the session at all: 403
    for who in ("biz2", "fin"):
        client.force_login(world[who])
        r = client.post(reverse("training:feedback", args=[held.pk]), {"score": 4})
        assert r.status_code == 403, who
    # a score of 6: 400, nothing stored
    client.force_login(world["biz1"])
    r = client.post(reverse("training:feedback", args=[held.pk]), {"score": 6})
    assert r.status_code == 400
    assert TrainingAttendance.objects.get(session=held, user=world["biz1"]).score is None
    assert not AuditEvent.objects.filter(action="training.feedback_given").exists()
    # after the window: 409
    TrainingSession.objects.filter(pk=held.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=services.FEEDBACK_WINDOW_DAYS + 1)
    )
    r = client.post(reverse("training:feedback", args=[held.pk]), {"score": 4})
    assert r.status_code == 409


def test_records_are_ones_own_and_pmo_and_executives_see_anyones(client, world, held):
    url = reverse("training:person", args=["t_biz1"])
    client.force_login(world["biz2"])
    assert client.get(url).status_code == 403
    assert client.get(reverse("training:coverage")).status_code == 403
    for who in ("biz1", "pmo", "exec"):
        client.force_login(world[who])
        assert client.get(url).status_code == 200, who
    client.force_login(world["exec"])
    assert client.get(reverse("training:coverage")).status_code == 200


def test_cancelling_tells_the_invitees_and_a_change_of_place_too(client, world):
    session = SessionFactory(created_by=world["pmo"])
    TrainingAttendance.objects.create(session=session, user=world["biz1"])
    services.update_session(session.pk, by=world["pmo"], data={"location": "5楼培训室"})
    assert Notification.objects.filter(user=world["biz1"], kind="training.changed").count() == 1
    client.force_login(world["pmo"])
    r = client.post(reverse("training:cancel", args=[session.pk]), {"reason": "讲师出差"})
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled"
    subjects = Notification.objects.filter(user=world["biz1"], kind="training.changed")
    assert any("取消" in n.subject for n in subjects)
    assert AuditEvent.objects.get(action="training.session_cancelled").reason == "讲师出差"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_materials_keep_every_version_and_downloads_are_audited(client, world, held):
    client.force_login(world["pmo"])
    upload = SimpleUploadedFile("讲义.pdf", PDF, content_type="application/pdf")
    r = client.post(
        reverse("training:material_add", args=[held.pk]), {"title": "讲义", "file": upload}
    )
    assert r.status_code == 302
    material = held.materials.get()
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00", content_type="application/pdf")
    r = client.post(reverse("training:material_version", args=[material.pk]), {"file": fake})
    assert r.status_code == 400
    upload = SimpleUploadedFile("讲义v2.pdf", PDF, content_type="application/pdf")
    r = client.post(reverse("training:material_version", args=[material.pk]), {"file": upload})
    assert r.status_code == 302
    assert list(material.versions.values_list("version", flat=True)) == [2, 1]
    # anyone signed in reads it; the read is audited; non-organisers upload nothing
    client.force_login(world["biz2"])
    version = material.versions.get(version=2)
    r = client.get(reverse("training:material_file", args=[version.pk]))
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action="training.material_downloaded", actor=world["biz2"]
    ).exists()
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    r = client.post(
        reverse("training:material_add", args=[held.pk]), {"title": "x", "file": upload}
    )
    assert r.status_code == 403


def test_the_list_page_has_a_constant_query_count(client, world, django_assert_max_num_queries):
    client.force_login(world["biz1"])

    def make(n):
        for _ in range(n):
            s = SessionFactory(audience=["business", "engineering"], created_by=world["pmo"])
            TrainingAttendance.objects.create(session=s, user=world["biz1"], attended=True, score=4)

    make(2)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("training:list")).status_code == 200
    make(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("training:list")).content.decode()
    assert page.count("data-session=") == 12
    # the past tab and the filters too
    with django_assert_max_num_queries(len(small.captured_queries)):
        url = reverse("training:list") + f"?when=past&department={Department.BUSINESS}"
        assert client.get(url).status_code == 200


def test_a_held_session_is_past_and_one_waiting_to_be_held_stays_upcoming(client, world):
    started = timezone.now() - datetime.timedelta(hours=1)
    held = SessionFactory(title="已举行的", starts_at=started, status="held")
    waiting = SessionFactory(title="待确认的", starts_at=started)
    later = SessionFactory(title="下周的")
    client.force_login(world["biz1"])
    upcoming = client.get(reverse("training:list")).content.decode()
    past = client.get(reverse("training:list") + "?when=past").content.decode()
    assert f'data-session="{held.pk}"' in past and f'data-session="{held.pk}"' not in upcoming
    for s in (waiting, later):
        assert f'data-session="{s.pk}"' in upcoming and f'data-session="{s.pk}"' not in past
