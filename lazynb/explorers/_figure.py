"""What the three static explorers share: controls, frame names and the HTML fragment.

A static explorer is a Plotly figure whose *frames* hold one precomputed result per
grid point, plus native HTML controls (``<select>``, ``<input type="range">``, a
play/pause ``<button>``) that pick the frame. The controls are plain form elements,
not Plotly's SVG sliders and menus, so that they take keyboard focus and have labels
(the accessibility checks) and so that two controls can combine: Plotly's own slider
steps each name a fixed frame and cannot see what a second menu is set to.
The script that joins them only looks up a frame name; every number comes from Python.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Control", "StaticExplorer", "frame_key", "decode", "embedded_frames", "PLOTLY_CONFIG"]

# Plotly's ``config``: nothing in it reaches the network (no mode bar, with its logo link
# and cloud export), and the figure follows its container's width.
PLOTLY_CONFIG = {
    "displayModeBar": False,
    "displaylogo": False,
    "showSendToCloud": False,
    "responsive": True,
    "scrollZoom": False,
}


@dataclass(frozen=True)
class Control:
    """One setting of an explorer: ``options`` are the labels of its grid values, in order.

    ``kind`` is "select" (a menu, for categories) or "range" (a slider, for numbers);
    ``play=True`` adds a play/pause button that steps this control through its values
    (for an axis that is time: steps, epochs).
    """

    name: str
    label: str
    options: tuple
    kind: str = "range"
    play: bool = False

    def __post_init__(self):
        if self.kind not in ("select", "range"):
            raise ValueError(f"kind must be 'select' or 'range', got {self.kind!r}")
        if len(self.options) < 1:
            raise ValueError(f"control {self.name!r} needs at least one option")


def frame_key(indices) -> str:
    """The frame name of a grid point: its option indices joined by ``|``, e.g. ``"3|20"``."""
    return "|".join(str(int(i)) for i in indices)


def decode(value) -> np.ndarray:
    """A figure array as NumPy: Plotly writes NumPy arrays as ``{"dtype", "bdata", "shape"}``
    (base64 of the raw bytes); plain lists pass through. Returns the array (any shape)."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(s) for s in str(value["shape"]).split(",")])
        return arr
    return np.asarray(value)


def embedded_frames(fragment: str) -> dict:
    """The frames an explorer's HTML carries, parsed back from the page text:
    ``{frame name: frame dict}`` (what the browser animates between; tests read it)."""
    if not isinstance(fragment, str):
        raise TypeError(f"fragment must be a str of HTML, got {type(fragment).__name__}")
    m = re.search(r"Plotly\.addFrames\('[^']*',\s*", fragment)
    if m is None:
        raise ValueError("no Plotly.addFrames(...) call in this HTML: not a static explorer")
    frames, _ = json.JSONDecoder().raw_decode(fragment, m.end())
    return {f["name"]: f for f in frames}


# The glue between the HTML controls and the figure: build the frame name from the
# controls' positions, look it up (several grid points may share one frame) and
# animate to it. It computes nothing.
_GLUE = """
(function () {
  var id = %(id)s, box = document.getElementById(id + "-box");
  var spec = JSON.parse(document.getElementById(id + "-spec").textContent);
  var gd = document.getElementById(id), timer = null;
  var inputs = Array.prototype.slice.call(box.querySelectorAll("[data-control]"));
  var play = box.querySelector("button[data-play]");
  function key() { return inputs.map(function (el) { return el.value; }).join("|"); }
  function show() {
    inputs.forEach(function (el) {
      var label = spec.options[+el.dataset.control][+el.value];
      if (el.type === "range") { el.setAttribute("aria-valuetext", label); }
      var out = box.querySelector('output[data-for="' + el.dataset.control + '"]');
      if (out) { out.textContent = label; }
    });
    box.dataset.frame = spec.frames[key()];
    Plotly.animate(gd, [spec.frames[key()]], {mode: "immediate",
      frame: {duration: 0, redraw: true}, transition: {duration: 0}});
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    if (play) { play.textContent = "Play"; play.setAttribute("aria-pressed", "false"); }
  }
  inputs.forEach(function (el) {
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", function () {
      stop(); show();
    });
  });
  if (play) {
    var axis = inputs[+play.dataset.play];
    play.addEventListener("click", function () {
      if (timer !== null) { stop(); return; }
      if (+axis.value >= +axis.max) { axis.value = 0; show(); }
      play.textContent = "Pause"; play.setAttribute("aria-pressed", "true");
      timer = setInterval(function () {
        if (+axis.value >= +axis.max) { stop(); return; }
        axis.value = +axis.value + 1; show();
      }, 350);
    });
  }
})();
"""

