"""The project activity stream: readable in both languages, no raw codes, paged, constant
queries; with the demo data, every event kind it produces."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coordination.conversations import activity
from coordination.core.models import AuditEvent
from coordination.core.services import record_audit
from projects.core.models import Project
from tests import factories
from tests.formpage import login

pytestmark = pytest.mark.django_db

# what must never reach the page: an action code, key=value, a dict or list repr
RAW = [
    re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)+\b"),  # project.stage_changed
    re.compile(r"\b[a-z_]+=[\w{\[]"),  # stage=delivered, scores={
    re.compile(r"\{['\"]"),  # {'a': 1}
    re.compile(r"\[['\"]"),  # ['a']
]


def _stream_text(client, code: str) -> list[str]:
    """The text of every page of the stream (tags removed)."""
    pages, page = [], 1
    while True:
        r = client.get(reverse("conversations:activity", args=[code]), {"page": page})
        assert r.status_code == 200
        html = r.content.decode()
        body = html.split('class="list-unstyled activity-stream"', 1)[1]
        pages.append(re.sub(r"<[^>]+>", " ", body))
        if f"?page={page + 1}" not in html:
            return pages
        page += 1


def _no_raw(text: str, actions: set[str]) -> None:
    for pattern in RAW:
        m = pattern.search(text)
        assert m is None, text[max(0, m.start() - 80) : m.end() + 80]
    for action in actions:
        assert action not in text


def test_a_stage_change_reads_in_both_languages():
    project = factories.ProjectFactory(stage="execution")
    pm = project.business_pm
    record_audit(
        actor=pm,
        action="project.stage_changed",
        target=project,
        before={"stage": "execution"},
        after={"stage": "delivered", "scores": {"q1": 5}},
        reason="全部里程碑完成",
    )
    client = login(pm)
    zh = " ".join(_stream_text(client, project.code))
    assert "变更了项目阶段" in zh and "实施" in zh and "已交付" in zh and "全部里程碑完成" in zh
    _no_raw(zh, {"project.stage_changed"})
    client.post(reverse("set_language"), {"language": "en"})
    with translation.override("en"):
        en = " ".join(_stream_text(client, project.code))
    assert "changed the project stage" in en and "Delivered" in en, en
    _no_raw(en, {"project.stage_changed"})


def test_an_unknown_action_is_told_from_its_verb_and_model():
    assert activity.action_label("risk.archived_somehow", "projects.risk") == "更新了风险"
    assert activity.action_label("risk.deleted", "projects.risk") == "删除了风险"
    assert activity.action_label("thing.deleted", "nowhere.thing") == "删除了记录"


def test_paged_in_constant_queries():
    project = factories.ProjectFactory()
    client = login(project.business_pm)
    url = reverse("conversations:activity", args=[project.code])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            record_audit(
                actor=project.business_pm,
                action="project.updated",
                target=project,
                before={"name": f"n{i}"},
                after={"name": f"n{i + 1}"},
            )
            client.post(
                reverse("conversations:thread"),
                {"target": f"project:{project.code}", "body": f"第 {i} 条"},
            )

    add(2)
    small = count()
    add(activity.PAGE_SIZE)
    assert count() == small
    html = client.get(url, {"page": 2}).content.decode()
    assert html.count('class="border-bottom py-2 activity-entry"') > 0


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", today=datetime.date(2026, 3, 2), stdout=io.StringIO(), force=True)


def test_the_demo_stream_has_no_raw_code_in_either_language(demo):
    actions = set(
        AuditEvent.objects.exclude(project_code="").values_list("action", flat=True).distinct()
    )
    unlabelled = {a for a in actions if a not in activity.ACTIONS}
    assert not unlabelled, unlabelled  # every kind the demo produces has its own sentence
    pmo = factories.pmo_user()
    for language in ("zh-hans", "en"):
        client = login(pmo)
        client.post(reverse("set_language"), {"language": language})
        with translation.override(language):
            for project in Project.objects.all():
                for text in _stream_text(client, project.code):
                    _no_raw(text, actions)
