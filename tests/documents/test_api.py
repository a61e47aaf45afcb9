"""Documents API (API.md, the shared platform): upload, versions kept, SHA-256 exact,
non-members 404 everywhere, sniffing, preview headers, downloads audited, query counts."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coordination.core.models import AuditEvent
from projects.documents import services
from projects.documents.models import Document, DocumentVersion
from projects.tasks import services as task_services
from tests import factories

pytestmark = pytest.mark.django_db

TASK_START = datetime.date(2026, 9, 28)

PDF1 = b"%PDF-1.4\n% drawing v1\n"
PDF2 = b"%PDF-1.4\n% drawing v2, entrance moved\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
DOCX_NOT = b"PK\x03\x04 not really"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def pdf(name="总平面图.pdf", content=PDF1):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def project():
    return factories.ProjectFactory()


def upload(project, user=None, **extra):
    data = {"file": pdf(), "title": "总平面图", "category": "drawings", **extra}
    return client_for(user or project.business_pm).post(
        f"/api/v1/projects/{project.code}/documents/", data, format="multipart"
    )


def test_a_member_uploads_a_drawing(project):
    response = upload(project)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["project"] == project.code
    assert body["title"] == "总平面图" and body["category"] == "drawings"
    assert body["current_version"] == 1
    [v1] = body["versions"]
    assert v1["version"] == 1
    assert v1["size"] == len(PDF1)
    assert v1["sha256"] == hashlib.sha256(PDF1).hexdigest()
    assert v1["uploaded_by"] == project.business_pm.username
    assert v1["filename"] == "总平面图.pdf"
    assert AuditEvent.objects.filter(action="document.created", project_code=project.code).exists()


def test_version_2_keeps_version_1(project):
    document_id = upload(project).json()["id"]
    engineer = project.engineering_pm
    response = client_for(engineer).post(
        f"/api/v1/documents/{document_id}/versions/",
        {"file": pdf("总平面图-v2.pdf", PDF2), "note": "按业主意见调整出入口"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = client_for(project.business_pm).get(f"/api/v1/documents/{document_id}/").json()
    assert body["current_version"] == 2
    v2, v1 = body["versions"]
    assert (v2["version"], v2["uploaded_by"], v2["note"]) == (
        2,
        engineer.username,
        "按业主意见调整出入口",
    )
    assert v2["sha256"] == hashlib.sha256(PDF2).hexdigest()
    assert v1["version"] == 1 and v1["sha256"] == hashlib.sha256(PDF1).hexdigest()
    first = client_for(project.business_pm).get(v1["download_url"])
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == PDF1
    second = client_for(project.business_pm).get(v2["download_url"])
    assert b"".join(second.streaming_content) == PDF2


def test_non_members_get_404_on_list_detail_versions_and_download(project):
    document_id = upload(project).json()["id"]
    version = DocumentVersion.objects.get(document_id=document_id)
    stranger = client_for(factories.business_user())
    assert stranger.get(f"/api/v1/projects/{project.code}/documents/").status_code == 404
    assert stranger.get(f"/api/v1/documents/{document_id}/").status_code == 404
    assert stranger.get(f"/api/v1/document-versions/{version.pk}/download/").status_code == 404
    response = stranger.post(
        f"/api/v1/documents/{document_id}/versions/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 404
    assert upload(project, factories.business_user()).status_code == 404
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1
    assert client_for(None).get(f"/api/v1/documents/{document_id}/").status_code in (401, 403)


def test_a_read_only_role_sees_but_may_not_upload(project):
    upload(project)
    executive = factories.executive_user()
    assert (
        client_for(executive).get(f"/api/v1/projects/{project.code}/documents/").status_code == 200
    )
    assert upload(project, executive).status_code == 403
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    "name, content",
    [
        ("drawing.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run"),  # exe as pdf
        ("setup.exe", b"MZ\x90\x00"),
        ("photo.png", PDF1),
        ("spec.docx", DOCX_NOT),
    ],
)
def test_sniffing_refuses_disguised_files_and_changes_nothing(project, name, content):
    response = upload(project, file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.json()["file"]
    assert Document.objects.count() == 0 and DocumentVersion.objects.count() == 0


def test_an_exe_renamed_pdf_is_refused_as_a_new_version_too(project):
    document_id = upload(project).json()["id"]
    response = client_for(project.business_pm).post(
        f"/api/v1/documents/{document_id}/versions/",
        {"file": SimpleUploadedFile("v2.pdf", b"MZ\x90\x00\x03")},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()
    assert Document.objects.get().current_version == 1


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_too_large_is_413(project):
    response = upload(project, file=pdf(content=PDF1 + b"0" * 2048))
    assert response.status_code == 413
    assert "file" in response.json()
    assert Document.objects.count() == 0


def test_missing_title_and_bad_category_are_400(project):
    response = upload(project, title="", category="poems")
    assert response.status_code == 400
    assert set(response.json()) >= {"title", "category"}


def test_preview_of_a_pdf_is_inline_with_safe_headers(project):
    document_id = upload(project).json()["id"]
    version = DocumentVersion.objects.get(document_id=document_id)
    client = client_for(project.business_pm)
    preview = client.get(f"/api/v1/document-versions/{version.pk}/download/?preview=1")
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"
    download = client.get(f"/api/v1/document-versions/{version.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")


def test_a_text_file_is_never_inline_even_when_previewed(project):
    response = upload(project, file=SimpleUploadedFile("a.txt", b"<script>alert(1)</script>"))
    assert response.status_code == 201
    version = DocumentVersion.objects.get()
    got = client_for(project.business_pm).get(
        f"/api/v1/document-versions/{version.pk}/download/?preview=1"
    )
    assert got["Content-Disposition"].startswith("attachment")
    assert got["Content-Type"].startswith("text/plain")
    assert got["X-Content-Type-Options"] == "nosniff"


def test_downloads_and_previews_are_audited(project):
    document_id = upload(project).json()["id"]
    version = DocumentVersion.objects.get(document_id=document_id)
    engineer = client_for(project.engineering_pm)
    engineer.get(f"/api/v1/document-versions/{version.pk}/download/")
    engineer.get(f"/api/v1/document-versions/{version.pk}/download/?preview=1")
    events = AuditEvent.objects.filter(target_id=str(version.pk), project_code=project.code)
    assert sorted(events.values_list("action", flat=True)) == [
        "document.downloaded",
        "document.previewed",
    ]
    assert set(events.values_list("actor__username", flat=True)) == {
        project.engineering_pm.username
    }


def test_the_library_filters_by_category_and_leaves_out_attachments(project):
    upload(project)
    upload(project, title="合同正本", category="contract")
    task_doc = factories.ProjectFactory()  # another project's document never shows
    upload(task_doc)
    results = (
        client_for(project.business_pm)
        .get(f"/api/v1/projects/{project.code}/documents/?category=contract")
        .json()["results"]
    )
    assert [r["title"] for r in results] == ["合同正本"]
    bad = client_for(project.business_pm).get(
        f"/api/v1/projects/{project.code}/documents/?category=poems"
    )
    assert bad.status_code == 400 and "category" in bad.json()


def _seed(project, n):
    start = Document.objects.filter(project=project).count()
    for i in range(start, start + n):
        document = services.create_document(
            project, by=project.business_pm, file=pdf(), title=f"图纸 {i}", category="drawings"
        )
        services.add_version(document.pk, by=project.engineering_pm, file=pdf(content=PDF2))


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_library_list_has_constant_queries(project):
    client = client_for(project.business_pm)
    url = f"/api/v1/projects/{project.code}/documents/"
    _seed(project, 2)
    small, response = _count(client, url)
    assert response.json()["count"] == 2
    _seed(project, 10)
    large, response = _count(client, url)
    assert response.json()["count"] == 12
    assert all(r["current_version"] == 2 for r in response.json()["results"])
    assert small == large


def test_the_library_page_has_constant_queries(project):
    client = client_for(project.business_pm)
    client.force_login(project.business_pm)
    url = f"/projects/{project.code}/documents/"
    _seed(project, 2)
    small, _ = _count(client, url)
    _seed(project, 10)
    large, response = _count(client, url)
    assert "图纸 11" in response.content.decode()
    assert small == large


def test_an_attachment_uploaded_on_a_task_page_shows_there_and_not_in_the_library(client):
    project = factories.ProjectFactory()
    task = task_services.create_task(
        project,
        by=project.engineering_pm,
        data={"title": "设备安装", "owner": project.engineering_pm, "planned_start": TASK_START},
    )
    client.force_login(project.engineering_pm)
    page = f"/tasks/{task.pk}/"
    response = client.post(
        f"/projects/{project.code}/attachments/",
        {
            "kind": "task",
            "target": task.pk,
            "caption": "安装照片",
            "next": page,
            "file": SimpleUploadedFile("photo.png", PNG),
        },
    )
    assert response.status_code == 302 and response["Location"] == page
    assert "安装照片" in client.get(page).content.decode()
    library = client.get(f"/api/v1/projects/{project.code}/documents/").json()
    assert library["count"] == 0
    # a target of another project is refused and stores nothing
    other = factories.ProjectFactory()
    other_task = task_services.create_task(
        other,
        by=other.engineering_pm,
        data={"title": "x", "owner": other.engineering_pm, "planned_start": TASK_START},
    )
    client.post(
        f"/projects/{project.code}/attachments/",
        {
            "kind": "task",
            "target": other_task.pk,
            "next": page,
            "file": SimpleUploadedFile("photo.png", PNG),
        },
    )
    assert Document.objects.count() == 1


def test_downloads_stay_whole_when_the_client_accepts_gzip(project):
    """A PDF is already compressed: it comes as stored, its length stated; a CSV is gzipped
    and unzips to the exact bytes."""
    import gzip

    engineer = client_for(project.engineering_pm)
    version = DocumentVersion.objects.get(document_id=upload(project).json()["id"])
    response = engineer.get(
        f"/api/v1/document-versions/{version.pk}/download/", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == PDF1
    assert response["Content-Length"] == str(len(PDF1))
    rows = "编号,名称\n" + "".join(f"{n},设备{n}\n" for n in range(300))
    csv = SimpleUploadedFile("清单.csv", rows.encode(), content_type="text/csv")
    created = upload(project, file=csv, title="设备清单")
    assert created.status_code == 201, created.content
    version = DocumentVersion.objects.get(document_id=created.json()["id"])
    response = engineer.get(
        f"/api/v1/document-versions/{version.pk}/download/", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)).decode() == rows
    assert "attachment" in response["Content-Disposition"]


def test_a_complaint_page_takes_attachments_and_shows_them(client):
    from tests.kpi.factories import ComplaintFactory

    project = factories.ProjectFactory()
    complaint = ComplaintFactory(project=project)
    client.force_login(project.business_pm)
    page = f"/complaints/{complaint.pk}/"
    assert 'name="kind" value="complaint"' in client.get(page).content.decode()
    response = client.post(
        f"/projects/{project.code}/attachments/",
        {
            "kind": "complaint",
            "target": complaint.pk,
            "caption": "客户来函",
            "next": page,
            "file": SimpleUploadedFile("letter.png", PNG),
        },
    )
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    assert "客户来函" in html
    # the uploader by name, never by username (#20)
    pm = project.business_pm
    type(pm).objects.filter(pk=pm.pk).update(first_name="伟", last_name="李")
    html = client.get(page).content.decode()
    assert "· 李伟 ·" in html and f"· {pm.username} ·" not in html
    document = Document.objects.get()
    assert (document.attached_kind, document.attached_id) == ("complaint", complaint.pk)
    # a complaint of another project is refused and stores nothing
    other = ComplaintFactory(project=factories.ProjectFactory())
    client.post(
        f"/projects/{project.code}/attachments/",
        {
            "kind": "complaint",
            "target": other.pk,
            "next": page,
            "file": SimpleUploadedFile("x.png", PNG),
        },
    )
    assert Document.objects.count() == 1
