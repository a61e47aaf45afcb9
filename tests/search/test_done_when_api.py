"""#19 "Done when", through the API an ERP or a script would use: a PM uploads a drawing and
its version 2, a colleague comments with an @mention, the mentioned engineer finds the
notification and, through search, the drawing by name and the comment; a non-member gets 404
on the document and the thread and finds none of it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.api.helpers import client_for
from tests.changes.factories import cast

pytestmark = pytest.mark.django_db

V1 = b"%PDF-1.4\n% pump station plan v1\n"
V2 = b"%PDF-1.4\n% pump station plan v2, entrance moved\n"


def pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _found(user, q: str) -> set[tuple[str, object]]:
    response = client_for(user).get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return {(hit["kind"], hit["id"]) for hit in response.json()["results"]}


def test_drawing_versions_mention_notification_search_and_a_non_member_sees_none():
    c = cast(name="城南泵站改造")
    engineer, code = c.tech_lead, c.project.code

    created = client_for(c.biz_pm).post(
        f"/api/v1/projects/{code}/documents/",
        {"file": pdf("泵站总平面图.pdf", V1), "title": "泵站总平面图", "category": "drawings"},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    v2 = client_for(c.biz_pm).post(
        f"/api/v1/documents/{document_id}/versions/",
        {"file": pdf("泵站总平面图-v2.pdf", V2), "note": "调整出入口"},
        format="multipart",
    )
    assert v2.status_code == 201, v2.content

    posted = client_for(c.eng_pm).post(
        "/api/v1/comments/",
        {
            "target": f"project:{code}",
            "body": f"@{engineer.username} 请按第 2 版泵站总平面图核对设备基础",
        },
        format="json",
    )
    assert posted.status_code == 201, posted.content
    comment = posted.json()
    assert comment["mentioned"] == [engineer.username]

    inbox = client_for(engineer).get("/api/v1/notifications/", {"unread": "1"}).json()
    [note] = [n for n in inbox["results"] if n["kind"] == "comment_mention"]
    assert note["url"] == f"/projects/{code}/#comment-{comment['id']}"
    assert code in note["subject"]

    for q in ("总平面图", "泵站"):  # a 3+ character name fragment and a 2-character text
        assert ("document", document_id) in _found(engineer, q)
        assert ("comment", comment["id"]) in _found(engineer, q)
    assert ("comment", comment["id"]) in _found(engineer, "设备基础")
    detail = client_for(engineer).get(f"/api/v1/documents/{document_id}/").json()
    assert detail["current_version"] == 2 and len(detail["versions"]) == 2

    outsider = factories.engineering_user()
    stranger = client_for(outsider)
    assert stranger.get(f"/api/v1/documents/{document_id}/").status_code == 404
    for version in detail["versions"]:
        assert stranger.get(version["download_url"]).status_code == 404
    assert stranger.get("/api/v1/comments/", {"target": f"project:{code}"}).status_code == 404
    assert stranger.get(f"/api/v1/comments/{comment['id']}/").status_code == 404
    for q in ("总平面图", "泵站", "设备基础", code):
        kinds = {kind for kind, _id in _found(outsider, q)}
        assert kinds <= {"customer"}, (q, kinds)
