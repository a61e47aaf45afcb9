"""XSS: a script payload in every free-text field is escaped wherever it renders (every HTML
page of the matrix, the admin), e-mails are plain text, exports defuse formulas."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import reverse

from coordination.core.services import notify
from tests import factories
from tests.security import routes
from tests.security.matrix import MATRIX
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
RAW = ("<script>alert(", "<img src=x onerror")
APPS = ("coordination", "projects", "handover", "kpi")
# Structured strings, not free text (validated where they are written; a payload there is
# not something a user can store).
NOT_FREE_TEXT = {
    "timezone",
    "currency",
    "content_hash",
    "signature",
    "key_hash",
    "prefix",
    "throttle_rate",
    "password",
    "url",
    "evidence_link",
    "evidence_version",
    "language",
    "kind",
    "department",
    "role",
    "key",
    "name",  # Sequence.name etc. are keys; names of people-facing objects are set below
}
NAMED = {"Project", "Customer", "Milestone", "HandoverTemplate", "KpiDefinition"}


def free_text_fields(model) -> list[str]:
    out = []
    for f in model._meta.get_fields():
        if not isinstance(f, models.CharField | models.TextField) or f.choices:
            continue
        if f.unique or f.primary_key or not f.editable:
            continue
        if f.name in NOT_FREE_TEXT and not (f.name == "name" and model.__name__ in NAMED):
            continue
        if f.max_length and f.max_length < len(PAYLOAD):
            continue
        out.append(f.name)
    return out


def poison_everything(payload: str = PAYLOAD) -> dict[str, list[str]]:
    """Write `payload` into every free-text field of every row of our apps."""
    touched = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = free_text_fields(model)
            if fields and model.objects.exists():
                model.objects.update(**{f: payload for f in fields})
                touched[model.__name__] = fields
    return touched


@pytest.fixture
def poisoned():
    cache.clear()
    world = build_world()
    touched = poison_everything()
    assert {"Project", "Customer", "Milestone", "Risk", "ChangeRequest"} <= set(touched)
    return world, touched


def leaks(html: str) -> bool:
    return any(raw in html for raw in RAW)


def test_every_html_page_escapes_the_payload(poisoned):
    world, _touched = poisoned
    clients = {role: Client() for role in ("biz_pm", "pmo")}
    for role, c in clients.items():
        c.force_login(world.users[role])
    leaked, errors, rendered = [], [], 0
    for route, entry in MATRIX.items():
        if "get" not in entry or route.startswith("api/"):
            continue
        url = routes.fill(route, entry.get("kwargs", {}), world)
        for role, c in clients.items():
            response = c.get(url)
            if response.status_code >= 500:
                errors.append((role, url, response.status_code))
            if response.get("Content-Type", "").startswith("text/html"):
                body = response.content.decode(errors="replace")
                if leaks(body):
                    leaked.append((role, url))
                rendered += "&lt;script&gt;alert(" in body
    assert not errors, errors
    assert not leaked, leaked
    assert rendered > 20  # the payload really was on the pages (escaped)


def test_htmx_panels_and_tabs_escape_the_payload(poisoned):
    world, _ = poisoned
    c = Client()
    c.force_login(world.users["pmo"])
    code = world.project.code
    for url in [
        f"/projects/{code}/",
        f"/projects/{code}/changes/panel/",
        f"/projects/{code}/kickoff/panel/",
        f"/reviews/project/{code}/panel/",
        f"/handover/{code}/panel/",
        f"/kpi/projects/{code}/panel/",
    ]:
        response = c.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url
        assert not leaks(response.content.decode()), url


def test_admin_pages_escape_the_payload(poisoned):
    world, touched = poisoned
    c = Client()
    c.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    leaked, errors = [], []
    for model, model_admin in admin.site._registry.items():
        if model.__name__ not in touched or model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        obj = model.objects.first()
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for url in urls:
            response = c.get(url)
            if response.status_code >= 500:
                errors.append((url, response.status_code))
            elif leaks(response.content.decode()):
                leaked.append(url)
    assert not errors, errors
    assert not leaked, leaked


def test_emails_are_plain_text_only(poisoned):
    world, _ = poisoned
    mail.outbox.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        notify(
            [world.users["biz_pm"]], kind="xss_check", subject=PAYLOAD, body=PAYLOAD, url="/xss/"
        )  # a kind and url of its own: nothing to fold into
    assert mail.outbox, "no e-mail sent"
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)  # no HTML part to inject into


FORMULAS = ['=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def dangerous(cell) -> bool:
    if not isinstance(cell, str) or not cell:
        return False
    if cell[0] in "=+@\t\r":
        return True
    return cell[0] == "-" and not cell[1:].replace(".", "", 1).isdigit()


def test_exports_defuse_formula_injection(poisoned):
    world, _ = poisoned
    c = Client()
    c.force_login(world.users["pmo"])
    for payload, fmt in [(p, f) for p in FORMULAS for f in ("csv", "xlsx")]:
        poison_everything(payload)
        response = c.get("/kpi/export/", {"format": fmt})
        assert response.status_code == 200, (fmt, response.status_code)
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        else:
            wb = openpyxl.load_workbook(io.BytesIO(response.content))
            cells = [
                cell.value
                for ws in wb.worksheets
                for row in ws.iter_rows()
                for cell in row
                if cell.value is not None
            ]
            assert not [c for c in cells if isinstance(c, str) and c.startswith("=")]
        bad = [c for c in cells if dangerous(c)]
        assert not bad, (fmt, bad[:5])
