"""The browser tier: Debian's Chromium driven by Playwright against a live server.

Never skipped: `make test` installs Chromium, and a missing browser is a failure.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}: run `make browser`."
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, transactional_db):
    """A live server with the demo data loaded."""
    call_command("load_demo_data", stdout=io.StringIO())
    return live_server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


PASSWORD = "a-long-test-password"  # a staff member's, for signing in through the form


@pytest.fixture
def signed_in(site, page, staff_member):
    """``staff_member`` (each module says who) signed in through the admin's login form, as a
    person would."""
    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", staff_member.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site.url + reverse("admin:index"))
    return page


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page as loaded."""
    assert AXE.exists(), "axe-core is not installed: run `make install-test` (npm ci)."
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline
    # scripts) rightly refuses a <script> tag, and must stay on while axe checks the page.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
