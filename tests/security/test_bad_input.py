"""Bad input on every API write route of the matrix (malformed JSON, wrong types, huge bodies)
and disguised uploads on the HTML provide form: a clear 4xx, never a 500.
(Per-app detail: tests/api/test_malformed_input.py, tests/kpi/test_malformed.py,
tests/handover/test_api.py uploads.)"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import factories
from tests.security import routes
from tests.security.matrix import MATRIX, TOKEN_ONLY
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

BODIES = {
    "malformed": '{"title": "x",',
    "array": "[1, 2, 3]",
    "string": '"hello"',
    "number": "42",
    "null": "null",
    "wrong types": '{"title": 1, "name": [], "date": {}, "cost_impact": "abc", "to": 5}',
    "nul byte": '{"title": "a\\u0000b", "reason": "\\u0000"}',
    "deep": "[" * 5000 + "]" * 5000,
}
# actions that take no body: a malformed one is ignored (harmless), not parsed
BODYLESS = {
    "api/v1/change-requests/<int:pk>/submit/",
    "api/v1/project-members/<int:pk>/",
    *TOKEN_ONLY,  # logout: the token in the header is all it reads
}
HUGE = '{"title": "' + "x" * (6 * 1024 * 1024) + '"}'  # > DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.fixture
def world():
    cache.clear()
    return build_world()


def api_writes():
    for route, entry in MATRIX.items():
        if route.startswith("api/"):
            for method in routes.WRITE_METHODS:
                if method in entry:
                    yield route, entry, method


def test_bad_bodies_on_every_api_write_are_4xx(world):
    c = Client()
    c.force_login(world.users["pmo"])
    server_errors, odd = [], []
    for route, entry, method in api_writes():
        url = routes.fill(route, entry.get("kwargs", {}), world)
        for label, body in {**BODIES, "huge": HUGE}.items():
            extra = {}
            if route in TOKEN_ONLY:  # a session is refused (401): send a fresh token each time
                extra["HTTP_AUTHORIZATION"] = "Token " + factories.api_token(world.users["pmo"])
            response = getattr(c, method)(url, body, content_type="application/json", **extra)
            if response.status_code >= 500:
                server_errors.append((method, url, label, response.status_code))
            elif (route in BODYLESS or method == "delete") and response.status_code < 300:
                continue  # a DELETE takes no body: whatever was sent is not read
            elif label in ("malformed", "huge") and response.status_code not in (
                400,
                403,
                404,
                409,
                413,
                415,
            ):
                odd.append((method, url, label, response.status_code))
    assert not server_errors, server_errors
    assert not odd, odd


def test_wrong_content_types_are_415_not_500(world):
    c = Client()
    c.force_login(world.users["pmo"])
    server_errors = []
    for route, entry, method in api_writes():
        url = routes.fill(route, entry.get("kwargs", {}), world)
        for ctype, body in [
            ("text/plain", "hello"),
            ("application/xml", "<a/>"),
            ("application/json; charset=latin-1", '{"title": "\xe9"}'),
        ]:
            response = getattr(c, method)(url, body, content_type=ctype)
            if response.status_code >= 500:
                server_errors.append((method, url, ctype, response.status_code))
    assert not server_errors, server_errors


@pytest.mark.parametrize(
    "name,content,ctype",
    [
        ("contract.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/pdf"),
        ("contract.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("photo.jpg", b"%PDF-1.4 not a jpeg", "image/jpeg"),
        ("run.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("../../etc/passwd.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ],
)
def test_disguised_uploads_on_the_html_form_are_refused(world, name, content, ctype):
    from handover.models import HandoverItem

    item = world.objs["handover_item"]
    before = _stored(HandoverItem, item.pk)
    c = Client()
    c.force_login(world.users["biz_pm"])
    upload = SimpleUploadedFile(name, content, content_type=ctype)
    response = c.post(f"/handover/items/{item.pk}/provide/", {"file": upload})
    assert response.status_code < 500
    stored = _stored(HandoverItem, item.pk)
    if name.startswith("../"):  # a harmless name is fine, a path outside the media is not
        assert ".." not in stored
    else:
        assert stored == before  # refused: the earlier file stays


def test_oversized_upload_on_the_html_form_is_refused(world, settings):
    from handover.models import HandoverItem

    settings.UPLOAD_MAX_BYTES = 1024
    item = world.objs["handover_item"]
    before = _stored(HandoverItem, item.pk)
    c = Client()
    c.force_login(world.users["biz_pm"])
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000, "application/pdf")
    response = c.post(f"/handover/items/{item.pk}/provide/", {"file": big})
    assert response.status_code < 500
    assert _stored(HandoverItem, item.pk) == before


def _stored(model, pk) -> str:
    """The storage name of an item's current evidence file ("" when it has none)."""
    item = model.objects.select_related("evidence_version").get(pk=pk)
    return item.evidence_file.name if item.evidence_version_id else ""
