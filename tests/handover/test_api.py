"""API per API.md: statuses for every kind of user, wrong state, uploads and sniffing."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from handover.models import Handover, HandoverItem
from tests import factories
from tests.handover.factories import handover_for, items

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"
ROLES = ["anonymous", "non_member", "other_department", "business", "engineering", "pmo"]


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def handover():
    return handover_for()


@pytest.fixture
def people(handover):
    project = handover.project
    finance = factories.finance_user()
    factories.MembershipFactory(project=project, user=finance, role="finance_rep")
    return {
        "anonymous": None,
        "non_member": factories.business_user(),
        "other_department": finance,
        "business": project.business_pm,
        "engineering": project.engineering_pm,
        "pmo": factories.pmo_user(),
    }


def statuses(people, method, url, data=None, fmt="json", before_each=None) -> dict:
    got = {}
    for role in ROLES:
        if before_each:
            before_each()
        response = getattr(client_for(people[role]), method)(url, data, format=fmt)
        got[role] = response.status_code
    return got


def expect(*codes) -> dict:
    return dict(zip(ROLES, codes, strict=True))


def submitted(handover):
    project = handover.project
    contract, clauses, _ = items(handover)
    client = client_for(project.business_pm)
    pdf = SimpleUploadedFile("contract.pdf", PDF)
    assert (
        client.post(
            f"/api/v1/handover-items/{contract.pk}/provide/", {"file": pdf}, format="multipart"
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/handover-items/{clauses.pk}/provide/", {"text": "条款"}, format="json"
        ).status_code
        == 200
    )
    response = client.post(f"/api/v1/projects/{project.code}/handover/submit/")
    assert response.status_code == 200, response.content
    return handover


# ---------------------------------------------------------------- GET
def test_get_handover_statuses(handover, people):
    url = f"/api/v1/projects/{handover.project.code}/handover/"
    assert statuses(people, "get", url) == expect(401, 404, 200, 200, 200, 200)


def test_get_handover_representation(handover):
    response = client_for(handover.project.business_pm).get(
        f"/api/v1/projects/{handover.project.code}/handover/"
    )
    body = response.json()
    assert body["project"] == handover.project.code
    assert body["status"] == "draft"
    assert body["due_date"] == handover.due_date.isoformat()
    assert body["progress"] == {
        "required_total": 2,
        "required_provided": 0,
        "required_accepted": 0,
        "items_total": 3,
        "rejections": 0,
    }
    assert [i["title_zh"] for i in body["items"]] == ["已签署合同", "特殊条款清单", "现场照片链接"]
    assert {"status", "category", "required", "evidence_kind", "rejection_count"} <= set(
        body["items"][0]
    )


def test_project_without_handover_is_404():
    project = factories.ProjectFactory()
    response = client_for(project.business_pm).get(f"/api/v1/projects/{project.code}/handover/")
    assert response.status_code == 404


# ---------------------------------------------------------------- provide / submit / review
def test_provide_statuses(handover, people):
    clauses = items(handover)[1]
    url = f"/api/v1/handover-items/{clauses.pk}/provide/"
    got = statuses(people, "post", url, {"text": "罚则上限 5%"})
    assert got == expect(401, 404, 403, 200, 403, 403)
    clauses.refresh_from_db()
    assert (clauses.status, clauses.evidence_text) == ("provided", "罚则上限 5%")


def test_submit_statuses_and_unmet(handover, people):
    url = f"/api/v1/projects/{handover.project.code}/handover/submit/"
    response = client_for(people["business"]).post(url)
    assert response.status_code == 409
    assert response.json()["unmet"] == ["未提供：已签署合同", "未提供：特殊条款清单"]
    assert statuses(people, "post", url) == expect(401, 404, 403, 409, 403, 403)


def test_accept_and_reject_statuses(handover, people):
    submitted(handover)
    contract, clauses, _ = items(handover)
    accept = f"/api/v1/handover-items/{contract.pk}/accept/"
    assert statuses(people, "post", accept) == expect(401, 404, 403, 403, 200, 403)
    # accepted already: a second accept is a state conflict
    assert client_for(people["engineering"]).post(accept).status_code == 409

    reject = f"/api/v1/handover-items/{clauses.pk}/reject/"
    assert client_for(people["engineering"]).post(reject, {}, format="json").status_code == 400
    got = statuses(people, "post", reject, {"reason": "缺少罚则"})
    assert got == expect(401, 404, 403, 403, 200, 403)
    body = (
        client_for(people["engineering"])
        .get(f"/api/v1/projects/{handover.project.code}/handover/")
        .json()
    )
    assert body["status"] == "returned"
    assert body["items"][1]["rejection_reason"] == "缺少罚则"


def test_api_reaches_accepted(handover, people):
    submitted(handover)
    engineering = client_for(people["engineering"])
    for item in items(handover)[:2]:
        assert engineering.post(f"/api/v1/handover-items/{item.pk}/accept/").status_code == 200
    body = engineering.get(f"/api/v1/projects/{handover.project.code}/handover/").json()
    assert body["status"] == "accepted" and body["accepted_at"]
    assert body["lead_time_days"] is not None


def test_accept_before_submit_is_409(handover, people):
    clauses = items(handover)[1]
    client_for(people["business"]).post(
        f"/api/v1/handover-items/{clauses.pk}/provide/", {"text": "x"}, format="json"
    )
    response = client_for(people["engineering"]).post(
        f"/api/v1/handover-items/{clauses.pk}/accept/"
    )
    assert response.status_code == 409 and "unmet" in response.json()


def test_unknown_item_is_404(people):
    response = client_for(people["pmo"]).post("/api/v1/handover-items/999999/accept/")
    assert response.status_code == 404


def test_multipart_only_on_provide(handover, people):
    reject = f"/api/v1/handover-items/{items(handover)[0].pk}/reject/"
    response = client_for(people["engineering"]).post(reject, {"reason": "x"}, format="multipart")
    assert response.status_code == 415


def test_bad_link_is_400(handover, people):
    link = items(handover)[2]
    response = client_for(people["business"]).post(
        f"/api/v1/handover-items/{link.pk}/provide/", {"link": "ftp://files/x"}, format="json"
    )
    assert response.status_code == 400 and "link" in response.json()


# ---------------------------------------------------------------- uploads
def upload(handover, name, content):
    contract = items(handover)[0]
    response = client_for(handover.project.business_pm).post(
        f"/api/v1/handover-items/{contract.pk}/provide/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        format="multipart",
    )
    contract.refresh_from_db()
    return response, contract


def zip_bytes(*members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, "x")
    return buffer.getvalue()


def test_real_pdf_is_stored_under_a_random_name(handover):
    response, contract = upload(handover, "合同 正本.pdf", PDF)
    assert response.status_code == 200, response.content
    assert contract.status == "provided"
    assert contract.evidence_filename == "合同 正本.pdf"
    assert contract.evidence_file.name.endswith(".pdf")
    assert "合同" not in contract.evidence_file.name
    body = response.json()
    assert body["file_url"] == f"/handover/items/{contract.pk}/file/"


@pytest.mark.parametrize(
    "name, content",
    [
        ("contract.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run"),  # exe as pdf
        ("contract.pdf", b"\x7fELF\x02\x01\x01"),
        ("photo.png", PDF),
        ("spec.docx", b"MZ\x90\x00"),
        ("spec.docx", zip_bytes("evil.exe")),  # a zip, but no Word document inside
        ("notes.txt", b"MZ\x90\x00\x03"),
        ("notes.txt", b"abc\x00\x01\x02"),
        ("setup.exe", b"MZ\x90\x00"),
        ("noextension", PDF),
    ],
)
def test_disguised_or_disallowed_files_are_refused(handover, name, content):
    response, contract = upload(handover, name, content)
    assert response.status_code == 400
    assert "file" in response.json()
    assert contract.status == "pending" and not contract.evidence_file


@pytest.mark.parametrize(
    "name, content",
    [
        ("spec.docx", zip_bytes("[Content_Types].xml", "word/document.xml")),
        ("budget.xlsx", zip_bytes("[Content_Types].xml", "xl/workbook.xml")),
        ("drawings.zip", zip_bytes("a.dwg")),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("notes.txt", "中文说明，UTF-8。".encode()),
    ],
)
def test_allowed_files_whose_content_matches(handover, name, content):
    response, contract = upload(handover, name, content)
    assert response.status_code == 200, response.content
    assert contract.status == "provided"


def test_oversized_file_is_413(handover, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response, contract = upload(handover, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 413
    assert "file" in response.json()
    assert contract.status == "pending"


def test_oversized_request_is_413_before_parsing(handover, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response, contract = upload(handover, "huge.pdf", PDF + b"0" * 200_000)
    assert response.status_code == 413
    assert contract.status == "pending"


def test_refused_upload_changes_nothing(handover):
    upload(handover, "contract.pdf", b"MZ\x90")
    assert not HandoverItem.objects.filter(handover=handover).exclude(status="pending").exists()
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_evidence_is_a_project_document_and_re_providing_keeps_the_earlier_version(handover):
    from projects.documents.models import AttachedKind, Document

    upload(handover, "合同 正本.pdf", PDF)
    response, contract = upload(handover, "合同 第二版.pdf", PDF + b"%v2\n")
    assert response.status_code == 200, response.content
    document = Document.objects.get(
        attached_kind=AttachedKind.HANDOVER_ITEM, attached_id=contract.pk
    )
    assert document.project == handover.project
    versions = list(document.versions.order_by("version").values_list("version", "filename"))
    assert versions == [(1, "合同 正本.pdf"), (2, "合同 第二版.pdf")]
    assert contract.evidence_version.version == 2
    assert response.json()["file_name"] == "合同 第二版.pdf"
    assert response.json()["file_size"] == len(PDF) + 4
    from django.test import Client

    browser = Client()
    browser.force_login(handover.project.business_pm)
    download = browser.get(f"/handover/items/{contract.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF + b"%v2\n"
