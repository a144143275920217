"""The built site, as a reader's browser shows it.

Run after ``make book`` with ``make browser-test`` (headless Chromium through
Playwright; see conftest.py). What is checked:

- every page loads with no console error, no uncaught script error, no failed
  request for a file of the site, and every image decoded (naturalWidth > 0);
  nothing is fetched from outside the site (MathJax, plotly.js, fonts, styles
  and scripts are all served by the site itself);
- every page that has math shows it typeset by MathJax, without TeX errors;
- solutions are closed when a page opens and open on a click;
- each chapter's Colab launch link opens that chapter's notebook in the
  repository named in pyproject.toml;
- the search page finds chapter 3 for "backpropagation";
- every relative link and anchor in the HTML resolves (no browser needed);
- screenshots of two pages (the home page; chapter 3 at an equation and at an
  opened solution) land in _build/screenshots/ for CI to keep.
"""

from __future__ import annotations

import html.parser
import os
import re
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

# The same site the fixtures serve (conftest.py); needed here at collection time.
ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_SITE", ROOT / "_build" / "html")).resolve()

# Nothing may leave the site: no require.js or ipywidgets manager from a CDN
# (_config.yml: nb_ipywidgets_js is empty; the explorers are static figures).
ALLOWED_EXTERNAL = ()
COLAB = "https://colab.research.google.com/github"
BRANCH = "main"  # the branch the Pages workflow publishes from


def site_is_built() -> bool:
    return (SITE / "index.html").is_file() and any(SITE.glob("chapters/**/*.html"))


def _pages() -> list[str]:
    """Every HTML page of the built site, relative to its root (theme templates excluded)."""
    if not site_is_built():
        return ["index.html"]  # the `site` fixture skips (or fails) with the reason
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.glob("**/*.html")
        if not p.relative_to(SITE).parts[0].startswith("_")
    )


def _notebook_pages() -> list[str]:
    """Pages built from a notebook (the ones with a Colab button)."""
    if not site_is_built():
        return ["chapters/none.html"]
    return [p for p in _pages() if (SITE / "_sources" / p).with_suffix(".ipynb").is_file()]


def _pages_containing(marker: str) -> list[str]:
    if not site_is_built():
        return ["index.html"]
    return [p for p in _pages() if marker in (SITE / p).read_text(encoding="utf-8")]


def _repository() -> tuple[str, str]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    owner, repo = urlsplit(url).path.strip("/").split("/")[:2]
    return owner, repo.removesuffix(".git")


# -- every page ---------------------------------------------------------------


@pytest.mark.parametrize("path", _pages())
def test_page_loads_cleanly(site, open_page, path):
    visit = open_page(path)
    page = visit.page
    broken_images = page.evaluate(
        """async () => {
            const imgs = [...document.images];
            await Promise.all(imgs.map(i => i.complete ? null
                : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
            return imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);
        }"""
    )
    assert not visit.page_errors, f"{path}: uncaught script errors: {visit.page_errors}"
    assert not visit.console_errors, f"{path}: console errors: {visit.console_errors}"
    assert not visit.failed_requests, f"{path}: failed requests: {visit.failed_requests}"
    assert not broken_images, f"{path}: images that did not load: {broken_images}"
    unexpected = [u for u in visit.external_requests if not u.startswith(ALLOWED_EXTERNAL)]
    assert not unexpected, f"{path}: fetches from outside the site: {unexpected}"
    assert page.title(), f"{path}: the page has no title"


# -- math ---------------------------------------------------------------------


def test_chapters_have_math(site):
    with_math = [p for p in _pages_containing('class="math') if p.startswith("chapters/")]
    assert "chapters/03_backprop/backprop.html" in with_math, with_math


@pytest.mark.parametrize("path", _pages_containing('class="math'))
def test_math_is_typeset(site, open_page, path):
    page = open_page(path).page
    n_math = page.locator(".math").count()
    assert page.evaluate("typeof window.MathJax === 'object' && !!MathJax.startup"), (
        f"{path}: MathJax did not load"
    )
    n_typeset = page.locator("mjx-container").count()
    assert n_math > 0, f"{path}: expected math on this page"
    assert n_typeset >= n_math, (
        f"{path}: {n_math} math elements but only {n_typeset} typeset by MathJax"
    )
    errors = page.locator("mjx-merror").all_inner_texts()
    assert not errors, f"{path}: MathJax could not typeset: {errors}"


# -- solutions ----------------------------------------------------------------


