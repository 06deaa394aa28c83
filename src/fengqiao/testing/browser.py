"""Browser tests in Debian's Chromium, shared by every domain: the ``chromium`` and ``sign_in``
fixtures (registered in the root conftest) and :class:`Browser`, one person at one browser.

Skipped when /usr/bin/chromium is missing, unless FENGQIAO_REQUIRE_BROWSER=1 (then it fails).
Screenshots go under ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fengqiao.testing.region import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 15_000


def allow_sync_orm() -> None:
    # Playwright's sync API runs an event loop in the test thread; ORM calls made by fixtures
    # and assertions would otherwise be refused as "async unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("FENGQIAO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and FENGQIAO_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    allow_sync_orm()
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Browser:
    """One person at one browser: a signed-in context, with its page errors and outside requests
    collected (nothing may leave the server under test: no CDN, no map tiles)."""

    def __init__(
        self, chromium: Any, base_url: str, username: str, *, shots: str = "screens"
    ) -> None:
        self.base_url = base_url
        self.username = username
        self.shots = ARTIFACTS / shots
        self.context = chromium.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"{username}: {exc}"))
        self.page.on(
            "request",
            lambda request: (
                None if request.url.startswith(base_url) else self.outside.append(request.url)
            ),
        )
        if not username:
            return  # a citizen: no account
        self.page.goto(f"{base_url}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("form.form-stack button[type=submit]")
        self.page.wait_for_url(f"{base_url}/")

    def menu(self, path: str) -> None:
        """Follow a main-menu link, as a person would."""
        self.page.click(f"nav.mainnav a[href='{path}']")
        self.page.wait_for_url(f"{self.base_url}{path}")

    def shot(self, name: str, *, element: str = "") -> None:
        """A screenshot of the whole page, or of one element of it, kept as a test artefact."""
        self.shots.mkdir(parents=True, exist_ok=True)
        path = str(self.shots / f"{name}.png")
        if element:
            self.page.locator(element).screenshot(path=path)
        else:
            self.page.screenshot(path=path, full_page=True)


@pytest.fixture
def sign_in(chromium: Any, live_server: Any) -> Iterator[Callable[..., Browser]]:
    """Open a browser of its own for each person ("" for a citizen without an account); none
    may see a script error or reach out of the server under test."""
    opened: list[Browser] = []

    def open_as(username: str, *, shots: str = "screens") -> Browser:
        browser = Browser(chromium, live_server.url, username, shots=shots)
        opened.append(browser)
        return browser

    yield open_as
    for browser in opened:
        browser.context.close()
    assert [error for browser in opened for error in browser.errors] == []
    assert [url for browser in opened for url in browser.outside] == []


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)
