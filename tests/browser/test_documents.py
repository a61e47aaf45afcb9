"""Documents in the browser (#19): a PM uploads a drawing, then version 2, and sees both
versions with their SHA-256; a document title with a script payload renders inert."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from projects.documents.models import Document
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

V1 = b"%PDF-1.4\n% plan v1\n"
V2 = b"%PDF-1.4\n% plan v2, entrance moved\n"
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def test_a_pm_uploads_a_drawing_then_version_2_and_sees_both(live_server, page, login, shot):
    project = factories.ProjectFactory(name="华东智能工厂")
    login(page, project.business_pm)
    page.goto(f"{live_server.url}/projects/{project.code}/")
    page.locator("#tab-documents").click()
    page.get_by_role("link", name="项目文档库").click()

    page.get_by_label("标题").fill("总平面图")
    page.get_by_label("类别").last.select_option("drawings")
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "总平面图.pdf", "mimeType": "application/pdf", "buffer": V1}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已上传")
    expect(page.locator("#document-title")).to_have_text("总平面图")

    page.locator("input[name=file]").set_input_files(
        files=[{"name": "总平面图-v2.pdf", "mimeType": "application/pdf", "buffer": V2}]
    )
    page.get_by_label("本版说明").fill("调整出入口")
    page.get_by_role("button", name="上传新版本").click()
    expect(page.locator(".alert-success")).to_contain_text("第 2 版")

    rows = page.locator("#version-list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator('tr[data-version="2"]')).to_contain_text(hashlib.sha256(V2).hexdigest())
    expect(page.locator('tr[data-version="2"]')).to_contain_text("调整出入口")
    expect(page.locator('tr[data-version="1"]')).to_contain_text(hashlib.sha256(V1).hexdigest())
    expect(page.locator('tr[data-version="1"]')).to_contain_text("总平面图.pdf")
    shot(page, "versions")
    assert Document.objects.get().current_version == 2


def test_a_script_in_a_document_title_renders_inert(live_server, page, login):
    project = factories.ProjectFactory()
    login(page, project.business_pm)
    page.goto(f"{live_server.url}/projects/{project.code}/documents/")
    page.get_by_label("标题").fill(PAYLOAD)
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": V1}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#document-title")).to_have_text(PAYLOAD)
    page.goto(f"{live_server.url}/projects/{project.code}/documents/")
    expect(page.locator("#document-list")).to_contain_text(PAYLOAD)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#document-list img").count() == 0
