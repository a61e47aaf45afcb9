"""The department scorecards as a PDF for the annual appraisal."""

import io

import pypdf
import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def test_year_scorecards_pdf_lists_every_card_and_kpi(client):
    client.force_login(factories.pmo_user())
    page = client.get("/kpi/scorecards/?period=2026").content.decode()
    assert 'href="/kpi/scorecards/pdf/?period=2026"' in page
    text = _text(client.get("/kpi/scorecards/pdf/?period=2026"))
    assert "部门绩效看板·2026" in text
    for title in ("业务部", "工程管理部"):
        assert title in text
    assert "按期交付率" in text and "加权得分" in text


def test_scorecards_pdf_in_english(client):
    client.force_login(factories.pmo_user())
    client.cookies["django_language"] = "en"
    text = _text(client.get("/kpi/scorecards/pdf/?period=2026-Q1"))
    assert "2026-Q1" in text
    assert "部门绩效看板" not in text and "按期交付率" not in text


def test_bad_period_is_a_400_with_the_reason(client):
    client.force_login(factories.pmo_user())
    response = client.get("/kpi/scorecards/pdf/?period=2026-13")
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()
