"""#19 "Done when" in the browser: a PM uploads a drawing and its version 2, a colleague
comments with an @mention of the engineer, the engineer finds it in the notification centre
and through the navigation's search (the drawing by name, the comment), and a non-member gets
404 on the document and the thread and finds none of it. Then script payloads in a comment
and a document name render inert on the project page, the thread, the search dropdown and
the results page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordination.conversations.models import Comment
from projects.documents.models import Document
from tests import factories
from tests.changes.factories import cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

V1 = b"%PDF-1.4\n% pump station plan v1\n"
V2 = b"%PDF-1.4\n% pump station plan v2, entrance moved\n"
PAYLOAD = '泵站<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def as_user(browser, browser_context_args, login):
    """as_user(user) → a page of a fresh browser context signed in as `user`; every dialog
    (alert, confirm) is dismissed and recorded on `page.dialogs`."""
    contexts = []

    def open_as(user):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        login(page, user)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _nav_search(page, text: str):
    box = page.locator("#nav-search-q")
    box.fill(text)
    dropdown = page.locator("#nav-search-results")
    expect(dropdown).to_be_visible()
    return dropdown


def _project_thread(page, live_server, code: str):
    page.goto(f"{live_server.url}/projects/{code}/")
    page.locator("#tab-activity").click()
    box = page.locator(".comment-form textarea")
    expect(box).to_be_visible()
    return box


def test_drawing_mention_notification_search_and_a_non_member_sees_none(live_server, as_user, shot):
    c = cast(name="城南泵站改造")
    engineer, code = c.tech_lead, c.project.code

    pm = as_user(c.biz_pm)
    pm.goto(f"{live_server.url}/projects/{code}/documents/")
    pm.get_by_label("标题").fill("泵站总平面图")
    pm.get_by_label("类别").last.select_option("drawings")
    pm.locator("input[name=file]").set_input_files(
        files=[{"name": "泵站总平面图.pdf", "mimeType": "application/pdf", "buffer": V1}]
    )
    pm.get_by_role("button", name="上传", exact=True).click()
    expect(pm.locator(".alert-success")).to_contain_text("已上传")
    pm.locator("input[name=file]").set_input_files(
        files=[{"name": "泵站总平面图-v2.pdf", "mimeType": "application/pdf", "buffer": V2}]
    )
    pm.get_by_label("本版说明").fill("调整出入口")
    pm.get_by_role("button", name="上传新版本").click()
    expect(pm.locator(".alert-success")).to_contain_text("第 2 版")
    document = Document.objects.get()
    assert document.current_version == 2

    colleague = as_user(c.eng_pm)
    box = _project_thread(colleague, live_server, code)
    box.fill(f"@{engineer.username} 请按第 2 版泵站总平面图核对设备基础")
    colleague.get_by_role("button", name="发表评论").click()
    expect(colleague.locator(".comment-body .mention")).to_have_text(f"@{engineer.username}")
    comment = Comment.objects.get()

    me = as_user(engineer)
    me.goto(f"{live_server.url}/notifications/")
    note = me.locator(f'a[href$="#comment-{comment.pk}"]')
    expect(note).to_contain_text(f"在 {code} 的评论中提到了你")
    shot(me, "centre")
    note.click()
    me.wait_for_url(f"**/projects/{code}/#comment-{comment.pk}")

    dropdown = _nav_search(me, "总平面图")
    hit = dropdown.locator('.search-hit[data-kind="document"]')
    expect(hit).to_have_text(f"泵站总平面图 {code}")
    dropdown = _nav_search(me, "设备基础")
    expect(dropdown.locator('.search-hit[data-kind="comment"]')).to_contain_text("核对设备基础")
    shot(me, "dropdown")
    dropdown = _nav_search(me, "总平面图")  # the drawing, and the comment that names it
    dropdown.locator('.search-hit[data-kind="document"]').click()
    me.wait_for_url(f"**/documents/{document.pk}/")
    expect(me.locator("#version-list tbody tr")).to_have_count(2)

    me.goto(f"{live_server.url}/search/?q=泵站")  # a 2-character text: the bigram index
    expect(me.locator(f'#search-document + ul a[href="/documents/{document.pk}/"]')).to_be_visible()
    comment_link = me.locator(f'#search-comment + ul a[href$="#comment-{comment.pk}"]')
    expect(comment_link).to_be_visible()
    comment_link.click()
    me.wait_for_url(f"**/projects/{code}/#comment-{comment.pk}")

    stranger = as_user(factories.engineering_user())
    for path in (
        f"/documents/{document.pk}/",
        f"/projects/{code}/",
        f"/comments/thread/?target=project:{code}",
        f"/projects/{code}/activity/",
    ):
        assert stranger.goto(f"{live_server.url}{path}").status == 404, path
    stranger.goto(f"{live_server.url}/")
    dropdown = _nav_search(stranger, "泵站")
    expect(dropdown).to_contain_text("没有找到")
    assert dropdown.locator(".search-hit[data-kind]").count() == 0
    stranger.goto(f"{live_server.url}/search/?q=总平面图")
    expect(stranger.locator("main, body").first).to_contain_text("没有找到")
    assert stranger.locator(".search-hit").count() == 0


def test_script_payloads_in_a_comment_and_a_document_name_render_inert(live_server, as_user, shot):
    c = cast(name="城南泵站改造")
    code = c.project.code
    pm = as_user(c.biz_pm)
    pm.goto(f"{live_server.url}/projects/{code}/documents/")
    pm.get_by_label("标题").fill(PAYLOAD)
    pm.locator("input[name=file]").set_input_files(
        files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": V1}]
    )
    pm.get_by_role("button", name="上传", exact=True).click()
    expect(pm.locator("#document-title")).to_have_text(PAYLOAD)

    box = _project_thread(pm, live_server, code)
    box.fill(PAYLOAD + " [x](javascript:window.__xss=3)")
    pm.get_by_role("button", name="发表评论").click()
    body = pm.locator(".comment-list .comment-body").first
    expect(body).to_contain_text("<script>window.__xss=2</script>")
    assert body.locator("script, img").count() == 0
    pm.locator("#tab-documents").click()
    expect(pm.locator("#pane-documents")).to_be_visible()

    dropdown = _nav_search(pm, "泵站")
    expect(dropdown.locator('.search-hit[data-kind="document"]')).to_contain_text(
        "<script>window.__xss=2</script>"
    )
    expect(dropdown.locator('.search-hit[data-kind="comment"]')).to_contain_text("<script>")
    assert dropdown.locator("script, img").count() == 0
    shot(pm, "dropdown")

    pm.goto(f"{live_server.url}/search/?q=泵站")
    for kind in ("document", "comment"):
        expect(pm.locator(f"#search-{kind} + ul")).to_contain_text("<script>window.__xss=2")
    assert pm.locator(".search-results script, .search-results img").count() == 0

    pm.goto(f"{live_server.url}/projects/{code}/")
    pm.locator("#tab-activity").click()
    expect(pm.locator(".comment-list .comment-body").first).to_contain_text("<script>")
    pm.wait_for_timeout(300)  # an onerror would have fired by now
    assert pm.evaluate("window.__xss") is None
    assert pm.dialogs == []
