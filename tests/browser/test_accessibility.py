"""Accessibility in a real browser: axe-core (vendored in tests/browser/vendor/axe-core/, WCAG
2.1 A and AA rules) on every main page in zh-hans and en; no serious or critical violation is
allowed. Keyboard tests check the skip link and that Tab reaches the page's main action.

The walk is built to be fast (it runs in `make test`): the data is made once, there is one
browser context per language with one logged-in page that moves on with page.goto, and axe
runs once per page with only the WCAG 2.1 A/AA tags (the project page with all its tab panes
shown, so every panel is checked in that one run)."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from coordination.lessons.models import Lesson
from projects.documents import services as documents
from projects.payments.models import PaymentMilestone
from tests import factories
from tests.browser.conftest import ARTIFACTS, PASSWORD
from tests.changes.factories import approved, cast, submitted
from tests.dashboard.factories import overdue_handover, troubled_project
from tests.handover.factories import project_with_team
from tests.kickoff.factories import CollaborationCommitmentFactory, KickoffProjectFactory
from tests.kpi.factories import ComplaintFactory
from tests.payments.factories import PaymentFactory
from tests.reviews.factories import ActionItemFactory, CadenceFactory, ReviewFactory
from tests.tasks.factories import link, task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The site's CSP (script-src 'self') blocks an injected <script> tag (add_script_tag): axe's
# source is evaluated through the browser's devtools protocol instead, which the CSP allows.
AXE_SOURCE_TEXT = AXE.read_text(encoding="utf-8")
AXE_RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                nodes: v.nodes.slice(0, 3).map(
                  n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
}"""
# The project page's tabs load their panels with htmx on load: wait for them, then show every
# pane so the one axe run sees them all.
PANELS_LOADED = "() => !document.querySelector('[hx-trigger=\"load\"]')"
SHOW_ALL_PANES = """() => document.querySelectorAll('.tab-pane').forEach(
  p => p.classList.add('show', 'active'))"""
LANGS = {"zh-hans": "zh-CN", "en": "en-US"}
PDF = b"%PDF-1.4\n% drawing\n"


def _world() -> dict[str, list[str]]:
    """One of everything the main pages show; returns the paths to walk per user."""
    c = cast()
    code = c.project.code
    first = task(c.project, title="设备到货验收", owner=c.tech_lead)
    second = task(c.project, title="安装调试", owner=c.biz_pm, duration_days=3)
    link(first, second)
    change = submitted(c)
    approved(c, title="调整验收节点")
    document = documents.create_document(
        c.project,
        by=c.biz_pm,
        file=SimpleUploadedFile("总平面图.pdf", PDF, content_type="application/pdf"),
        title="总平面图",
        category="drawings",
    )
    complaint = ComplaintFactory(project=c.project)
    review = ReviewFactory(cadence=CadenceFactory(project=c.project))
    ActionItemFactory(review=review, owner=c.biz_pm, title="确认到货时间")
    factories.NotificationFactory(user=c.biz_pm, subject="变更待审批", url=f"/changes/{change.pk}/")
    factories.RiskFactory(project=c.project, title="钢材涨价")
    PaymentFactory(project=c.project, name="进度款")
    moved = PaymentFactory(project=c.project, name="验收款")  # moved by a slip: on the home page
    PaymentMilestone.objects.filter(pk=moved.pk).update(
        due_date=moved.baseline_due_date + datetime.timedelta(days=20)
    )
    troubled = troubled_project(business_pm=c.biz_pm)
    factories.RiskFactory(project=troubled, title="交期延误", probability=5, impact=5)
    handover_project = project_with_team(business_pm=c.biz_pm)
    overdue_handover(handover_project)
    kickoff_project = KickoffProjectFactory(business_pm=c.biz_pm)
    commitment = CollaborationCommitmentFactory(project=kickoff_project)
    kc = kickoff_project.code
    # the learning loop (#24): a retrospective with an entry, a lesson, a company cadence
    retro = ReviewFactory(
        cadence=CadenceFactory(project=c.project, kind="monthly_retrospective"),
        went_wrong=[{"text": "客户特殊要求传达滞后", "tag": "business"}],
    )
    lesson = Lesson.objects.create(
        title="特殊要求写进移交清单",
        text="客户特殊要求传达滞后",
        kind="went_wrong",
        phase="handover",
        discipline="joint",
        project=c.project,
        review=retro,
        promoted_by=c.biz_pm,
    )
    company = CadenceFactory(project=None, kind="weekly_meeting", participants=[c.biz_pm, c.pmo])
    pm_pages = [
        "/",
        "/portfolio/",
        "/projects/",
        f"/projects/{code}/",
        f"/projects/{code}/tasks/",
        f"/projects/{code}/tasks/board/",
        f"/projects/{code}/tasks/gantt/",
        f"/projects/{code}/tasks/new/",
        f"/tasks/{first.pk}/",
        f"/projects/{code}/documents/",
        f"/documents/{document.pk}/",
        f"/projects/{code}/changes/",
        f"/projects/{code}/changes/new/",
        f"/changes/{change.pk}/",
        "/changes/inbox/",
        "/handover/",
        f"/handover/{handover_project.code}/",
        f"/projects/{handover_project.code}/",
        f"/projects/{troubled.code}/",
        f"/projects/{kc}/",
        f"/projects/{kc}/kickoff/",
        f"/projects/{kc}/commitment/",
        f"/commitments/{commitment.pk}/",
        "/reviews/",
        f"/reviews/{review.pk}/",
        f"/reviews/project/{code}/",
        "/reviews/my-action-items/",
        "/kpi/",
        "/kpi/scorecards/",
        "/kpi/compare/",
        "/kpi/appraisal/",
        "/kpi/rotations/",
        f"/reviews/{retro.pk}/",
        "/reviews/cadences/",
        f"/reviews/cadences/{company.pk}/",
        "/reviews/job-rotations/",
        "/lessons/",
        f"/lessons/{lesson.pk}/",
        "/training/",
        "/training/me/",
        f"/complaints/{complaint.pk}/",
        "/notifications/",
        "/search/?q=项目",
        "/customers/",
        "/profile/",
    ]
    pmo_pages = [
        "/",
        "/warning/",
        "/kpi/restatements/",
        "/portfolio/",
        "/reviews/cadences/",
        "/kpi/appraisal/",
        "/training/coverage/",
        "/training/new/",
    ]
    return {c.biz_pm.get_username(): pm_pages, c.pmo.get_username(): pmo_pages}


