"""The built site is accessible: axe-core on every page, alt text, dark mode.

- axe-core (bundled by axe-playwright-python) runs over every page of the built
  site; no violation of impact "serious" or "critical" is allowed, nor the
  landmark rule "region" (all content inside a landmark) that screen-reader users
  navigate by;
- every image in a chapter page has alt text that says what it shows: not empty,
  not a file name (myst-nb's default is the image's path), not "figure"/"output";
- dark mode: the page really is dark, the listings' syntax colours meet the
  contrast ratio there too (axe), and the Matplotlib figures sit on a white
  ground; a screenshot of chapter 3 in dark mode lands in _build/screenshots/.

The fixes live in _static/a11y.css (registered in _config.yml).
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest
from conftest import VIEWPORT
from test_site import _pages

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
ALSO_BLOCKING_RULES = {"region"}
BAD_ALT = re.compile(r"^(|figure|fig|image|img|output|png|plot|graph|chart|picture)$", re.I)


def _violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [
            ", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
            for n in v["nodes"][:3]
        ]
        lines.append(
            f"{v['impact']} {v['id']} ({len(v['nodes'])} elements, e.g. {targets}): {v['help']}"
        )
    return "\n".join(lines)


def _blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING_RULES]


@pytest.mark.parametrize("path", _pages())
def test_axe_finds_no_serious_violation(site, open_page, path):
    page = open_page(path).page
    bad = _blocking(_violations(page))
    assert not bad, f"{path}: axe-core found\n{_describe(bad)}"


# -- alt text (static: the HTML as built) ---------------------------------------------


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def _chapter_pages() -> list[str]:
    return [p for p in _pages() if p.startswith("chapters/")] or ["chapters/none.html"]


def _meaningless(alt: str | None, src: str) -> bool:
    alt = (alt or "").strip()
    name = Path(src.split("?")[0]).name
    return (
        BAD_ALT.match(alt) is not None
        or alt == src
        or alt.endswith(name)  # myst-nb's default: the image's path
        or re.search(r"\.(png|jpe?g|svg|gif)$", alt, re.I) is not None
        or len(alt.split()) < 3  # a few words at least: what the figure shows
    )


@pytest.mark.parametrize("path", _chapter_pages())
def test_every_figure_has_meaningful_alt_text(site, path):
    parser = _Images()
    parser.feed((site / path).read_text(encoding="utf-8"))
    # The book's figures and pictures (not the theme's logos and launch-button icons).
    figures = [
        i
        for i in parser.images
        if "_images/" in i.get("src", "") or i.get("src", "").startswith("data:")
    ]
    bad = [
        (i.get("src", "?"), i.get("alt"))
        for i in figures
        if _meaningless(i.get("alt"), i.get("src", ""))
    ]
    assert not bad, (
        f"{path}: {len(bad)} of {len(figures)} images have no alt text that says what they show "
        "(add cell metadata mystnb: image: alt: '...' to the cell that draws them):\n"
        + "\n".join(f"  {src}: alt={alt!r}" for src, alt in bad[:20])
    )


def test_meaningless_alt_texts_are_caught():
    src = "../../_images/abc.png"
    for alt in (None, "", "figure", "Output", "png", src, "_images/abc.png", "a plot"):
        assert _meaningless(alt, src), alt
    assert not _meaningless("The cost falls from 2.3 to 0.4 over 20 epochs.", src)


# -- dark mode ---------------------------------------------------------------------------

DARK_PAGE = "chapters/03_backprop/backprop.html"


@pytest.fixture
def dark_page(site, browser, base_url):
    """Chapter 3 as a reader whose system prefers dark colours sees it (theme mode "auto")."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base_url) else r.abort())
    page.goto(base_url + DARK_PAGE, wait_until="load")
    page.evaluate("async () => { await document.fonts.ready; }")
    try:
        yield page
    finally:
        context.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_dark_mode_is_dark_and_figures_stay_legible(dark_page, screenshots_dir):
    page = dark_page
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _luminance(body_bg) < 0.1, f"the page is not dark: {body_bg}"
    # Matplotlib draws black text and axes for a white page: each figure gets a white ground.
    figures = page.locator(".cell_output img")
    assert figures.count() > 0, "no figures on chapter 3"
    grounds = figures.evaluate_all("imgs => imgs.map(i => getComputedStyle(i).backgroundColor)")
    dark = [g for g in grounds if _luminance(g) < 0.9]
    assert not dark, (
        f"{len(dark)} of {len(grounds)} figures lack a white ground in dark mode: {dark[:3]}"
    )
    # The listings' syntax colours (inline styles) are readable on the dark ground.
    listing = page.locator(".lazynb-source").first
    listing.scroll_into_view_if_needed()
    bad = [v for v in _blocking(_violations(page)) if v["id"] == "color-contrast"]
    assert not bad, f"dark mode: {_describe(bad)}"
    shot = screenshots_dir / "dark-backprop-listing.png"
    page.screenshot(path=shot)
    figures.first.scroll_into_view_if_needed()
    shot = screenshots_dir / "dark-backprop-figure.png"
    page.screenshot(path=shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
