"""The signed commitment as a PDF: names, local times, each signature's HMAC, the content
hash and a QR code to the commitment's page, in the reader's language."""

import io

import pypdf
import pytest
from django.conf import settings
from django.utils import timezone

from coordination.core.people import display_name
from tests import factories
from tests.kickoff.factories import Team

pytestmark = pytest.mark.django_db


def _text(response) -> tuple[str, pypdf.PdfReader]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _flat(text: str) -> str:
    return "".join(text.split())


SURNAMES = ["李", "王", "张", "刘", "陈", "杨"]


def test_signed_commitment_pdf_has_names_local_times_hashes_and_a_qr_code(client):
    team = Team()
    for n, user in enumerate(team.signatories):
        user.last_name, user.first_name = SURNAMES[n], "明"
        user.save(update_fields=["first_name", "last_name"])
    commitment = team.sign_all(team.hold())
    client.force_login(team.business_pm)

    text, reader = _text(client.get(f"/commitments/{commitment.pk}/pdf/"))
    flat = _flat(text)
    assert "项目协同承诺书" in flat
    assert commitment.content_hash in flat
    for signature in commitment.signatures.all():
        assert signature.hmac in flat
        local = timezone.localtime(signature.signed_at).strftime("%Y-%m-%d%H:%M")
        assert local in flat
    for user in team.signatories:
        assert _flat(display_name(user, "zh-hans")) in flat
        assert user.username not in text
    assert "+00:00" not in text and "T10:00" not in text
    assert _flat(f"{settings.SITE_URL}/commitments/{commitment.pk}/") in flat
    assert "校验通过" in flat
    images = [img for page in reader.pages for img in page.images]
    assert images or "/XObject" in str(reader.pages[-1]["/Resources"])  # the QR code


def test_commitment_pdf_in_english(client):
    team = Team()
    commitment = team.sign_all(team.hold())
    client.force_login(team.business_pm)
    client.cookies["django_language"] = "en"
    text, _reader = _text(client.get(f"/commitments/{commitment.pk}/pdf/"))
    assert "Project Collaboration Commitment" in text
    assert "项目协同承诺书" not in text


def test_pdf_of_an_invisible_project_is_404(client):
    team = Team()
    commitment = team.hold()
    client.force_login(factories.business_user())
    assert client.get(f"/commitments/{commitment.pk}/pdf/").status_code == 404


def test_print_page_links_the_pdf_and_shows_the_meeting_in_local_time(client):
    team = Team()
    commitment = team.sign_all(team.hold())
    client.force_login(team.business_pm)
    html = client.get(f"/commitments/{commitment.pk}/print/").content.decode()
    assert f'href="/commitments/{commitment.pk}/pdf/"' in html
    scheduled = commitment.content["meeting"]["scheduled_at"]
    assert scheduled not in html
    assert scheduled[:10] + " " + scheduled[11:16] in html


def test_loading_the_site_does_not_import_weasyprint():
    """WeasyPrint takes over a second to import: only a process that makes a PDF loads it."""
    import subprocess  # the check needs a fresh interpreter
    import sys

    code = (
        "import os, sys, django; os.environ['DEBUG'] = '1';"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'coordination.settings');"
        "django.setup(); import coordination.urls; print('weasyprint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
