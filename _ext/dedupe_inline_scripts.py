"""Write each inline script once per page.

Sphinx 7.4 adds a script registered after the builder started (sphinx-thebe's and
sphinx-togglebutton's inline configuration) twice: once as ``filename=None``, once
as ``filename=''``, which do not compare equal. The second ``const THEBE_JS_URL``
then throws "Identifier 'THEBE_JS_URL' has already been declared" on every page.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        key = (
            getattr(js, "filename", js) or "",
            getattr(js, "priority", None),
            tuple(sorted(getattr(js, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
