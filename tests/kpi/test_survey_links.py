"""The customer's own voice: a private survey link answered once, without an account, that
feeds the satisfaction KPI; staff entries stay possible and are marked as such, and the KPI
can be shown for either source (issue #20 point 8)."""

import datetime
import hashlib
import json

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from coordination.core.models import AuditEvent, Notification
from kpi import periods as P
from kpi import services as kpi_services
from kpi.models import ClosedPeriod, KpiSnapshot, Restatement, SatisfactionSurvey
from kpi.selectors.config import active_kpis
from kpi.selectors.drilldown import rows_behind
from kpi.selectors.kpi_values import value_rows
from kpi.selectors.scopes import Scope
from kpi.surveys import services
from kpi.surveys.models import SurveyInvitation
from kpi.surveys.questions import QUESTION_KEYS
from kpi.surveys.views import misses_key
from projects.core.models import MemberRole
from tests import factories
from tests.concurrency import together
from tests.conftest import client_for
from tests.kpi.factories import SurveyFactory

pytestmark = pytest.mark.django_db
UNUSABLE = "此问卷链接无法使用"
ANSWER = {"overall_score": "5", "q0": "4", "q2": "5", "comments": "配合顺畅"}


def invite(project, *, by=None, **kw):
    kw.setdefault("recipient_name", "王总")
    return services.create_invitation(project, by=by or project.business_pm, **kw)


def page(token, client=None, **kw):
    return (client or Client()).get(f"/s/{token}/", **kw)


def answer(token, data=None, client=None):
    return (client or Client()).post(f"/s/{token}/", data or ANSWER)


# ------------------------------------------------------------------ the customer's page
def test_the_customer_answers_once_and_the_kpi_counts_one_survey(project):
    invitation, token = invite(project)
    shown = page(token)
    html = shown.content.decode()
    assert shown.status_code == 200
    assert project.name in html and "王总" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert shown["X-Robots-Tag"] == "noindex, nofollow"
    assert shown["Cache-Control"] == "no-store"
    assert "navbar" not in html and project.code not in html  # nothing of the staff's side
    for i in range(len(QUESTION_KEYS)):  # every question of the staff's survey, 1–5
        assert all(f'name="q{i}" id="id_q{i}_{n}"' in html for n in range(5))

    done = answer(token)
    assert done.status_code == 200 and "感谢您的反馈" in done.content.decode()
    survey = SatisfactionSurvey.objects.get(project=project)
    assert survey.source == SatisfactionSurvey.Source.CUSTOMER
    assert survey.respondent == "王总" and survey.overall_score == 5
    assert survey.scores == {QUESTION_KEYS[0]: 4, QUESTION_KEYS[2]: 5}
    assert survey.surveyed_on == timezone.localdate() and survey.created_by is None
    invitation.refresh_from_db()
    assert invitation.used_at and invitation.survey == survey
    assert invitation.status == SurveyInvitation.Status.ANSWERED

    again = answer(token, {**ANSWER, "overall_score": "1"})
    assert again.status_code == 410 and UNUSABLE in again.content.decode()
    assert page(token).status_code == 410
    assert SatisfactionSurvey.objects.filter(project=project).count() == 1
    assert AuditEvent.objects.filter(action="kpi.survey_invitation_answered").count() == 1
    recorded = AuditEvent.objects.get(action="kpi.survey_recorded")
    assert recorded.after["source"] == "customer" and recorded.actor is None


def test_expired_revoked_and_unknown_links_say_the_same(project, settings):
    settings.SURVEY_LINK_DAYS = 14
    expired, expired_token = invite(project, now=timezone.now() - datetime.timedelta(days=15))
    assert expired.status == SurveyInvitation.Status.EXPIRED
    revoked, revoked_token = invite(project)
    services.revoke_invitation(revoked.pk, by=project.engineering_pm)
    bodies = {}
    for name, token, status in [
        ("expired", expired_token, 410),
        ("revoked", revoked_token, 410),
        ("unknown", "x" * 43, 404),
        ("garbage", "%00..", 404),
    ]:
        for response in (page(token), answer(token)):
            assert response.status_code == status, name
            body = response.content.decode()
            bodies[name] = body[body.index("<main") :]
            assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert len(set(bodies.values())) == 1  # nothing tells which
    assert UNUSABLE in bodies["unknown"] and "已经填写过" in bodies["unknown"]
    assert not SatisfactionSurvey.objects.exists()


