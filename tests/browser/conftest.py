"""Fixtures for the browser tests: the built site, served locally, in headless Chromium.

These tests read the site that ``make book`` built (``_build/html``; another with
``BOOK_SITE=path``), serve it on 127.0.0.1 on a free port (``tools/serve_site.py``),
and drive the system's Chromium through Playwright (``executable_path``: Playwright
never downloads a browser here). They are not part of the plain ``pytest`` run
(pyproject's ``addopts`` ignores ``tests/browser``); ``make browser-test`` runs them.

Without a built site, Playwright or Chromium every test is skipped with the reason;
with ``BROWSER_TESTS_REQUIRED=1`` (set by CI) each of those is a failure instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED", "") not in ("", "0")

# Headless, and nothing that reaches for the network on its own (updates,
# safe-browsing lists, field trials): without these Chromium keeps trying hosts
# that a closed network cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CHROMIUM_CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000  # per action; generous, for a busy 2-core machine
QUIET_S = 0.5
SETTLE_MAX_S = 10.0
REFRESH = re.compile(r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.I)


def unavailable(reason: str) -> None:
    """Skip (or, with BROWSER_TESTS_REQUIRED=1, fail) for a missing prerequisite."""
    if REQUIRED:
        pytest.fail(f"{reason} (and BROWSER_TESTS_REQUIRED is set)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """The browser to drive: $CHROMIUM, else the first Chromium/Chrome on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def site_is_built() -> bool:
    return (SITE / "index.html").is_file() and any(SITE.glob("chapters/**/*.html"))


def _load_serve_site():
    spec = importlib.util.spec_from_file_location("serve_site", ROOT / "tools" / "serve_site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def site() -> Path:
    if not site_is_built():
        unavailable(f"no built site at {SITE}: run `make book` first")
    return SITE


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def base_url(site: Path):
    with _load_serve_site().serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -r requirements.txt)")
    executable = chromium_path()
    if executable is None or not Path(executable).exists():
        unavailable("no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chrome)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """One page opened in a fresh browser context, and what went wrong while it loaded."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    events: int = 0  # requests, responses and console messages seen so far

    def is_local(self, url: str) -> bool:
        return url.startswith(self.base_url)


def _redirect_target(path: str) -> str | None:
    """Where a ``<meta http-equiv="refresh">`` stub page sends the reader, if it is one."""
    file = SITE / path.split("?")[0].split("#")[0]
    if not file.is_file():
        return None
    m = REFRESH.search(file.read_text(encoding="utf-8", errors="replace")[:2000])
    return m.group(1) if m else None


def _settle(page, visit: Visit) -> None:
    """Wait until the page is quiet: MathJax done, fonts in, then no request
    or console message for QUIET_S seconds (at most SETTLE_MAX_S).

    (Playwright's "networkidle" was flaky here on a loaded 2-core machine.)
    """
    page.evaluate(
        """async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
            await document.fonts.ready;
        }"""
    )
    deadline = time.monotonic() + SETTLE_MAX_S
    seen, quiet_since = visit.events, time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = time.monotonic()
        if visit.events != seen:
            seen, quiet_since = visit.events, now
        elif now - quiet_since >= QUIET_S:
            return


@pytest.fixture
def open_page(browser, base_url):
    """``open_page("chapters/…/x.html")`` → a settled :class:`Visit`.

    Each call gets a fresh context (empty storage: a first-time reader). Requests
    that leave 127.0.0.1 are not sent; they are recorded in ``external_requests``,
    and the console's "Failed to load resource" line about them is not counted.
    Chromium's own favicon request is not the page's and is not counted either.
    """
    contexts = []

    def open_(path: str, settle: bool = True) -> Visit:
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page=page, base_url=base_url)

        def route(r):
            if visit.is_local(r.request.url):
                r.continue_()
            else:
                visit.external_requests.append(r.request.url)
                r.abort()

        def count(*_):
            visit.events += 1

        def on_console(msg):
            count()
            if msg.type != "error":
                return
            where = (msg.location or {}).get("url", "")
            if where and not visit.is_local(where):
                return  # the aborted external request, recorded above
            if where.endswith("/favicon.ico"):
                return
            visit.console_errors.append(f"{msg.text} (at {where or '?'})")

        def on_response(response):
            if response.status >= 400 and visit.is_local(response.url):
                visit.failed_requests.append(f"{response.url}: HTTP {response.status}")

        def on_failed(request):
            if visit.is_local(request.url):
                visit.failed_requests.append(f"{request.url}: {request.failure}")

        page.route("**/*", route)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        for event in ("request", "requestfinished", "requestfailed"):
            page.on(event, count)
        page.goto(base_url + path, wait_until="load")
        target = _redirect_target(path)
        if target:  # a stub such as index.html: follow it to the real page
            page.wait_for_url(urljoin(base_url + path, target), wait_until="load")
        if settle:
            _settle(page, visit)
        return visit

    yield open_
    for context in contexts:
        context.close()
