"""Scan the built site for what must never reach a reader.

Usage: python tools/check_site.py _build/html

Fails (exit 1) if a chapter page shows a traceback, a TensorFlow/absl/oneDNN/CUDA
log line or a Python warning, if a page that has exercises lacks solution
dropdowns, if an executed chapter has no output at all, or if any page repeats an
element id (HTML forbids it, and a link to the id reaches only the first).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FORBIDDEN = {
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
    "an absl log line": re.compile(r"absl::InitializeLog|^[IWE]\d{4} \d\d:\d\d", re.M),
    "a oneDNN notice": re.compile(r"oneDNN custom operations"),
    "a CUDA/cuDNN log line": re.compile(
        r"Unable to register cu(DNN|FFT|BLAS)|cuda_(dnn|fft|blas)\.cc"
    ),
    "a TensorFlow C++ log line": re.compile(r"tensorflow/core/[\w/]+\.cc:\d+\]"),
    "a Python warning": re.compile(r"\b\w*Warning: "),
    "a stderr output block": re.compile(r'class="output stderr"'),
}


def check(site: Path) -> list[str]:
    problems = []
    pages = sorted(site.glob("chapters/**/*.html"))
    if not pages:
        return [f"no chapter pages found under {site}/chapters: was the book built?"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        rel = page.relative_to(site)
        for what, pattern in FORBIDDEN.items():
            if pattern.search(html):
                problems.append(f"{rel}: contains {what}")
        if 'class="cell_output' not in html:
            problems.append(f"{rel}: has no executed outputs")
        n_ex = html.count('class="admonition exercise')
        n_sol = len(re.findall(r'class="[^"]*solution[^"]*dropdown', html))
        if n_ex and n_sol < n_ex:
            problems.append(f"{rel}: {n_ex} exercises but only {n_sol} solution dropdowns")
    for page in sorted(site.rglob("*.html")):
        ids = ID.findall(_without_code(page.read_text(encoding="utf-8")))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            problems.append(f"{page.relative_to(site)}: repeats the id(s) {repeated[:5]}")
    return problems


ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]+)"')
_CODE = re.compile(r"<(pre|script|textarea)\b.*?</\1>", re.S)


def _without_code(html: str) -> str:
    """The page without <pre>, <script> and <textarea> bodies, whose text is not markup."""
    return _CODE.sub("", html)


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "_build/html")
    problems = check(site)
    for p in problems:
        print(f"check_site: {p}", file=sys.stderr)
    if not problems:
        print(f"check_site: {site} is clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
