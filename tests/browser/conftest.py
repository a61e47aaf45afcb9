"""Real-browser tests: Debian's chromium driven by Playwright against Django's live server.

Playwright's own browser download does not work on these machines, so the launch arguments
point at /usr/bin/chromium (installed by `make browser-deps`, run by `make test`).

Playwright's sync API keeps an asyncio loop running in the test thread while it is started;
Django refuses ORM calls in such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set (the tests
only set up and check data; the live server answers from its own thread). So Playwright lives
for this package only (pytest-playwright's session fixtures are overridden with package
scope) and the variable is set for exactly that time: the rest of the suite keeps Django's
async-safety check, and subprocesses started by other tests (`check --deploy`) never see it.
Screenshots go to test-artifacts/browser/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "pw-12345-secret"  # tests.factories.UserFactory's password


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_the_playwright_loop():
    key = "DJANGO_ALLOW_ASYNC_UNSAFE"
    old = os.environ.get(key)
    os.environ[key] = "true"
    yield
    if old is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = old


@pytest.fixture(scope="package")
def playwright(_allow_orm_beside_the_playwright_loop, _pw_api_request_contexts):
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.fail(
            f"{CHROMIUM} not found: run `make browser-deps` (apt-get install -y chromium)",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="package")
def browser_context_args(playwright, device, base_url):
    # pytest-playwright's own version is session-scoped on `playwright`: replaced, not extended.
    args = dict(playwright.devices[device]) if device else {}
    if base_url:
        args["base_url"] = base_url
    # A Chinese-speaking manager's browser; the site's own default is zh-hans too.
    return {
        **args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def shot(request):
    """shot(page, "name") saves a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def do(page, user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(user.get_username())
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do
