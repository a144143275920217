"""Give every exercise's and solution's content section an id of its own.

sphinx-exercise wraps each exercise's body in a section with the fixed id
``exercise-content`` and each solution's in one with ``solution-content``, so a page
with several exercises repeats those ids, which HTML forbids (and a link to one
reaches only the first). After the sections are built, the second and later get
``exercise-content-2``, ``solution-content-2``, and so on.
"""

from docutils import nodes

FIXED_IDS = ("exercise-content", "solution-content")


def _renumber(app, doctree, docname):
    counts = dict.fromkeys(FIXED_IDS, 0)
    for section in doctree.findall(nodes.section):
        ids = section["ids"]
        for fixed in FIXED_IDS:
            if fixed in ids:
                counts[fixed] += 1
                if counts[fixed] > 1:
                    ids[ids.index(fixed)] = f"{fixed}-{counts[fixed]}"


def setup(app):
    # After sphinx-exercise's own post-transforms, which build the solution sections.
    app.connect("doctree-resolved", _renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
