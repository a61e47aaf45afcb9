"""Content-Security-Policy: scripts only from our own files, nothing inline.

The header refuses inline scripts (`script-src 'self'`, no 'unsafe-inline', no 'unsafe-eval');
styles may stay inline. So that no page breaks under it, no template holds an inline
`<script>`, an `on*=` event handler, a `javascript:` link or an htmx `hx-on` attribute (every
template directory is scanned, the admin overrides included), and the pages as served carry
no inline script either: only `<script src>` and never-executed JSON data blocks.
The same walk in a real browser, counting CSP violations: tests/browser/test_csp.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(?:ld\+)?json["']""", re.IGNORECASE)
HANDLER = re.compile(r"""<[^>]*?\son[a-z]+\s*=""", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)
HX_ON = re.compile(r"\b(?:data-)?hx-on\b", re.IGNORECASE)


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def _template_dirs() -> list[Path]:
    """Our own template directories: the project's and each of our apps' (not the packages')."""
    dirs = set()
    for engine in engines.all():
        for directory in engine.template_dirs:
            path = Path(directory).resolve()
            if path.is_relative_to(ROOT) and ".venv" not in path.parts:
                dirs.add(path)
    return sorted(dirs)


def _inline_scripts(html: str) -> list[str]:
    """Every `<script>` that would run without a src: its opening tag."""
    return [
        m.group(0)
        for m in SCRIPT_TAG.finditer(html)
        if "src=" not in m.group(1).lower() and not DATA_BLOCK.search(m.group(1))
    ]


def test_the_header_allows_scripts_from_our_own_origin_only(client):
    client.force_login(factories.pmo_user())
    for url in ("/", "/projects/", "/accounts/login/", "/api/v1/projects/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = _directives(response["Content-Security-Policy"])
        assert directives["script-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in " ".join(sum(directives.values(), []))
        # inline styles stay allowed (Bootstrap, htmx swaps, the admin set style= attributes)
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


def test_the_scan_sees_every_template_directory_of_ours():
    dirs = _template_dirs()
    assert ROOT / "templates" in dirs
    names = {p.relative_to(ROOT / "templates").parts[0] for p in (ROOT / "templates").rglob("*")}
    assert "admin" in names  # the admin overrides (django-celery-beat's periodic-task form)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    scanned = 0
    for directory in _template_dirs():
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            scanned += 1
            name = path.relative_to(ROOT)
            found += [f"{name}: {tag}" for tag in _inline_scripts(text)]
            found += [f"{name}: {m.group(0)[-40:]}" for m in HANDLER.finditer(text)]
            found += [f"{name}: javascript: URL" for _ in JS_URL.finditer(text)]
            found += [f"{name}: hx-on" for _ in HX_ON.finditer(text)]
    assert scanned > 100
    assert found == []


def test_the_scan_would_catch_each_kind_of_inline_script():
    samples = {
        '<select onchange="this.form.submit()">': HANDLER,
        "<button type=button onclick='window.print()'>": HANDLER,
        '<a href="javascript:void(0)">': JS_URL,
        '<div hx-on:click="alert(1)">': HX_ON,
    }
    for sample, pattern in samples.items():
        assert pattern.search(sample), sample
    assert _inline_scripts("<script>alert(1)</script><SCRIPT type='module'>x</SCRIPT>") == [
        "<script>",
        "<SCRIPT type='module'>",
    ]
    assert _inline_scripts('<script src="/static/js/app.js"></script>') == []
    assert _inline_scripts('<script id="d" type="application/json">{}</script>') == []
    assert not HANDLER.search('<button class="btn" data-bs-toggle="tab" aria-controls="x">')


def test_served_pages_carry_no_inline_script(client):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    admin = factories.pmo_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(name="nightly sync", task="x.y", interval=every)
    project = factories.ProjectFactory()
    client.force_login(admin)
    urls = [
        "/",
        "/projects/",
        f"/projects/{project.code}/",
        "/api/docs/",
        "/admin/",
        "/admin/django_celery_beat/periodictask/",
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        "/admin/django_celery_beat/periodictask/add/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _inline_scripts(response.content.decode()) == [], url
    form = client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/").content
    assert b'id="readable-crontabs" type="application/json"' in form
    assert b"js/admin/periodic_task.js" in form


def test_the_api_docs_init_script_is_a_separate_file(client):
    html = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content and b"/api/schema/" in script.content


def test_htmx_runs_without_eval_or_injected_styles(client):
    client.force_login(factories.pmo_user())
    html = client.get("/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"allowEval": false, """
        """"includeIndicatorStyles": false}'>"""
    ) in html
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css
