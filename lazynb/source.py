"""Show the package's own, tested source inside a chapter.

A chapter that explains a kernel displays it with :func:`show_source` instead of
pasting a copy, so the text and the code that runs can never drift apart.
"""

from __future__ import annotations

import inspect
import textwrap


class Source:
    """Source code of a Python object, rendered with highlighting in a notebook.

    ``str(src)`` is the plain code; in Jupyter it renders as highlighted HTML,
    and in a terminal as plain text.
    """

    def __init__(self, code: str, name: str):
        self.code = code
        self.name = name

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return self.code

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        # noclasses: the colours travel inline, so the page needs no extra CSS.
        formatter = HtmlFormatter(noclasses=True, style="default", nobackground=True)
        html = highlight(self.code, PythonLexer(), formatter)
        return f'<div class="lazynb-source" title="{self.name}">{html}</div>'

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"


def get_source(obj, *, docstring: bool = True) -> str:
    """Return the source code of a function, class or method as a string.

    With ``docstring=False`` the docstring is dropped, which keeps long
    explanations out of a listing whose prose already explains it.
    """
    if not (
        inspect.isfunction(obj)
        or inspect.isclass(obj)
        or inspect.ismethod(obj)
        or inspect.ismodule(obj)
    ):
        raise TypeError(
            f"show_source expects a function, class, method or module, got {type(obj).__name__}"
        )
    try:
        code = textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError) as exc:
        raise TypeError(f"no source available for {obj!r}: {exc}") from None
    if not docstring:
        code = _strip_docstring(code)
    return code.rstrip() + "\n"


def _strip_docstring(code: str) -> str:
    import ast

    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    drop: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                drop.append((body[0].lineno - 1, body[0].end_lineno))
    for start, end in sorted(drop, reverse=True):
        del lines[start:end]
    return "".join(lines)


def show_source(obj, *, docstring: bool = True) -> Source:
    """Return a displayable, highlighted listing of ``obj``'s source.

    Use as the last expression of a cell: ``show_source(lazynb.neuron.LogisticUnit.fit)``.
    """
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
    return Source(get_source(obj, docstring=docstring), name)
