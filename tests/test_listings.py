"""Every listing a chapter shows with ``show_source`` carries its idea, not just checks.

The chapters display package code with ``lazynb.source.show_source(obj)``. A
listing that only validates its input and calls a private helper teaches nothing,
so for every object a notebook shows, :data:`EXPECTED` lists the expressions that
are its idea (the stable formula, the update rule, the layer loop). The tests

* parse every notebook's code cells, collect each ``show_source(...)`` call and
  resolve its argument the way the notebook imports it;
* fail when a shown object has no entry in :data:`EXPECTED` (or an entry is stale);
* check that the listing, as displayed (same ``docstring=`` as the chapter),
  contains each expression in its code, not only in a docstring or a comment;
* check that the listing is not dominated by checks: at most
  :data:`MAX_CHECKS` input-check statements before the idea starts, and at
  most :data:`MAX_CODE_LINES` lines of code in its body.

An expression is a plain substring, or a regular expression when it starts with ``re:``.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
import re
import textwrap
import tokenize
from pathlib import Path

import pytest

from lazynb.source import get_source

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*/*.ipynb"))

# Shown object ("module.qualname") -> the expressions that are its idea.
EXPECTED = {
    # chapter 1
    "lazynb.activations.sigmoid": ["np.exp(-np.abs(a))", "np.where(a >= 0"],
    "lazynb.neuron.LogisticUnit.fit": [
        "for _ in range(self.epochs)",
        "sigmoid(X @ self.w_ + self.b_)",
        "X.T @ delta",
    ],
    "lazynb.neuron.Perceptron.fit": [
        "step(x_n @ self.w_ + self.b_)",
        "if y_n != t_n",
        "self.w_ += self.lr * (t_n - y_n) * x_n",
        "self.b_ += self.lr * (t_n - y_n)",
    ],
    # chapter 2
    "lazynb.activations.relu_branch": ["np.where(a > 0, a, 0)"],
    "lazynb.activations.relu": ["a * (a > 0)"],
    "lazynb.activations.softmax": [
        "np.exp(A - A.max(axis=axis, keepdims=True))",
        "E.sum(axis=axis, keepdims=True)",
    ],
    "lazynb.mlp.forward": [r"re:for \w+.* in .*params", " @ "],
    # chapter 3
    "lazynb.optim_demo.descent_path": ["x = x - lr * grad(x)"],
    "lazynb.mlp.backward": [".T @ delta", r"re:delta @ \S+\.T"],
    # chapter 5
    "lazynb.optimizers.Momentum": ["v *= self.mu", "v -= lr * g", "p += v"],
    "lazynb.optimizers.Nesterov": ["p += self.mu * v - lr * g"],
    "lazynb.optimizers.inverse_decay": ["A / (1.0 + k * t)"],
    "lazynb.optimizers.AdaGrad._update": ["cache += g * g", "np.sqrt(cache) + self.eps"],
    "lazynb.optimizers.RMSprop._update": [
        "cache *= self.decay",
        "(1 - self.decay) * (g * g)",
        "np.sqrt(cache) + self.eps",
    ],
    "lazynb.optimizers.Adam._update": [
        "(1 - self.beta1) * g",
        "(1 - self.beta2) * (g * g)",
        "m / (1 - self.beta1 ** t)",
        "v / (1 - self.beta2 ** t)",
        "np.sqrt(v_hat) + self.eps",
    ],
    "lazynb.regularizers.soft_threshold": ["np.sign(x) * np.maximum(np.abs(x) - threshold, 0)"],
    "lazynb.regularizers.EarlyStopping": [
        "cost < self.best_cost - self.min_delta",
        "self.wait >= self.patience",
        "copy.deepcopy(params)",
    ],
    "lazynb.regularizers.dropout_forward": ["rng.random(X.shape) < p", "X * mask"],
    "lazynb.regularizers.train_regularized": ["MLP("],
    # chapter 5, Keras practice: batch normalisation
    "lazynb.batchnorm.batchnorm_forward": [
        "x.mean(axis=0)",
        "x.var(axis=0)",
        "running_mean *= momentum",
        "(1 - momentum) * mean",
        "(x - mean) * inv_std",
        "gamma * x_hat + beta",
    ],
    "lazynb.batchnorm.batchnorm_backward": [
        "dout.sum(axis=0)",
        "(dout * x_hat).sum(axis=0)",
        "N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)",
    ],
    # appendix: linear regression
    "lazynb.linreg.fit_line": ["dx @ (y - y.mean()) / spread", "y.mean() - a * x.mean()"],
    "lazynb.linreg.r_squared": ["1.0 - (residual @ residual) / ss_tot"],
    "lazynb.linreg.LinearRegression.fit": ["np.linalg.solve(A.T @ A, A.T @ y)"],
    "lazynb.linreg.LinearRegression.predict": ["X @ self.w_ + self.b_"],
}

MAX_CHECKS = 3  # "input checks in one line": a decorator or a helper call, a few at most
MAX_CODE_LINES = 40  # code lines of a listing, without docstrings, comments and blank lines

# A call to one of these is an input check: check_positive_int, _check_axis, as_float_array, ...
_CHECK_NAME = re.compile(r"_*(check|as_|validate|ensure)")


# ---------------------------------------------------------------- collecting the calls


def _code_cells(nb_path: Path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            yield i, "".join(cell["source"])


def _parse_cell(src: str) -> ast.Module:
    # IPython magics and shell escapes are not Python: blank them, keep the indentation.
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in src.splitlines()]
    return ast.parse("\n".join(lines))


def _dotted(node) -> str:
    """``opt.Adam._update`` for an Attribute chain over a Name; ValueError for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise ValueError(
        f"show_source's argument must be a name or an attribute, got {ast.unparse(node)}"
    )


