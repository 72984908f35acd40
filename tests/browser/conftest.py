"""Browser tests: Debian's headless Chromium driven by Playwright, against pytest-django's live_server.

Playwright is only the driver here: it launches /usr/bin/chromium (installed by `.ci/run` with apt-get),
never a browser of its own.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls that tests make between
# browser steps are still plain synchronous code, so Django's async guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

from accounts.models import Membership
from accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium chromium-driver` (.ci/run does it).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a failing test leaves a screenshot in test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    yield page
    assert page.csp_violations == [], "the page did something its Content-Security-Policy forbids"
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def agent(sub_account):
    user = UserFactory(username="browser-agent")
    MembershipFactory(user=user, sub_account=sub_account, role=Membership.Role.ADMIN)
    return user


def log_in(page, live_server, user):
    """Log `user` in through the real login form; the page then sits on the contact list."""
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.base = live_server.url
    return page


@pytest.fixture
def signed_in(page, live_server, agent):
    """A page logged in through the real login form, sitting on the contact list."""
    return log_in(page, live_server, agent)


def axe_violations(page) -> list[dict]:
    """WCAG 2.x A/AA problems axe-core finds on the page as it is now (run again after each swap)."""
    # A request still in flight dims the results (`aria-busy`, CSS opacity .6), which axe would read as low
    # contrast: judge the page once it has settled (a late live-search request failed it once under CI load).
    page.wait_for_function("!document.querySelector('[aria-busy=\"true\"]')")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the test driver, not added as an inline <script>: the pages' CSP (no inline code)
        # rightly blocks the latter, and stays on so these tests also prove the pages work under it.
        page.evaluate(AXE.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"]
    ]