def test_a_fresh_link_expires_after_the_setting(project, settings):
    settings.SURVEY_LINK_DAYS = 3
    before = timezone.now()
    invitation, _token = invite(project)
    assert (
        before + datetime.timedelta(days=3)
        <= invitation.expires_at
        <= timezone.now() + datetime.timedelta(days=3)
    )


def test_the_page_is_in_the_links_language_with_a_switch(project):
    _inv, token = invite(project, language="en")
    english = page(token).content.decode()
    assert '<html lang="en">' in english and "Customer satisfaction survey" in english
    assert 'href="?lang=zh-hans"' in english
    chinese = page(token, data={"lang": "zh-hans"}).content.decode()
    assert '<html lang="zh-hans">' in chinese and "客户满意度调查" in chinese
    thanks = answer(token, {**ANSWER, "lang": "en"}).content.decode()
    assert "Thank you" in thanks


def test_a_missing_overall_score_is_asked_again_and_nothing_is_used(project):
    invitation, token = invite(project)
    response = answer(token, {"q0": "3"})
    assert response.status_code == 400 and "请选择评分" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None and not SatisfactionSurvey.objects.exists()
    bad = answer(token, {"overall_score": "9"})
    assert bad.status_code == 400
    assert answer(token).status_code == 200


def test_csrf_still_guards_the_form_and_a_signed_in_executive_changes_nothing(project):
    _inv, token = invite(project)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/s/{token}/", ANSWER).status_code == 403
    form = strict.get(f"/s/{token}/")
    csrf = form.cookies["csrftoken"].value
    executive = Client()
    executive.force_login(factories.executive_user())
    executive.cookies["csrftoken"] = csrf
    # a read-only role signed in in the same browser does not stand in the customer's way
    assert answer(token, {**ANSWER, "csrfmiddlewaretoken": csrf}, executive).status_code == 200
    assert SatisfactionSurvey.objects.get().source == "customer"


@override_settings(SURVEY_LINK_MISSES_PER_HOUR=30)
def test_unknown_tokens_from_one_address_are_slowed_down(db):
    client = Client(REMOTE_ADDR="203.0.113.30")
    cache.delete(misses_key(RequestFactory().get("/", REMOTE_ADDR="203.0.113.30")))
    statuses = [client.get(f"/s/unknown-{i}/").status_code for i in range(32)]
    assert statuses[:30] == [404] * 30 and statuses[-1] == 429


