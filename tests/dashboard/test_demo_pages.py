"""With the demo data (`manage.py seed_demo`), every demo user's home page, the portfolio,
and every project page with each of its tabs' panels render."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coordination.dashboard import selectors
from coordination.devtools.demo.users import DEMO_PASSWORD, DEMO_USERS
from projects.core.models import Project

pytestmark = pytest.mark.django_db

PANELS = [
    ("presales:panel", "presales"),
    ("handover:panel", "handover"),
    ("kickoff_panel", "kickoff"),
    ("changes:panel", "changes"),
    ("reviews:project_panel", "reviews"),
    ("kpi:panel", "kpis"),
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", today=timezone.localdate(), stdout=io.StringIO(), force=True)


def _panel_urls(code: str) -> list[str]:
    urls = []
    for name, _tab in PANELS:
        try:
            urls.append(reverse(name, args=[code]))
        except NoReverseMatch:  # a feature not merged yet
            continue
    return urls


def test_every_demo_page_renders(demo, client):
    """Home and portfolio for each demo user; each project page and its tab panels."""
    for spec in DEMO_USERS:
        assert client.login(
            request=RequestFactory().get("/"), username=spec["username"], password=DEMO_PASSWORD
        )
        for url in [reverse("home"), reverse("dashboard:portfolio")]:
            response = client.get(url)
            assert response.status_code == 200, (spec["username"], url)
    client.login(request=RequestFactory().get("/"), username="pmo", password=DEMO_PASSWORD)
    html = client.get(reverse("dashboard:portfolio"), {"closed": "on"}).content.decode()
    totals = [int(n) for n in re.findall(r'data-column-total="(\d+)"', html)]
    assert sum(totals) == Project.objects.count()  # every project counted in its column
    shown = sum(min(n, selectors.BOARD_COLUMN_PAGE) for n in totals)
    assert html.count('class="card board-card') == shown
    assert 'data-health="red"' in html and 'data-health="green"' in html

    # every project page, with each tab's panel (seeded once: seeding takes a while)
    for project in Project.objects.all():
        html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
        assert 'id="project-health"' in html, project.code
        for tab in ["presales", "handover", "kickoff", "changes", "reviews", "risks", "kpis"]:
            assert f'id="pane-{tab}"' in html
        for url in _panel_urls(project.code):
            response = client.get(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, (project.code, url, response.status_code)
