"""The README's local way in: JupyterLab from .venv, driven live in headless Chromium.

A JupyterLab server is started from this environment on 127.0.0.1 with a random
token, on a free port, over a temporary folder holding copies of chapters 3 and 6
(so that nothing JupyterLab saves lands in the repository), offline
(``LAZYNB_DATA`` an empty folder, ``LAZYNB_DOWNLOAD=0``). Then, as a reader would:

- chapter 3: Run All; find the learning-rate slider of the ``LearningRateExplorer``;
  move it with the arrow keys; the widget's plot changes (and the kernel's slider
  value with it);
- Beyond: Run All; press the Playground's "run" button; the plot changes, and the
  training loss of that very playground went down.

The widget cells are tagged ``skip-execution`` for the site build, but JupyterLab's
Run All runs them, as for a reader. Screenshots land in _build/screenshots/lab-*.png.
The server (and its kernels) is stopped at the end whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SCREENSHOTS, VIEWPORT, unavailable

pytestmark = pytest.mark.browser

NOTEBOOKS = {
    "backprop": ROOT / "chapters" / "03_backprop" / "backprop.ipynb",
    "beyond": ROOT / "chapters" / "06_beyond" / "beyond.ipynb",
}
START_S = 90  # the server's start-up, on a busy machine
RUN_ALL_S = 300  # Run All of one chapter: 12-40 s on an idle 2-core machine, minutes on a busy one
WIDGET_S = 60  # a widget's reaction to a key press or a click


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server: its URL, token, folders and process."""

    def __init__(self, root: Path, state: Path):
        self.root, self.state = root, state
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = state / "lab.log"
        self.proc: subprocess.Popen | None = None

    def api(self, path: str):
        req = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def start(self, executable: str) -> None:
        settings = self.state / "settings"
        # Every cell in the DOM (JupyterLab 4 renders only the visible ones by default),
        # and no news pop-up asking to fetch from the internet.
        (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
        (
            settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        ).write_text(json.dumps({"windowingMode": "none"}))
        (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
        (
            settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        ).write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        data = self.state / "empty-data"
        data.mkdir()
        env = {
            **os.environ,
            "LAZYNB_DATA": str(data),
            "LAZYNB_DOWNLOAD": "0",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.state / "workspaces"),
            "JUPYTER_RUNTIME_DIR": str(self.state / "runtime"),
            "JUPYTER_CONFIG_DIR": str(self.state / "config"),
        }
        env.pop("PYTHONPATH", None)
        cmd = [
            executable,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=",
            "--LabApp.extension_manager=readonly",  # no listing fetched from PyPI
        ]
        if os.geteuid() == 0:  # a CI container
            cmd.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer within {START_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and its kernels (its whole process group)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def run_in_kernel(self, code: str) -> str:
        """Run ``code`` in the notebook's own kernel (the one the page drives, through a
        second client, as ``jupyter console --existing`` would); return its stdout."""
        from jupyter_client import BlockingKernelClient

        (session,) = self.api("/api/sessions")
        conn = self.state / "runtime" / f"kernel-{session['kernel']['id']}.json"
        client = BlockingKernelClient(connection_file=str(conn))
        client.load_connection_file()
        client.start_channels()
        out: list[str] = []
        try:
            client.wait_for_ready(timeout=WIDGET_S)

            def hook(msg):
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    out.append("\n".join(msg["content"]["traceback"]))

            reply = client.execute_interactive(code, timeout=WIDGET_S, output_hook=hook)
        finally:
            client.stop_channels()
        assert reply["content"]["status"] == "ok", "".join(out)
        return "".join(out)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    executable = Path(sys.executable).with_name("jupyter-lab")
    if not executable.exists():
        executable = shutil.which("jupyter-lab")
        if executable is None:
            unavailable("JupyterLab is not installed (make install: it is in the dev extra)")
    root = tmp_path_factory.mktemp("lab-root")
    for path in NOTEBOOKS.values():
        shutil.copy2(path, root / path.name)
    server = Lab(root, tmp_path_factory.mktemp("lab-state"))
    try:
        server.start(str(executable))
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab_page(lab, browser):
    """A fresh browser context on the server, recording requests that leave it.

    (Not intercepted with ``page.route``: routing JupyterLab's hundreds of script
    requests through Playwright slowed its start-up past a minute here.)
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WIDGET_S * 1000)
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(lab.url) else external.append(r.url))
    page.external_requests = external
    try:
        yield page
    finally:
        context.close()
        # Shut the chapter's kernel down: the next test opens its own.
        for session in lab.api("/api/sessions"):
            req = urllib.request.Request(
                f"{lab.url}/api/sessions/{session['id']}",
                method="DELETE",
                headers={"Authorization": f"token {lab.token}"},
            )
            urllib.request.urlopen(req, timeout=30).close()


def _open_and_run_all(lab: Lab, page, name: str) -> None:
    # ?reset: a fresh layout, not the one the previous test left (its notebook open).
    page.goto(f"{lab.url}/lab/tree/{name}.ipynb?reset&token={lab.token}", wait_until="load")
    page.locator(".jp-Notebook:visible .jp-Cell").first.wait_for(timeout=START_S * 1000)
    # The kernel is up once the server lists it as idle.
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        sessions = [s for s in lab.api("/api/sessions") if s["path"] == f"{name}.ipynb"]
        if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"{name}: the kernel did not start:\n{lab.log_tail()}")
    page.locator(".jp-Notebook:visible").first.click(position={"x": 5, "y": 5})
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    # Done when no code cell is queued or running ([*]) and the last one has a number.
    prompts_js = (
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
        ".map(p => p.innerText.trim())"
    )
    deadline = time.monotonic() + RUN_ALL_S
    while True:
        prompts = page.evaluate(prompts_js)
        if prompts and not any("*" in p for p in prompts) and re.search(r"\[\d+\]", prompts[-1]):
            break
        if time.monotonic() > deadline:
            page.screenshot(path=SCREENSHOTS / f"lab-{name}-timeout.png")
            running = [i for i, p in enumerate(prompts) if "*" in p]
            pytest.fail(
                f"{name}: Run All not done after {RUN_ALL_S} s; code cells still queued or "
                f"running: {running[:3]}... of {len(prompts)} (screenshot lab-{name}-timeout.png)"
            )
        page.wait_for_timeout(1000)
    errors = page.locator(".jp-OutputArea-output").filter(
        has_text=re.compile(r"Traceback \(most recent call last\)")
    )
    assert errors.count() == 0, f"{name}: a cell failed:\n{errors.first.inner_text()[:2000]}"


def _image_src(output) -> str:
    img = output.locator("img").first
    img.wait_for(timeout=WIDGET_S * 1000)
    return img.get_attribute("src") or ""


def _screenshot(page, output, path) -> None:
    """A screenshot with the widget's plot drawn and in view.

    The widget may replace its <img> while we wait (a redraw detaches the old one), so
    the image is looked up again until one stays attached; the scroll targets the
    output area, which stays.
    """
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(5):
        img = output.locator("img").first
        img.wait_for(timeout=WIDGET_S * 1000)
        try:
            img.evaluate(
                "i => i.complete && i.naturalWidth > 0 ? null"
                " : new Promise(r => { i.onload = r; i.onerror = r; })"
            )
            break
        except PlaywrightError:  # detached by a redraw: take the new image
            page.wait_for_timeout(250)
    output.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=path)


def _wait_for_new_image(page, output, old_src: str, what: str) -> str:
    deadline = time.monotonic() + WIDGET_S
    while time.monotonic() < deadline:
        imgs = output.locator("img")
        if imgs.count() and (src := imgs.first.get_attribute("src") or "") and src != old_src:
            return src
        page.wait_for_timeout(250)
    pytest.fail(f"{what}: the widget's plot did not change within {WIDGET_S} s")


def test_chapter_3_learning_rate_slider_redraws(lab, lab_page, screenshots_dir):
    page = lab_page
    _open_and_run_all(lab, page, "backprop")
    slider = page.locator(".widget-hslider").filter(
        has=page.locator(".widget-label", has_text=re.compile(r"^lr$"))
    )
    assert slider.count() == 1, f"expected one learning-rate slider, found {slider.count()}"
    explorer = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    output = explorer.locator(".widget-output")
    readout = slider.locator(".widget-readout")
    before_value = readout.inner_text().strip()
    before_src = _image_src(output)
    _screenshot(page, output, screenshots_dir / "lab-backprop-slider-before.png")

    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(20):  # 20 steps of 0.01
        page.keyboard.press("ArrowRight")
    after_src = _wait_for_new_image(page, output, before_src, "chapter 3's learning-rate slider")
    after_value = readout.inner_text().strip()
    _screenshot(page, output, screenshots_dir / "lab-backprop-slider-after.png")

    assert float(after_value) > float(before_value), (before_value, after_value)
    # The kernel's explorer holds the new learning rate and drew its path with it.
    said = lab.run_in_kernel(
        "import gc\n"
        "from lazynb.optim_demo import LearningRateExplorer\n"
        "ex = [o for o in gc.get_objects() if isinstance(o, LearningRateExplorer)]\n"
        "print(len(ex), ex[-1].lr.value)\n"
    )
    count, value = said.split()
    assert count == "1" and abs(float(value) - float(after_value)) < 1e-9, said
    assert after_src != before_src


def test_beyond_playground_trains_and_the_loss_goes_down(lab, lab_page, screenshots_dir):
    page = lab_page
    _open_and_run_all(lab, page, "beyond")
    run = page.locator("button.widget-button", has_text=re.compile(r"^run$"))
    assert run.count() == 1, f"expected one Playground run button, found {run.count()}"
    playground = run.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    output = playground.locator(".widget-output")
    before_src = _image_src(output)
    start = lab.run_in_kernel(
        "import gc\n"
        "from lazynb.playground import Playground\n"
        "pgs = [o for o in gc.get_objects() if isinstance(o, Playground)"
        " and o._widget is not None]\n"
        "print(len(pgs), pgs[-1].epoch, pgs[-1].history['cost'][-1])\n"
    )
    n, epoch0, loss0 = start.split()
    assert n == "1", start
    _screenshot(page, output, screenshots_dir / "lab-beyond-playground-before.png")

    run.click()
    _wait_for_new_image(page, output, before_src, "the Playground's run button")
    # The run trains in chunks and redraws after each; the kernel answers once it is done.
    end = lab.run_in_kernel("print(pgs[-1].epoch, pgs[-1].history['cost'][-1])\n")
    epoch1, loss1 = end.split()
    _screenshot(page, output, screenshots_dir / "lab-beyond-playground-after.png")
    assert int(epoch1) > int(epoch0), (start, end)
    assert float(loss1) < 0.8 * float(loss0), f"the loss did not go down: {loss0} -> {loss1}"
    final_src = _image_src(output)
    assert final_src != before_src