# ------------------------------------------------------------------ the token is a secret
def test_only_the_tokens_hash_is_stored_and_nothing_audits_the_token(project):
    invitation, token = invite(project, email="wang@example.com")
    row = SurveyInvitation.objects.filter(pk=invitation.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(row, default=str)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM kpi_surveyinvitation")
        assert token not in repr(cursor.fetchall())
    audits = json.dumps(list(AuditEvent.objects.values("before", "after", "target_repr")))
    assert token not in audits and row["token_hash"] not in audits
    assert len(token) >= 43  # secrets.token_urlsafe(32)


def test_two_answers_at_once_make_one_survey(project, transactional_db):
    _inv, token = invite(project)

    def submit(score):
        return lambda: services.answer_invitation(token, overall_score=score)

    results = together([submit(5), submit(1)])
    surveys = [r for r in results if isinstance(r, SatisfactionSurvey)]
    refused = [r for r in results if isinstance(r, services.LinkUnusable)]
    assert len(surveys) == 1 and len(refused) == 1 and refused[0].gone
    assert SatisfactionSurvey.objects.count() == 1
    assert SurveyInvitation.objects.get().survey_id == surveys[0].pk


# ------------------------------------------------------------------ rules of the answer
def test_a_late_customer_answer_waits_as_a_restatement_and_tells_both_pms(project):
    today = timezone.localdate()
    key = P.containing(today, P.MONTH).key
    ClosedPeriod.objects.create(period=key, status=ClosedPeriod.Status.CLOSED)
    _inv, token = invite(project)
    survey = services.answer_invitation(token, overall_score=4, comments="  ")
    assert Restatement.objects.filter(
        period=key, input_kind="survey", input_id=survey.pk, status="pending"
    ).exists()
    told = Notification.objects.filter(kind="survey.answered")
    assert {n.user_id for n in told} == {project.business_pm_id, project.engineering_pm_id}
    assert all(project.code in n.subject for n in told)


def test_unknown_questions_are_refused(project):
    _inv, token = invite(project)
    with pytest.raises(kpi_services.ValidationError):
        services.answer_invitation(token, overall_score=4, scores={"价格": 5})
    assert not SatisfactionSurvey.objects.exists()


@override_settings(SITE_URL="https://hub.example.com")
def test_the_link_is_emailed_in_the_invitations_language(
    project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _inv, token = invite(project, email="lee@example.com", language="en")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lee@example.com"]
    assert f"https://hub.example.com/s/{token}/" in sent.body
    assert "Satisfaction survey" in sent.subject and "once" in sent.body
    with django_capture_on_commit_callbacks(execute=True):
        invite(project)  # no address: no mail
    assert len(mail.outbox) == 1


def test_an_answered_link_cannot_be_revoked_and_a_revoked_one_only_once(project):
    invitation, token = invite(project)
    services.answer_invitation(token, overall_score=5)
    with pytest.raises(kpi_services.Conflict):
        services.revoke_invitation(invitation.pk, by=project.business_pm)
    other, _token = invite(project)
    services.revoke_invitation(other.pk, by=project.business_pm)
    with pytest.raises(kpi_services.Conflict):
        services.revoke_invitation(other.pk, by=project.business_pm)


# ------------------------------------------------------------------ who may send a link
@pytest.fixture
def people(project):
    lead, tech = factories.business_user(), factories.engineering_user()
    factories.MembershipFactory(project=project, user=lead, role=MemberRole.BUSINESS_LEAD)
    factories.MembershipFactory(project=project, user=tech, role=MemberRole.TECH_LEAD)
    return {
        "anonymous": None,
        "non_member": factories.business_user(),
        "tech_lead": tech,
        "executive": factories.executive_user(),
        "business_pm": project.business_pm,
        "engineering_pm": project.engineering_pm,
        "business_lead": lead,
        "pmo": factories.pmo_user(),
    }


def test_who_may_send_a_link_through_the_api(project, people):
    url = f"/api/v1/projects/{project.code}/survey-invitations/"
    body = {"recipient_name": "王总", "language": "en"}
    statuses = {
        name: client_for(user).post(url, body, format="json").status_code
        for name, user in people.items()
    }
    assert statuses == {
        "anonymous": 401,
        "non_member": 404,
        "tech_lead": 403,
        "executive": 403,
        "business_pm": 201,
        "engineering_pm": 201,
        "business_lead": 201,
        "pmo": 201,
    }
    assert SurveyInvitation.objects.filter(project=project).count() == 4


def test_who_may_send_and_revoke_a_link_on_the_page(project, people):
    statuses = {}
    for name, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.post(
            f"/kpi/projects/{project.code}/survey-invitations/",
            {"recipient_name": "王总", "language": "zh-hans"},
        )
        statuses[name] = response.status_code
    assert statuses == {
        "anonymous": 302,  # to the login page
        "non_member": 404,
        "tech_lead": 302,  # back to the project, with the refusal
        "executive": 403,
        "business_pm": 200,  # the page showing the link once
        "engineering_pm": 200,
        "business_lead": 200,
        "pmo": 200,
    }
    assert SurveyInvitation.objects.count() == 4
    target = SurveyInvitation.objects.first()
    tech = Client()
    tech.force_login(people["tech_lead"])
    tech.post(f"/kpi/projects/{project.code}/survey-invitations/{target.pk}/revoke/")
    assert SurveyInvitation.objects.get(pk=target.pk).revoked_at is None
    lead = Client()
    lead.force_login(people["business_lead"])
    lead.post(f"/kpi/projects/{project.code}/survey-invitations/{target.pk}/revoke/")
    assert SurveyInvitation.objects.get(pk=target.pk).revoked_at is not None


# ------------------------------------------------------------------ the staff's side
def test_the_link_is_shown_once_and_the_lists_mark_the_source(project, settings):
    pm = Client()
    pm.force_login(project.business_pm)
    created = pm.post(
        f"/kpi/projects/{project.code}/survey-invitations/",
        {"recipient_name": "王总", "language": "zh-hans", "email": ""},
    )
    html = created.content.decode()
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    link = html.split("data-survey-link", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert link.startswith("http://") and "/s/" in link and 'data-copy="#survey-link"' in html
    token = link.rstrip("/").rsplit("/", 1)[1]
    SurveyFactory(project=project, respondent="录入的客户", surveyed_on=timezone.localdate())
    panel = pm.get(f"/kpi/projects/{project.code}/panel/").content.decode()
    assert token not in panel
    assert 'data-invitation-status="pending"' in panel and "撤回" in panel
    assert 'data-survey-source="staff"' in panel and "录入" in panel
    services.answer_invitation(token, overall_score=5)
    panel = pm.get(f"/kpi/projects/{project.code}/panel/").content.decode()
    assert 'data-survey-source="customer"' in panel and "客户填写" in panel
    assert 'data-invitation-status="answered"' in panel
    pm.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = pm.get(f"/kpi/projects/{project.code}/panel/").content.decode()
    assert "Answered by the customer" in english and "Entered by staff" in english
    assert "Send the customer a survey link" in english


def test_the_api_lists_links_without_tokens_and_revokes(project):
    pm = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/survey-invitations/"
    created = pm.post(url, {"recipient_name": "王总"}, format="json").json()
    assert created["link"].endswith("/") and "/s/" in created["link"]
    assert created["status"] == "pending" and created["language"] == "zh-hans"
    listed = pm.get(url).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [created["id"]]
    text = json.dumps(listed)
    assert "link" not in rows[0] and "token" not in text
    assert created["link"].rsplit("/", 2)[1] not in text
    revoked = pm.post(f"{url}{created['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert pm.post(f"{url}{created['id']}/revoke/").status_code == 409
    assert pm.post(f"{url}999999/revoke/").status_code == 404
    assert pm.post(url, {"recipient_name": ""}, format="json").status_code == 400
    assert pm.post(url, {"recipient_name": "x", "language": "fr"}, format="json").status_code == 400
    outsider = client_for(factories.business_user())
    assert outsider.get(url).status_code == 404


def test_the_admin_lists_links_without_the_token(project, admin_client):
    _inv, token = invite(project)
    listed = admin_client.get("/admin/kpi/surveyinvitation/")
    assert listed.status_code == 200 and "王总" in listed.content.decode()
    detail = admin_client.get(f"/admin/kpi/surveyinvitation/{_inv.pk}/change/").content.decode()
    assert token not in detail and _inv.token_hash not in detail


# ------------------------------------------------------------------ the KPI by source
@pytest.fixture
def mixed(project):
    """March 2026: two staff entries (5 and 3), one customer answer (2)."""
    day = datetime.date(2026, 3, 10)
    SurveyFactory(project=project, overall_score=5, surveyed_on=day)
    SurveyFactory(project=project, overall_score=3, surveyed_on=day)
    SurveyFactory(project=project, overall_score=2, surveyed_on=day, source="customer")
    return project


def _satisfaction(project, source, key="2026-03"):
    kpis = active_kpis(["customer_satisfaction"])
    scope = Scope("project", project.code)
    return value_rows(kpis, scope, [P.parse(key)], datetime.date(2026, 11, 1), source=source)[0]


def test_the_satisfaction_kpi_by_source_live_and_frozen(mixed):
    want = {
        "all": ("1.0000", "3.0000", "33.3333", "3.33"),
        "staff": ("1.0000", "2.0000", "50.0000", "4.00"),
        "customer": ("0.0000", "1.0000", "0.0000", "2.00"),
    }
    for frozen in (False, True):
        if frozen:
            kpi_services.close_period("2026-03", today=datetime.date(2026, 11, 1))
        for source, (num, den, value, avg) in want.items():
            row = _satisfaction(mixed, source)
            assert row["frozen"] is frozen
            got = (str(row["numerator"]), str(row["denominator"]), str(row["value"]))
            assert got == (num, den, value), (source, frozen)
            assert row["extra"]["average_score"] == avg


def test_a_period_frozen_before_sources_held_staff_entries_only(mixed):
    kpi_services.close_period("2026-03", today=datetime.date(2026, 11, 1))
    snap = KpiSnapshot.objects.get(
        kpi__code="customer_satisfaction",
        scope_type="project",
        scope_key=mixed.code,
        period="2026-03",
    )
    snap.extra = {"average_score": snap.extra["average_score"]}  # as frozen before 0006
    snap.save()
    assert _satisfaction(mixed, "staff")["value"] == _satisfaction(mixed, "all")["value"]
    assert _satisfaction(mixed, "customer")["no_cases"] is True


def test_the_values_api_and_the_kpi_page_take_a_source(mixed):
    pm = client_for(mixed.business_pm)
    url = (
        "/api/v1/kpis/values/?kpi=customer_satisfaction,on_time_delivery_rate"
        f"&scope=project:{mixed.code}&from=2026-03&to=2026-03"
    )
    values = {}
    for source in ("all", "customer", "staff"):
        body = pm.get(f"{url}&source={source}").json()
        assert body["source"] == source
        values[source] = {r["kpi"]: r["value"] for r in body["results"]}
    assert values["all"]["customer_satisfaction"] == "33.3333"
    assert values["customer"]["customer_satisfaction"] == "0.0000"
    assert values["staff"]["customer_satisfaction"] == "50.0000"
    # the source applies to the satisfaction KPI only
    assert len({v["on_time_delivery_rate"] for v in values.values()}) == 1
    assert pm.get(url).json()["source"] == "all"
    bad = pm.get(f"{url}&source=robots")
    assert bad.status_code == 400 and "source" in bad.json()

    rows = pm.get(
        f"/api/v1/kpis/rows/?kpi=customer_satisfaction&scope=project:{mixed.code}"
        "&period=2026-03&source=customer"
    ).json()
    assert [r["record"] for r in rows["parts"][0]["rows"]][0].endswith("(客户填写)")
    assert len(rows["parts"][0]["rows"]) == 1

    browser = Client()
    browser.force_login(mixed.business_pm)
    kpi_page = browser.get(
        f"/kpi/?scope=project:{mixed.code}&granularity=month&from=2026-03&to=2026-03"
        "&source=customer"
    )
    html = kpi_page.content.decode()
    assert kpi_page.status_code == 200 and 'data-source="customer"' in html
    assert '<option value="customer" selected>' in html
    assert browser.get("/kpi/?source=bad").status_code == 200  # shown as an error, not a 500
    cell = browser.get(
        f"/kpi/rows/?kpi=customer_satisfaction&scope=project:{mixed.code}&period=2026-03"
        "&source=staff"
    )
    assert cell.status_code == 200 and "仅录入" in cell.content.decode()


def test_the_drill_down_by_source_lists_what_it_counts(mixed):
    scope = Scope("project", mixed.code)
    for source, n in (("all", 3), ("staff", 2), ("customer", 1)):
        parts = rows_behind(
            "customer_satisfaction", scope, P.parse("2026-03"), datetime.date(2026, 11, 1), source
        )
        assert len(parts[0]["rows"]) == n


def test_the_admin_action_revokes_through_the_service(project, admin_client):
    pending, _token = invite(project)
    answered, token = invite(project)
    services.answer_invitation(token, overall_score=4)
    response = admin_client.post(
        "/admin/kpi/surveyinvitation/",
        {"action": "revoke", "_selected_action": [pending.pk, answered.pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    answered.refresh_from_db()
    assert pending.revoked_at is not None and answered.revoked_at is None
    assert AuditEvent.objects.filter(action="kpi.survey_invitation_revoked").count() == 1
