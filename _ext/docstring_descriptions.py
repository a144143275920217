"""Read lazynb's NumPy-style sections the way the package writes them.

The package's docstrings use NumPy sections ("Parameters" over a line of dashes),
with one convention of their own: an entry reads ``name : what it is``, a
description after the colon rather than a type::

    X : (N, D) array of inputs, one row per example.
    lr : learning rate.

sphinx.ext.napoleon would take that text for the type. This hook runs before
napoleon and moves it below the name, where napoleon reads a description::

    X
        (N, D) array of inputs, one row per example.
"""

from __future__ import annotations

import re

SECTIONS = {"Parameters", "Other Parameters", "Returns", "Yields", "Attributes"}
_ENTRY = re.compile(
    r"^(?P<indent>\s*)(?P<names>\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s+:\s+(?P<text>\S.*)$"
)
_HEADER = re.compile(r"^(?P<indent>\s*)(?P<title>[A-Z][A-Za-z ]+)\s*$")


def split_entries(lines: list[str]) -> list[str]:
    """The docstring's lines with every ``name : text`` entry of SECTIONS split in two."""
    out: list[str] = []
    section_indent = None  # the indentation of the current section's entries
    i = 0
    while i < len(lines):
        line = lines[i]
        header = _HEADER.match(line)
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if header and underline and set(underline) == {"-"} and len(underline) >= 3:
            inside = header["title"].strip() in SECTIONS
            section_indent = header["indent"] if inside else None
            out += [line, lines[i + 1]]
            i += 2
            continue
        entry = _ENTRY.match(line)
        if section_indent is not None and entry and entry["indent"] == section_indent:
            out += [f"{section_indent}{entry['names']}", f"{section_indent}    {entry['text']}"]
        else:
            out.append(line)
        i += 1
    return out


def _process(app, what, name, obj, options, lines):
    lines[:] = split_entries(lines)


def setup(app):
    # Before sphinx.ext.napoleon (default priority 500) turns the sections into fields.
    app.connect("autodoc-process-docstring", _process, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
