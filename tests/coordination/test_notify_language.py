"""Notifications are written in each recipient's language (their profile's, else the default),
not in the language of whoever acted; e-mails go out per language."""

import pytest
from django.core import mail
from django.utils import translation

from coordination.core.models import Notification
from coordination.core.services import notify
from projects.core.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db


def speaker(language: str, **kw):
    user = factories.business_user(**kw)
    user.profile.language = language
    user.profile.save()
    return user


def test_each_recipient_reads_their_own_language(django_capture_on_commit_callbacks):
    english, chinese, default = speaker("en"), speaker("zh-hans"), speaker("")
    project = factories.ProjectFactory()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        from django.utils.translation import gettext as _

        notify(
            [english, chinese, default, chinese],
            kind="project.stage_changed",
            subject=lambda: (
                _("%(code)s 阶段变更：%(from)s → %(to)s")
                % {
                    "code": project.code,
                    "from": Stage.OPPORTUNITY.label,
                    "to": Stage.CONTRACTED.label,
                }
            ),
            body=lambda: _("全公司"),
        )
    got = dict(Notification.objects.values_list("user__username", "subject"))
    assert len(got) == 3
    with translation.override("en"):
        english_stages = f"{Stage.OPPORTUNITY.label} → {Stage.CONTRACTED.label}"
    with translation.override("zh-hans"):
        chinese_stages = f"{Stage.OPPORTUNITY.label} → {Stage.CONTRACTED.label}"
    assert english_stages != chinese_stages
    assert got[english.username] == f"{project.code} stage change: {english_stages}"
    assert got[chinese.username] == f"{project.code} 阶段变更：{chinese_stages}"
    assert got[default.username] == got[chinese.username]  # zh-hans is the default
    assert sorted(m.subject for m in mail.outbox) == sorted(set(got.values()))
    assert {tuple(m.to) for m in mail.outbox} == {
        (english.email,),
        (chinese.email, default.email),
    }


def test_plain_texts_are_sent_as_given():
    reader = speaker("en")
    notify([reader], kind="x", subject="原样", body="正文")
    assert Notification.objects.get(user=reader).subject == "原样"