def _imports(tree: ast.Module) -> dict:
    """Local name -> dotted import path, for every import anywhere in ``tree``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def collect_calls(nb_path: Path) -> list[dict]:
    """Every ``show_source(...)`` call in a notebook's code cells, resolved.

    Returns dicts with ``notebook``, ``cell``, ``expr`` (the argument as written),
    ``path`` (its dotted import path), ``docstring`` (the keyword, default True).
    """
    trees = [(i, _parse_cell(src)) for i, src in _code_cells(nb_path)]
    names = {}
    for _, tree in trees:
        names.update(_imports(tree))
    calls = []
    for i, tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "show_source"
            ):
                expr = _dotted(node.args[0])
                head, _, rest = expr.partition(".")
                if head not in names:
                    raise AssertionError(
                        f"{nb_path.name} cell {i}: show_source({expr}): "
                        f"{head!r} is not imported in the notebook"
                    )
                docstring = True
                for kw in node.keywords:
                    if kw.arg == "docstring":
                        docstring = ast.literal_eval(kw.value)
                path = names[head] + (f".{rest}" if rest else "")
                calls.append(
                    {
                        "notebook": nb_path.relative_to(ROOT).as_posix(),
                        "cell": i,
                        "expr": expr,
                        "path": path,
                        "docstring": docstring,
                    }
                )
    return calls


def resolve(path: str):
    """Import the longest module prefix of ``path`` and walk the rest with getattr."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:n]))
        except ImportError:
            continue
        for attr in parts[n:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import any prefix of {path}")


def key(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


CALLS = [c for nb in NOTEBOOKS for c in collect_calls(nb)]


def _call_id(call) -> str:
    return f"{Path(call['notebook']).stem}:{call['expr']}"


# ---------------------------------------------------------------- reading a listing


def _without_comments(code: str) -> str:
    """``code`` with every comment replaced by spaces (line numbers and columns kept)."""
    lines = code.splitlines(keepends=True)
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            line = lines[row - 1]
            lines[row - 1] = line[:col] + " " * (tok.end[1] - col) + line[tok.end[1] :]
    return "".join(lines)


def _find(expr: str, text: str):
    """The match of ``expr`` (substring, or regex after ``re:``) in ``text``: its start offset or None."""
    if expr.startswith("re:"):
        m = re.search(expr[3:], text)
        return m.start() if m else None
    i = text.find(expr)
    if i >= 0:
        return i
    # The formatter may set spaces differently (``beta1 ** t`` is written ``beta1**t``):
    # accept any spacing where the expression has a space.
    m = re.search(r"\s*".join(re.escape(part) for part in expr.split()), text)
    return m.start() if m else None


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _is_check(stmt) -> bool:
    """A statement that only checks input: raise, assert, an ``if`` that only raises, or
    an assignment/expression whose calls are all check helpers (``_check_axis(...)``)."""
    if isinstance(stmt, (ast.Raise, ast.Assert)):
        return True
    if isinstance(stmt, ast.If):
        return all(_is_check(s) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        calls = [n for n in ast.walk(stmt.value) if isinstance(n, ast.Call)]
        return bool(calls) and all(_CHECK_NAME.match(_call_name(c)) for c in calls)
    return False


def _is_check_decorator(dec) -> bool:
    node = dec.func if isinstance(dec, ast.Call) else dec
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return bool(_CHECK_NAME.match(name))


def check_lines_before(code: str, line: int) -> int:
    """Lines of input checks in the function that holds ``line`` (1-based) before that line.

    Counts the check decorators of that function and its top-level statements
    that end before ``line`` and only check input (see :func:`_is_check`).
    """
    tree = ast.parse(code)
    funcs = [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and n.lineno <= line <= n.end_lineno
    ]
    if not funcs:
        return 0
    func = max(funcs, key=lambda n: n.lineno)  # the innermost
    count = sum(1 for d in func.decorator_list if _is_check_decorator(d))
    # One per check statement, however many lines the formatter spreads it over.
    count += sum(1 for stmt in func.body if stmt.end_lineno < line and _is_check(stmt))
    return count


def code_lines(code: str) -> int:
    """Non-blank code lines of the listing's body: the signature (which the formatter
    spreads one parameter per line), docstrings and comments do not count."""
    tree = ast.parse(code)
    top = tree.body[0]
    body = [
        s for s in top.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    start = body[0].lineno if body else top.end_lineno
    lines = _without_comments(code).splitlines()[start - 1 :]
    return sum(1 for line in lines if line.strip())


# ---------------------------------------------------------------- the tests


def test_every_show_source_call_is_collected():
    """The parser saw every call: as many as the cells' text holds, and the chapters have some."""
    assert len(CALLS) >= 20
    for nb in NOTEBOOKS:
        written = sum(len(re.findall(r"\bshow_source\(", src)) for _, src in _code_cells(nb))
        parsed = sum(1 for c in CALLS if c["notebook"] == nb.relative_to(ROOT).as_posix())
        assert parsed == written, f"{nb.name}: {written} show_source( in the text, {parsed} parsed"


def test_every_shown_object_has_an_entry_and_every_entry_is_shown():
    shown = {key(resolve(c["path"])): c for c in CALLS}
    missing = [
        f"{c['notebook']} cell {c['cell']}: show_source({c['expr']}) -> {k}"
        for k, c in shown.items()
        if k not in EXPECTED
    ]
    assert not missing, (
        "no expected expressions for these listings; add them to EXPECTED in "
        "tests/test_listings.py:\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(EXPECTED) - set(shown))
    assert not stale, f"EXPECTED lists objects no chapter shows any more: {stale}"


@pytest.mark.parametrize("call", CALLS, ids=_call_id)
def test_listing_contains_its_idea(call):
    obj = resolve(call["path"])
    shown = get_source(obj, docstring=call["docstring"])
    code = _without_comments(get_source(obj, docstring=False))  # where the idea must be: code
    absent = [
        e for e in EXPECTED.get(key(obj), []) if _find(e, shown) is None or _find(e, code) is None
    ]
    assert key(obj) in EXPECTED, f"no entry for {key(obj)} in EXPECTED"
    assert not absent, (
        f"{call['notebook']}: show_source({call['expr']}) does not show "
        f"{absent} in its code; the listing is:\n{shown}"
    )


@pytest.mark.parametrize("call", CALLS, ids=_call_id)
def test_listing_is_not_dominated_by_checks(call):
    obj = resolve(call["path"])
    code = get_source(obj, docstring=False)
    plain = _without_comments(code)
    starts = [i for i in (_find(e, plain) for e in EXPECTED.get(key(obj), [])) if i is not None]
    assert starts, f"none of the expected expressions of {key(obj)} is in its code"
    idea_line = plain.count("\n", 0, min(starts)) + 1
    checks = check_lines_before(code, idea_line)
    assert checks <= MAX_CHECKS, (
        f"show_source({call['expr']}) has {checks} input-check statements before its idea starts "
        f"(line {idea_line}); at most {MAX_CHECKS}: move them into one helper call or "
        f"a decorator:\n{code}"
    )
    n = code_lines(code)
    assert n <= MAX_CODE_LINES, (
        f"show_source({call['expr']}) has {n} lines of code; at most {MAX_CODE_LINES}:\n{code}"
    )


# ---------------------------------------------------------------- the helpers can fail

_LISTING = textwrap.dedent("""\
    @_checked
    def f(x, k):
        x = as_float_array(x, "x")          # a check
        if k < 0:
            raise ValueError("k")
        n = len(x)                          # not a check
        assert n > 0
        y = np.exp(-np.abs(x))              # the idea
        return y
    """)


def test_check_counter_counts_checks_and_decorators_only():
    idea = _LISTING.splitlines().index("    y = np.exp(-np.abs(x))              # the idea") + 1
    # decorator 1 + as_float_array 1 + if/raise 1 + assert 1; "n = len(x)" is not a check
    assert check_lines_before(_LISTING, idea) == 4
    assert check_lines_before(_LISTING, 4) == 2  # only the decorator and the first line
    assert code_lines(_LISTING) == 7  # the body, without the decorator and the signature


def test_expressions_are_found_in_code_not_in_comments():
    plain = _without_comments(_LISTING)
    assert _find("np.exp(-np.abs(x))", plain) is not None
    assert _find("the idea", plain) is None and _find("the idea", _LISTING) is not None
    assert _find(r"re:np\.exp\(-np\.abs\(\w\)\)", plain) is not None
    assert _find("np.exp(-np.abs( x ))", plain) is not None  # spacing may differ
    assert _find("np.exp(+np.abs(x))", plain) is None


def test_collector_resolves_names_as_the_notebook_imports_them(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": [
                    "%matplotlib inline\n",
                    "from lazynb import optimizers as opt\n",
                    "from lazynb.source import show_source",
                ],
            },
            {"cell_type": "markdown", "source": ["show_source(not_code)"]},
            {"cell_type": "code", "source": ["show_source(opt.Adam._update, docstring=False)"]},
        ]
    }
    (tmp_path / "chapters" / "x").mkdir(parents=True)
    path = tmp_path / "chapters" / "x" / "x.ipynb"
    path.write_text(json.dumps(nb))
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        (call,) = collect_calls(path)
    finally:
        ROOT = saved
    assert call["path"] == "lazynb.optimizers.Adam._update" and call["docstring"] is False
    assert key(resolve(call["path"])) == "lazynb.optimizers.Adam._update"
    nb["cells"][2]["source"] = ["show_source(unknown.thing)"]
    path.write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="not imported"):
        collect_calls(path)