_STYLE = (
    "<style>.lazynb-explorer-controls{display:flex;flex-wrap:wrap;gap:.4em 1.2em;"
    "align-items:center;margin:.3em 0}.lazynb-explorer-controls label{display:flex;"
    "gap:.4em;align-items:center}.lazynb-explorer-controls output{min-width:3.5em;"
    "font-variant-numeric:tabular-nums}.lazynb-explorer-plot{background:#fff}</style>"
)


@dataclass
class StaticExplorer:
    """A precomputed explorer: the Plotly ``figure`` (base data = the initial grid point,
    one frame per distinct grid point), its ``controls``, ``frames`` (option indices,
    joined by ``frame_key`` -> frame name), the ``initial`` indices and a text
    ``description``. ``html`` is the fragment a page embeds (plotly.js not included:
    the site serves it once, see ``lazynb.explorers.site``)."""

    kind: str
    figure: object
    controls: tuple
    frames: dict
    initial: tuple
    description: str
    height: int = 460
    results: dict = field(default_factory=dict, repr=False)
    _html: str | None = field(default=None, repr=False)

    @property
    def div_id(self) -> str:
        return f"lazynb-explorer-{self.kind}"

    @property
    def html(self) -> str:
        """The HTML fragment (description, labelled controls, the figure and its glue script)."""
        if self._html is None:
            self._html = self._build_html()
        return self._html

    @property
    def size_bytes(self) -> int:
        """Bytes the fragment adds to its page (UTF-8)."""
        return len(self.html.encode("utf-8"))

    def _build_html(self) -> str:
        import plotly.io as pio

        div = self.div_id
        plot = pio.to_html(
            self.figure,
            config=PLOTLY_CONFIG,
            full_html=False,
            include_plotlyjs=False,
            auto_play=False,
            div_id=div,
            default_width="100%",
            default_height=f"{self.height}px",
        )
        parts = [
            f'<div class="lazynb-explorer" id="{div}-box" data-explorer="{self.kind}" '
            f'data-frame="{html.escape(self.frames[frame_key(self.initial)])}">',
            _STYLE,
            f'<p class="lazynb-explorer-description" id="{div}-desc">'
            f"{html.escape(self.description)}</p>",
            f'<div class="lazynb-explorer-controls" role="group" '
            f'aria-label="Controls of the figure below" aria-describedby="{div}-desc">',
        ]
        for i, c in enumerate(self.controls):
            cid = f"{div}-c{i}"
            at = self.initial[i]
            if c.kind == "select":
                opts = "".join(
                    f'<option value="{j}"{" selected" if j == at else ""}>{html.escape(o)}</option>'
                    for j, o in enumerate(c.options)
                )
                parts.append(
                    f'<label for="{cid}">{html.escape(c.label)}</label>'
                    f'<select id="{cid}" data-control="{i}">{opts}</select>'
                )
            else:
                parts.append(
                    f'<label for="{cid}">{html.escape(c.label)}</label>'
                    f'<input type="range" id="{cid}" data-control="{i}" min="0" '
                    f'max="{len(c.options) - 1}" step="1" value="{at}" '
                    f'aria-valuetext="{html.escape(c.options[at])}">'
                    f'<output data-for="{i}" for="{cid}">{html.escape(c.options[at])}</output>'
                )
            if c.play:
                parts.append(
                    f'<button type="button" data-play="{i}" aria-pressed="false" '
                    f'aria-label="Play or pause the {html.escape(c.label)} animation">Play</button>'
                )
        spec = {"options": [list(c.options) for c in self.controls], "frames": self.frames}
        # "</" inside a script would end it early; JSON allows the escaped form.
        spec_json = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
        parts += [
            "</div>",
            f'<div class="lazynb-explorer-plot">{plot}</div>',
            f'<script type="application/json" id="{div}-spec">{spec_json}</script>',
            f"<script>{_GLUE % {'id': json.dumps(div)}}</script>",
            "</div>",
        ]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.html


def grid_keys(controls) -> list[tuple]:
    """Every combination of option indices of ``controls``, in order (the first control slowest)."""
    shape = [len(c.options) for c in controls]
    return [tuple(int(i) for i in idx) for idx in np.ndindex(*shape)]


def fmt(x: float) -> str:
    """A grid value as a short label: ``0.1``, ``0.001``, ``1``."""
    return f"{x:g}"