def _log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    lang = page.context._a11y_lang  # set by _context
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _context(browser, base: str, lang: str):
    ctx = browser.new_context(locale=LANGS[lang], viewport={"width": 1366, "height": 900})
    ctx._a11y_lang = lang
    return ctx, ctx.new_page()


def _axe(page, url: str) -> list[dict]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    if page.locator(".tab-pane").count():
        page.wait_for_function(PANELS_LOADED, timeout=10_000)
        page.evaluate(SHOW_ALL_PANES)
    page.evaluate(AXE_SOURCE_TEXT)
    return page.evaluate(AXE_RUN)


def test_every_main_page_in_zh_and_en_has_no_serious_axe_violation(live_server, browser):
    walk = _world()
    base = live_server.url
    report = ARTIFACTS / "axe-violations.json"
    report.unlink(missing_ok=True)
    found: dict[str, list[dict]] = {}
    started = time.monotonic()
    pages = 0
    for lang in LANGS:
        ctx, page = _context(browser, base, lang)
        try:
            for username, paths in walk.items():
                _log_in(page, base, username)
                assert page.locator("html").get_attribute("lang") == lang
                for path in paths:
                    violations = _axe(page, base + path)
                    pages += 1
                    if violations:
                        found[f"{lang} {username} {path}"] = violations
        finally:
            ctx.close()
    print(f"a11y walk: {pages} pages in {time.monotonic() - started:.0f}s")
    if found:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not found, f"{len(found)} pages with serious violations, see {report}: {found}"


def test_admin_index_has_no_serious_axe_violations_and_a_title_in_english(live_server, browser):
    pmo = factories.pmo_user()
    pmo.is_staff = True
    pmo.is_superuser = True
    pmo.save()
    ctx, page = _context(browser, live_server.url, "en")
    try:
        _log_in(page, live_server.url, pmo.get_username())
        assert _axe(page, f"{live_server.url}/admin/") == []
        assert "协同中心" not in page.title()
    finally:
        ctx.close()


def test_skip_link_is_first_and_moves_focus_to_main(live_server, page, login):
    c = cast()
    login(page, c.biz_pm)
    page.goto(f"{live_server.url}/projects/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_tab_order_reaches_the_main_action_with_visible_focus(live_server, page, login):
    c = cast()
    login(page, c.eng_pm)
    page.goto(f"{live_server.url}/projects/{c.project.code}/tasks/")
    target = page.locator(f'a[href="/projects/{c.project.code}/tasks/new/"]').first
    expect(target).to_be_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the new-task action")
    outline = target.evaluate(
        "el => { const s = getComputedStyle(el); return s.outlineStyle + ' ' + s.boxShadow; }"
    )
    assert outline != "none none", outline
