"""The Content-Security-Policy in a real browser: scripts only from our own files
(`script-src 'self'`), so every page must work with no inline script at all.

Every `securitypolicyviolation` event and every console message about the policy is
collected for the whole walk (the listener is installed on each new document through the
devtools protocol, which the policy does not govern): home, a project page with its htmx
panels, the kickoff print view (its print button), the API docs (Swagger UI renders the
API), the browsable API, two admin changelists and django-celery-beat's periodic-task form
(its crontab reading), and the language switch in the navbar, which changes the language
only when its button is pressed (WCAG 3.2.2: choosing an option, arrow keys included,
changes nothing by itself).
"""

from __future__ import annotations

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import PASSWORD
from tests.kickoff.factories import CollaborationCommitmentFactory, KickoffProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """document.addEventListener('securitypolicyviolation', e => window.cspViolation({
  page: location.pathname + location.search, directive: e.effectiveDirective,
  blocked: e.blockedURI, sample: e.sample, source: e.sourceFile + ':' + e.lineNumber}));"""
INJECT_INLINE = """() => { const s = document.createElement('script');
  s.textContent = 'window.injectedRan = true'; document.body.appendChild(s); }"""
PANELS_LOADED = "() => !document.querySelector('[hx-trigger=\"load\"]')"


@pytest.fixture
def watched(browser, live_server):
    """A zh-CN browser page whose CSP violations (events and console) land in `.violations`."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    violations: list = []
    ctx.expose_binding("cspViolation", lambda source, v: violations.append(v))
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and violations.append(("console", m.text)),
    )
    errors: list = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.violations = violations
    page.errors = errors
    yield page
    ctx.close()


def _log_in(page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(user.get_username())
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _settle(page) -> None:
    """Let late violations (htmx swaps, async scripts) arrive before the next page."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)


def _staff_pmo():
    pmo = factories.pmo_user(username="csp_pmo")
    pmo.is_staff = pmo.is_superuser = True
    pmo.save()
    return pmo


def test_the_walk_raises_no_csp_violation(live_server, watched, shot):
    base = live_server.url
    page = watched
    pmo = _staff_pmo()
    project = factories.ProjectFactory()
    commitment = CollaborationCommitmentFactory(project=KickoffProjectFactory(business_pm=pmo))
    nightly = CrontabSchedule.objects.create(minute="30", hour="2")
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(name="ERP nightly sync", task="x.sync", interval=every)

    _log_in(page, base, pmo)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # the listener hears the policy: an injected inline script is refused and reported
    page.evaluate(INJECT_INLINE)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injectedRan") is None
    assert [v["directive"] for v in page.violations if isinstance(v, dict)] == ["script-src-elem"]
    page.violations.clear()
    _settle(page)

    # a project page: its tab panels load with htmx (hx-trigger="load")
    page.goto(f"{base}/projects/{project.code}/")
    page.wait_for_function(PANELS_LOADED, timeout=10_000)
    _settle(page)

    # the kickoff print view: the print button is bound from static/js/app.js
    page.goto(f"{base}/commitments/{commitment.pk}/print/")
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.locator("[data-print]").click()
    assert page.evaluate("() => window.printed === true")
    _settle(page)

    # the API docs: Swagger UI's init script is a separate file; the API is rendered
    page.goto(f"{base}/api/docs/")
    # every tag is listed (folded); opening one shows its operations
    tags = page.locator(".swagger-ui .opblock-tag")
    expect(tags.last).to_be_visible(timeout=15_000)
    assert tags.count() >= 25
    page.locator('.swagger-ui .opblock-tag[data-tag="projects"]').click()
    projects = page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/projects/")
    expect(projects.first).to_be_visible(timeout=15_000)
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Coordination Hub API")
    _settle(page)
    shot(page, "api-docs")

    # the browsable API (DRF's own page)
    page.goto(f"{base}/api/v1/projects/")
    expect(page.locator(".response-info")).to_contain_text(project.code)
    _settle(page)

    # the admin: a changelist and the periodic-task form with its crontab reading
    page.goto(f"{base}/admin/django_celery_beat/periodictask/")
    expect(page.locator("#result_list")).to_contain_text("ERP nightly sync")
    _settle(page)
    page.goto(f"{base}/admin/auth/user/")
    expect(page.locator("#result_list")).to_contain_text("csp_pmo")
    _settle(page)
    page.goto(f"{base}/admin/django_celery_beat/periodictask/{task.pk}/change/")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    page.locator("#id_crontab").select_option(str(nightly.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation: At 02:30")
    _settle(page)
    page.goto(f"{base}/admin/django_celery_beat/periodictask/add/")
    _settle(page)

    assert page.violations == []
    assert page.errors == []


def test_the_language_changes_only_when_the_button_is_pressed(live_server, watched, shot):
    base = live_server.url
    page = watched
    _log_in(page, base, factories.pmo_user(username="csp_lang"))
    navigations: list = []
    page.on("framenavigated", lambda f: f == page.main_frame and navigations.append(f.url))

    select = page.get_by_label("界面语言")
    button = page.get_by_role("button", name="切换")
    expect(select).to_have_value("zh-hans")
    expect(button).to_be_visible()
    # the select and its button sit on one line, the button right of the select
    s, b = select.bounding_box(), button.bounding_box()
    assert abs((s["y"] + s["height"] / 2) - (b["y"] + b["height"] / 2)) < 2 and b["x"] > s["x"]
    shot(page, "navbar-1440")

    # keyboard: arrow keys move through the options, nothing is submitted
    select.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    expect(select).to_have_value("en")
    assert navigations == []
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # Tab from the select reaches its button; pressing it switches
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("button", name="Switch")).to_be_visible()
    expect(page.get_by_label("Interface language")).to_have_value("en")

    # and back with the mouse, on a phone-sized screen (the navbar collapsed)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".navbar-toggler").click()
    select = page.get_by_label("Interface language")
    button = page.get_by_role("button", name="Switch")
    expect(button).to_be_visible()
    s, b = select.bounding_box(), button.bounding_box()
    assert abs((s["y"] + s["height"] / 2) - (b["y"] + b["height"] / 2)) < 2
    assert b["x"] + b["width"] <= 390
    shot(page, "navbar-390")
    select.select_option("zh-hans")
    page.wait_for_timeout(300)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    button.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".language-switcher button")).to_contain_text("切换")  # nav collapsed

    assert page.violations == []
    assert page.errors == []


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_switcher_fits_on_a_phone_before_login(live_server, watched, lang, shot):
    page = watched
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    select = page.locator("#language-select")
    button = page.locator(".language-switcher button[type=submit]")
    expect(button).to_be_visible()
    s, b = select.bounding_box(), button.bounding_box()
    assert abs((s["y"] + s["height"] / 2) - (b["y"] + b["height"] / 2)) < 2
    assert b["x"] + b["width"] <= 390
    shot(page, f"login-390-{lang}")
    assert page.violations == []
