"""plotly.js for the static explorers, served by the site itself, once per page, never from a CDN.

Two ways to use it:

- as a Sphinx extension (``_config.yml``: ``sphinx: extra_extensions: [lazynb.explorers.site]``):
  after the HTML build it writes ``_static/plotly.min.js`` (from the plotly wheel, or the
  file named by the Sphinx setting ``lazynb_plotlyjs``) and adds it to the ``<head>`` of
  just the pages that hold an explorer;
- or by hand: ``write_plotlyjs`` into a folder that ``html_static_path`` copies, and an
  ``html_js_files`` entry (then every page loads it: 4.8 MB uncompressed, so prefer the above).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLOTLY_JS", "plotlyjs_source", "write_plotlyjs", "setup"]

PLOTLY_JS = "plotly.min.js"
MARKER = 'class="lazynb-explorer"'  # what StaticExplorer.html puts on the page


def plotlyjs_source() -> str:
    """The plotly.js bundle that ships in the installed plotly wheel (minified JavaScript)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def write_plotlyjs(folder, bundle=None) -> Path:
    """Write ``plotly.min.js`` into ``folder`` (created if needed); return its path.

    bundle: None for the plotly wheel's full bundle (4.8 MB), or the path of another
    plotly.js build of the same version to copy instead, e.g. npm's
    ``plotly.js-cartesian-dist-min`` (1.5 MB: scatter, heatmap, contour, all the
    explorers draw). Rewrites the file only when its content changed.
    """
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"folder must be a path, got {type(folder).__name__}")
    if bundle is not None and not isinstance(bundle, (str, Path)):
        raise TypeError(f"bundle must be None or a path, got {type(bundle).__name__}")
    if bundle is not None and not Path(bundle).is_file():
        raise ValueError(f"bundle must be an existing plotly.js file, got {bundle}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder must be a directory, got the file {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PLOTLY_JS
    source = plotlyjs_source() if bundle is None else Path(bundle).read_text(encoding="utf-8")
    if not path.is_file() or path.read_text(encoding="utf-8") != source:
        path.write_text(source, encoding="utf-8")
    return path


def _add_to_explorer_pages(app, pagename, templatename, context, doctree):
    if MARKER in (context.get("body") or ""):
        # In <head>, without defer: the figure's inline script calls Plotly when it runs.
        app.add_js_file(PLOTLY_JS, priority=400)


def _write_on_finish(app, exception):
    if exception is None and app.builder.format == "html":
        bundle = app.config.lazynb_plotlyjs
        if bundle:  # relative to the book's root (the Sphinx source folder)
            bundle = Path(app.srcdir) / bundle
        write_plotlyjs(Path(app.outdir) / "_static", bundle or None)


def setup(app):
    """Sphinx extension entry point: plotly.js on the explorer pages only, served from _static/."""
    app.add_config_value("lazynb_plotlyjs", None, "html")  # a smaller plotly.js build, optional
    app.connect("html-page-context", _add_to_explorer_pages)
    app.connect("build-finished", _write_on_finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