@pytest.mark.parametrize("path", _pages_containing("solution dropdown"))
def test_solutions_closed_then_open_on_click(site, open_page, path):
    page = open_page(path).page
    solutions = page.locator(".solution.dropdown")
    n = solutions.count()
    assert n > 0, f"{path}: no solution dropdowns"
    for i in range(n):
        body = solutions.nth(i).locator(":scope > :not(.admonition-title)").first
        assert body.is_hidden(), f"{path}: solution {i + 1} is open before anyone clicked"

    first = solutions.first
    button = first.locator("button.toggle-button")
    body = first.locator(":scope > :not(.admonition-title)").first
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    body.wait_for(state="visible", timeout=5000)
    assert button.get_attribute("aria-expanded") == "true"
    assert body.inner_text().strip(), f"{path}: the opened solution is empty"
    button.click()
    body.wait_for(state="hidden", timeout=5000)


# -- launch on Colab ------------------------------------------------------------


@pytest.mark.parametrize("path", _notebook_pages())
def test_colab_link_opens_this_notebook(site, open_page, path):
    owner, repo = _repository()
    notebook = Path(path).with_suffix(".ipynb").as_posix()
    assert (ROOT / notebook).is_file(), f"{notebook} is not in the repository"
    expected = f"{COLAB}/{owner}/{repo}/blob/{BRANCH}/{notebook}"

    page = open_page(path).page
    link = page.locator('a.dropdown-item[href^="https://colab.research.google.com/"]')
    assert link.count() == 1, f"{path}: expected one Colab launch link, found {link.count()}"
    assert link.get_attribute("href") == expected
    # A reader reaches it through the rocket button.
    page.locator('button[aria-label="Launch interactive content"]').click()
    link.wait_for(state="visible", timeout=5000)


# -- search ---------------------------------------------------------------------


def test_search_finds_chapter_3(site, open_page):
    page = open_page("search.html?q=backpropagation", settle=False).page
    # Sphinx lists results one by one and writes the summary line when it has
    # finished: wait for that line, then read the whole list.
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s !== null && /found \\d+ page/.test(s.innerText); }",
        timeout=30000,
    )
    hrefs = page.locator("#search-results ul.search li a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert any(h.split("#")[0] == "chapters/03_backprop/backprop.html" for h in hrefs), hrefs
    summary = page.locator("#search-results .search-summary").inner_text()
    assert re.search(r"found \d+ page", summary), summary


# -- screenshots ----------------------------------------------------------------


def test_screenshots(site, open_page, screenshots_dir):
    shots = []

    page = open_page("intro.html").page
    shots.append(screenshots_dir / "intro.png")
    page.screenshot(path=shots[-1])

    page = open_page("chapters/03_backprop/backprop.html").page
    # Chapter 3 at its first displayed equation, as MathJax typeset it.
    page.locator("div.math mjx-container").first.scroll_into_view_if_needed()
    shots.append(screenshots_dir / "backprop-math.png")
    page.screenshot(path=shots[-1])
    # The first exercise's solution, opened, with its figure or output in view.
    solution = page.locator(".solution.dropdown").first
    solution.locator("button.toggle-button").click()
    solution.locator(":scope > :not(.admonition-title)").first.wait_for(state="visible")
    solution.scroll_into_view_if_needed()
    shots.append(screenshots_dir / "backprop-solution.png")
    page.screenshot(path=shots[-1])

    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, f"{shot} looks empty"


# -- internal links (static, no browser) ------------------------------------------


class _Refs(html.parser.HTMLParser):
    """Collect a page's ids (anchors) and its references to other files."""

    ATTRS = {
        "a": "href",
        "link": "href",
        "img": "src",
        "script": "src",
        "iframe": "src",
        "source": "src",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        want = self.ATTRS.get(tag)
        if want and attrs.get(want):
            self.refs.append((tag, attrs[want]))


def _parse(page: Path, cache: dict) -> _Refs:
    if page not in cache:
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        cache[page] = parser
    return cache[page]


def test_internal_links_resolve(site):
    cache: dict[Path, _Refs] = {}
    broken = []
    checked = 0
    for rel in _pages():
        page = site / rel
        for tag, ref in _parse(page, cache).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:", "data:")):
                continue  # external: not this test's business
            checked += 1
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if parts.path.endswith("/"):
                target = target / "index.html"
            if not target.is_relative_to(site) or not target.is_file():
                broken.append(f"{rel}: <{tag}> {ref} -> no such file")
                continue
            anchor = unquote(parts.fragment)
            if anchor and target.suffix == ".html" and anchor not in _parse(target, cache).ids:
                broken.append(f"{rel}: <{tag}> {ref} -> no anchor #{anchor}")
    assert checked > 100, f"only {checked} internal references found: is the site complete?"
    assert not broken, "broken internal links:\n" + "\n".join(broken)
