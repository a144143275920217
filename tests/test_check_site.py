"""tools/check_site.py finds what must never reach a reader, and passes a clean page."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "check_site", Path(__file__).resolve().parents[1] / "tools" / "check_site.py"
)
check_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_site)

CLEAN = (
    '<html><body><section id="intro"><div class="cell_output">'
    '<pre id="not-an-id">id="x" id="x"</pre></div></section></body></html>'
)


def _site(tmp_path, page):
    (tmp_path / "chapters" / "01").mkdir(parents=True)
    (tmp_path / "chapters" / "01" / "page.html").write_text(page, encoding="utf-8")
    return tmp_path


def test_a_clean_page_passes(tmp_path):
    assert check_site.check(_site(tmp_path, CLEAN)) == []


def test_repeated_ids_are_found_outside_code_only(tmp_path):
    page = CLEAN.replace(
        "</section>",
        '</section><section id="intro"></section>'
        '<div\n  class="a" id="solution-content"></div><p id="solution-content">',
    )
    problems = check_site.check(_site(tmp_path, page))
    assert problems == ["chapters/01/page.html: repeats the id(s) ['intro', 'solution-content']"]


def test_tracebacks_log_lines_and_missing_outputs_are_found(tmp_path):
    page = (
        "<pre>Traceback (most recent call last):\nW0000 00:00:1 oneDNN custom operations "
        "are on</pre>"
    )
    problems = "\n".join(check_site.check(_site(tmp_path, page)))
    for what in ("a traceback", "an absl log line", "a oneDNN notice", "no executed outputs"):
        assert what in problems
    assert "was the book built" in check_site.check(tmp_path / "nothing")[0]
