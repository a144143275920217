"""The static explorers on the built site: found, moved by keyboard and menu, redrawn, no errors.

Each explorer (lazynb.explorers) is a Plotly figure with one frame per precomputed grid
point and native HTML controls. For each page: the explorer is there with its text
description and plotly.js from the site itself; each control is moved (the keyboard for
sliders, a choice for menus, the Play button for time axes); the figure's frame, its title
and its drawing change; no console error appears. Screenshots of each explorer after its
controls moved go to _build/screenshots/explorer-<kind>.png.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# page -> (kind, actions); an action is ("key", control index, key), ("select", index,
# option label) or ("play", index): press Play, wait for a step, press Pause.
EXPLORERS = {
    "chapters/03_backprop/backprop.html": (
        "learning-rate",
        [("key", 0, "ArrowRight"), ("key", 1, "Home"), ("play", 1)],
    ),
    "chapters/05_modern/modern.html": (
        "optimizer",
        [("select", 0, "Adam"), ("key", 1, "End"), ("select", 0, "Nesterov"), ("key", 2, "Home")],
    ),
    "chapters/06_beyond/beyond.html": (
        "playground",
        [("select", 0, "xor"), ("select", 1, "none"), ("key", 2, "Home"), ("play", 2)],
    ),
}


def _state(page, div: str) -> dict:
    """What the reader sees: the frame shown, the figure's title and its drawn SVG."""
    return page.evaluate(
        """(div) => {
            const gd = document.getElementById(div);
            return {frame: document.getElementById(div + "-box").dataset.frame,
                    title: gd.layout.title.text,
                    svg: gd.querySelector(".main-svg").outerHTML.length + ":" +
                         gd.querySelector(".cartesianlayer").innerHTML};
        }""",
        div,
    )


@pytest.mark.parametrize("path", sorted(EXPLORERS))
def test_explorer_moves(site, open_page, screenshots_dir, path):
    kind, actions = EXPLORERS[path]
    div = f"lazynb-explorer-{kind}"
    visit = open_page(path)
    page = visit.page
    box = page.locator(f"#{div}-box")
    assert box.count() == 1, f"{path}: no {kind} explorer on the page"
    assert page.locator(".lazynb-explorer").count() == 1
    assert len(box.locator(".lazynb-explorer-description").inner_text()) > 100
    scripts = page.eval_on_selector_all(
        "script[src]", "els => els.map(e => e.src).filter(s => s.includes('plotly'))"
    )
    assert len(scripts) == 1 and scripts[0].startswith(visit.base_url), scripts
    page.wait_for_function(f"() => document.querySelector('#{div} .main-svg') !== null")
    box.scroll_into_view_if_needed()
    for action in actions:
        before = _state(page, div)
        control = box.locator(f"[data-control='{action[1]}']")
        if action[0] == "key":
            control.focus()  # keyboard access: every control takes focus
            page.keyboard.press(action[2])
        elif action[0] == "select":
            control.select_option(label=action[2])
        else:
            play = box.locator(f"button[data-play='{action[1]}']")
            control.focus()
            page.keyboard.press("Home")
            before = _state(page, div)
            play.click()
            assert play.get_attribute("aria-pressed") == "true"
            page.wait_for_timeout(1200)
            play.click()
            assert play.get_attribute("aria-pressed") == "false"
        page.wait_for_function(
            "([div, frame]) => document.getElementById(div + '-box').dataset.frame !== frame",
            arg=[div, before["frame"]],
        )
        page.wait_for_timeout(300)  # let Plotly finish drawing the frame
        after = _state(page, div)
        assert after["title"] != before["title"], f"{path} {action}: the title did not change"
        assert after["svg"] != before["svg"], f"{path} {action}: the figure was not redrawn"
    box.screenshot(path=screenshots_dir / f"explorer-{kind}.png")
    assert not visit.page_errors, f"{path}: uncaught script errors: {visit.page_errors}"
    assert not visit.console_errors, f"{path}: console errors: {visit.console_errors}"
    assert not visit.external_requests, f"{path}: fetches from outside: {visit.external_requests}"
