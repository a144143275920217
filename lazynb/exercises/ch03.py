"""Chapter 3, "Backpropagation": exercises on gradient methods and on backpropagation.

The reference answers of the function exercises are plain functions in
:mod:`lazynb.exercises.solutions.ch03`, under the names the reader uses (so that
``solution()`` shows ``def grad_W2(Z, T, Y):``); each name is rebound here to the
:class:`~lazynb.exercises.core.Exercise` that wraps it, whose ``.reference`` is that
function.

The three optimisation problems of the e-book's chapter 4, solved by gradient steps.
The reader writes ``f(x0, lr, steps)``: start at ``x0``, make ``steps`` updates with
learning rate ``lr``, return the point reached. The checker calls it with several
settings and checks that it starts where it is told, that one step is a gradient step
(exactly ``x0 + lr * dJ/dx``; on the segment, ``x0 - lr * dJ/dx`` for J(x, 1 - x),
clipped to [0, 1]), and that many steps reach the optimum:

- ``maximise_log``: maximise log(x) + log(1 - x) on (0, 1);
- ``maximise_sin``: maximise sin(x) on (0, pi);
- ``minimise_on_segment``: minimise 1 - x^2 - y^2 on the segment x + y = 1, 0 <= x, y <= 1.

Backpropagation through one hidden layer of sigmoids with a softmax output, for the
mean cross-entropy J = -(1/N) sum_n sum_k T[n, k] log Y[n, k] (the e-book's functions,
with biases, and divided by N like every cost in this book):

- ``grad_W2(Z, T, Y)``, ``grad_b2(T, Y)``, ``grad_W1(X, Z, T, Y, W2)``, ``grad_b1(Z, T, Y, W2)``.

A hidden layer by hand:

- ``xor_weights``: weights for a 2-2-1 network of logistic units that computes XOR,
  built as (x1 OR x2) AND NOT (x1 AND x2).

And the e-book's MNIST exercise:

- ``mnist_with_biases``: train the network with biases on MNIST by full-batch gradient
  descent and hand in its parameters (W1, b1, W2, b2); the checker rebuilds the network
  (sigmoid hidden layer, softmax output), checks the shapes and that the biases were
  trained, and computes the classification rate on the test images: at least 85 %.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..activations import sigmoid, softmax
from ..source import show_source
from .core import (
    Case,
    Exercise,
    FunctionExercise,
    ValueExercise,
    _function_name,
    _holds_ellipsis,
    _one_line,
    _reader_line,
    _type_name,
)
from .solutions.ch03 import (
    grad_b1,
    grad_b2,
    grad_W1,
    grad_W2,
    maximise_log,
    maximise_sin,
    minimise_on_segment,
)

__all__ = [
    "maximise_log",
    "maximise_sin",
    "minimise_on_segment",
    "grad_W2",
    "grad_b2",
    "grad_W1",
    "grad_b1",
    "mnist_with_biases",
    "GradientMethodExercise",
    "Probe",
    "xor_weights",
    "TrainedNetworkExercise",
]


# =========================================================================== gradient methods


@dataclass(frozen=True)
class Probe:
    """One call ``f(x0, lr, steps)`` made by a :class:`GradientMethodExercise`.

    kind: "start" (steps = 0: the answer must be the start itself), "step" (one update:
    it must be a gradient step) or "converge" (many updates: the optimum must be reached).
    """

    x0: float
    lr: float
    steps: int
    kind: str

    def __post_init__(self):
        if self.kind not in ("start", "step", "converge"):
            raise ValueError(f"unknown probe kind {self.kind!r}")


# judge(result, probe, warnings caught during the call) -> message or None
Judge = Callable[[object, Probe, list], "str | None"]


class GradientMethodExercise(Exercise):
    """An exercise whose answer is a gradient method ``f(x0, lr, steps) -> the point reached``.

    probes: the calls to make, in order; judge: says what is wrong with one call's result,
    or None. The first probe's ``NotImplementedError`` means "not attempted"; any other
    exception is reported as an error, with the line of the reader's code that raised it.
    """

    answer_is_function = True

    def __init__(
        self,
        name: str,
        reference: Callable,
        *,
        prompt: str,
        hints: Sequence[str],
        probes: Sequence[Probe],
        judge: Judge,
        chapter: str | None = None,
    ):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)
        if not probes:
            raise ValueError("a gradient-method exercise needs at least one probe")
        self.probes = tuple(probes)
        self.judge = judge

    def solution(self):
        """The reference answer's source, highlighted."""
        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False):
        """Call ``answer`` on every probe; return a :class:`~lazynb.exercises.core.CheckResult`."""
        if (refused := self._not_a_function(answer, strict)) is not None:
            return refused
        fname = _function_name(answer, self.name)
        for n, probe in enumerate(self.probes, 1):
            call = f"`{fname}(x0={probe.x0:g}, lr={probe.lr:g}, steps={probe.steps})`"
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")  # record, so that nothing reaches the page
                try:
                    got = answer(probe.x0, probe.lr, probe.steps)
                except NotImplementedError as exc:
                    if n == 1:
                        return self._not_attempted(
                            "replace `raise NotImplementedError` with your code", n, strict
                        )
                    return self._result("error", _raised(call, exc), n, strict)
                except Exception as exc:  # the reader's code raised: report it, don't crash
                    return self._result("error", _raised(call, exc), n, strict)
            message = self.judge(got, probe, list(caught))
            if message:
                return self._result("failed", f"{call}: {message}", n, strict)
        return self._result(
            "passed",
            f"all {len(self.probes)} calls passed (the start, single gradient steps, "
            f"and convergence from several starts).",
            len(self.probes),
            strict,
        )


def _raised(call: str, exc: BaseException) -> str:
    message = f"{call} raised {_one_line(exc)}"
    line = _reader_line(exc)
    return f"{message}\nin your {line}" if line else message


def _as_numbers(got, count: int) -> tuple[tuple[float, ...] | None, str | None]:
    """``got`` as ``count`` floats, or None and what is wrong with it."""
    if callable(getattr(got, "numpy", None)):  # a tensor
        got = got.numpy()
    what = "a single number (the x reached)" if count == 1 else "two numbers (x, y)"
    if got is None:
        return None, f"returned None: did you forget to `return` the point {what}?"
    if isinstance(got, (str, bytes, dict)):
        return None, f"should return {what}, got {type(got).__name__}"
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None, f"should return {what}, got {_type_name(got)}"
    if count == 1 and arr.size > 1:
        return None, (
            f"should return the final point, a single number, not an array of "
            f"shape {arr.shape}; if you keep the whole path, return its last entry"
        )
    if arr.size != count:
        return None, f"should return {what}, got {arr.size} number(s)"
    return tuple(float(v) for v in arr.ravel()), None


def _warned(caught) -> str:
    for w in caught:
        if issubclass(w.category, RuntimeWarning):
            return f' (NumPy warned "{w.message}")'
    return ""


def _close(a: float, b: float, scale: float) -> bool:
    """a and b agree to about 6 significant digits of ``scale`` (a step size, say)."""
    return abs(a - b) <= 1e-6 * abs(scale) + 1e-12


def _scalar_judge(
    dJ: Callable[[float], float],
    x_best: float,
    domain: tuple[float, float],
    domain_text: str,
    sense: str,
) -> Judge:
    """A judge for "maximise (sense='max') or minimise J(x) on an open interval" problems."""
    sign = 1.0 if sense == "max" else -1.0
    uphill, downhill = ("uphill", "downhill") if sense == "max" else ("downhill", "uphill")
    lo, hi = domain

    def judge(got, probe: Probe, caught) -> str | None:
        values, problem = _as_numbers(got, 1)
        if problem:
            return problem
        x = values[0]
        if not math.isfinite(x):
            return (
                f"the result is {x}{_warned(caught)}: a step probably left {domain_text}, where "
                f"J is not defined, or your derivative divides by zero. Check dJ/dx at x0."
            )
        if probe.kind == "start":
            if not _close(x, probe.x0, 1.0):
                return (
                    "with steps = 0 no update is made, so the result must be x0 itself; yours "
                    "is another point. Start at x0 and make exactly `steps` updates."
                )
            return None
        if probe.kind == "step":
            want = sign * probe.lr * dJ(probe.x0)  # the step a gradient method makes
            step = x - probe.x0
            if _close(step, want, want):
                return None
            if step == 0:
                return "one update did not move the point at all: is the update inside your loop?"
            if _close(step, -want, want):
                return (
                    f"the step went {downhill}, the wrong way: to {sense}imise J, move "
                    f"{'along' if sense == 'max' else 'against'} the derivative dJ/dx"
                    f"{' (gradient ascent), or descend on -J' if sense == 'max' else ''}."
                )
            if _close(step, want / probe.lr, want / probe.lr):
                return "the step ignored the learning rate: multiply the derivative by lr."
            x_k = probe.x0
            for k in (1, 2, 3):
                x_k = x_k + sign * probe.lr * dJ(x_k)  # where k gradient steps land
                if k > 1 and _close(x, x_k, want):
                    return (
                        f"with steps = 1 your function made {k} updates (it moved {k} times "
                        f"as far as one gradient step): make exactly `steps` updates; check "
                        f"your loop's range."
                    )
            return (
                f"one update from x0 = {probe.x0:g} with lr = {probe.lr:g} moved the point by "
                f"{step:.4g}, which is not lr times the derivative of J at x0 "
                f"({'uphill' if sense == 'max' else 'downhill'}). Check your dJ/dx."
            )
        # converge
        if abs(x - x_best) <= 1e-6:
            return None
        if not lo < x < hi:
            return f"the point reached, x = {x:.4g}, is outside {domain_text}."
        if _close(x, probe.x0, 1.0):
            return (
                f"after {probe.steps} updates the point is still x0: is the update inside "
                f"your loop?"
            )
        return (
            f"after {probe.steps} updates the point is x = {x:.6g}, where the slope dJ/dx "
            f"is {dJ(x):.3g}, not 0: this is not the {sense}imum yet."
        )

    return judge


# ------------------------------------------------------------- 1. maximise_log


maximise_log = GradientMethodExercise(
    "maximise_log",
    maximise_log,
    chapter="ch03",
    prompt=(
        "Maximise J(x) = log(x) + log(1 - x) on 0 < x < 1 by gradient ascent. Write "
        "`maximise_log(x0, lr, steps)`: start at x0, make `steps` updates with learning "
        "rate lr, and return the x reached (a number). The checker calls it with learning "
        "rates small enough to stay inside (0, 1)."
    ),
    hints=[
        "The derivative of log(x) is 1/x, and by the chain rule the derivative of log(1 - x) "
        "is -1/(1 - x). Add them to get dJ/dx.",
        "Gradient *ascent* climbs: `x = x + lr * dJdx(x)`, `steps` times, starting from x0. "
        "(Equivalently, gradient descent on -J.) Then `return x`.",
        "`for _ in range(steps): x = x + lr * (1 / x - 1 / (1 - x))`. Where does it end? "
        "Solve dJ/dx = 0 by hand and compare.",
    ],
    probes=[
        Probe(0.2, 0.01, 0, "start"),
        Probe(0.2, 0.01, 1, "step"),
        Probe(0.9, 0.005, 1, "step"),
        Probe(0.2, 0.01, 1000, "converge"),
        Probe(0.97, 0.001, 3000, "converge"),
    ],
    judge=_scalar_judge(
        lambda x: 1 / x - 1 / (1 - x), 0.5, (0.0, 1.0), "the interval (0, 1)", "max"
    ),
)


# ------------------------------------------------------------- 2. maximise_sin


maximise_sin = GradientMethodExercise(
    "maximise_sin",
    maximise_sin,
    chapter="ch03",
    prompt=(
        "Maximise J(x) = sin(x) on 0 < x < pi by gradient ascent. Write "
        "`maximise_sin(x0, lr, steps)`: start at x0, make `steps` updates with learning rate "
        "lr, and return the x reached (a number)."
    ),
    hints=[
        "The derivative of sin(x) is cos(x).",
        "Ascent: `x = x + lr * np.cos(x)`, `steps` times, starting from x0; then `return x`.",
        "Where does cos(x) vanish between 0 and pi? That is where the steps stop moving.",
    ],
    probes=[
        Probe(0.3, 0.1, 0, "start"),
        Probe(0.3, 0.1, 1, "step"),
        Probe(3.0, 0.2, 1, "step"),
        Probe(0.3, 0.1, 500, "converge"),
        Probe(3.0, 0.5, 200, "converge"),
    ],
    judge=_scalar_judge(math.cos, math.pi / 2, (0.0, math.pi), "the interval (0, pi)", "max"),
)


# ------------------------------------------------------------- 3. minimise_on_segment


def _segment_J(x: float, y: float) -> float:
    return 1 - x * x - y * y


def _segment_dJ(x: float) -> float:
    """dJ/dx of J(x, 1 - x) = 2x - 2x^2, the slope along the segment."""
    return 2 - 4 * x


def _segment_step(x0: float, lr: float, scale: float = 1.0) -> float:
    """Where one projected gradient step (its slope times ``scale``) takes x from x0."""
    return min(max(x0 - scale * lr * _segment_dJ(x0), 0.0), 1.0)


def _segment_step_problem(x: float, probe: Probe) -> str | None:
    """What is wrong with one update from ``probe.x0`` that went downhill, or None."""
    want = _segment_step(probe.x0, probe.lr)
    if _close(x, want, probe.lr):
        return None
    moved = abs(x - probe.x0)
    if _close(moved, probe.lr, probe.lr):
        return (
            f"one update with lr = {probe.lr:g} moved x by exactly lr. A gradient step "
            f"moves it by lr times the slope |dJ/dx|, which differs from point to point; "
            f"did you use only the sign of the derivative (e.g. `np.sign`)?"
        )
    for scale, what in ((0.5, "half"), (2.0, "twice")):
        if _close(x, _segment_step(probe.x0, probe.lr, scale), probe.lr):
            return (
                f"one update moved x {what} as far as lr * dJ/dx, the slope of "
                f"J(x, 1 - x) in x. Check the factors of your derivative: y = 1 - x "
                f"changes with x too, so both terms of J depend on x (the chain rule). "
                f"(Projecting the plane's gradient onto the line is a gradient method too, "
                f"but it measures the step along the line, not in x, and is half as long; "
                f"this exercise asks for the derivative with respect to x.)"
            )
    return (
        f"one update from x0 = {probe.x0:g} with lr = {probe.lr:g} moved x by "
        f"{x - probe.x0:.4g}, which is not lr times the slope dJ/dx of J(x, 1 - x) "
        f"(then clipped to [0, 1]). Check your dJ/dx."
    )


def _judge_segment(got, probe: Probe, caught) -> str | None:
    values, problem = _as_numbers(got, 2)
    if problem:
        return problem
    x, y = values
    if not (math.isfinite(x) and math.isfinite(y)):
        return f"the result holds NaN or infinity{_warned(caught)}: is the learning rate used as given?"
    where = f"({x:.4g}, {y:.4g})"
    if probe.kind == "start":
        if not (_close(x, probe.x0, 1.0) and _close(y, 1 - probe.x0, 1.0)):
            return (
                "with steps = 0 no update is made, so the result must be the start "
                "(x0, 1 - x0) itself. Start there and make exactly `steps` updates."
            )
        return None
    if min(x, y) < -1e-9 or max(x, y) > 1 + 1e-9:
        return (
            f"the point {where} has left the square 0 <= x, y <= 1: after every update, "
            f"clip x to [0, 1] (e.g. with `min(max(x, 0), 1)` or `np.clip`)."
        )
    if abs(x + y - 1) > 1e-6:
        return (
            f"the point {where} is off the line x + y = 1. Keep it on the segment: for "
            f"example write y = 1 - x, so that J becomes a function of x alone."
        )
    if probe.kind == "step":
        before, after = _segment_J(probe.x0, 1 - probe.x0), _segment_J(x, y)
        if _close(x, probe.x0, 1.0):
            return "one update did not move the point at all: is the update inside your loop?"
        if after >= before:
            return (
                "the step went uphill: J grew. To minimise J, move against its gradient "
                "(x <- x - lr * dJ/dx)."
            )
        if abs(x - probe.x0) > 10 * probe.lr:
            return (
                f"one update with lr = {probe.lr:g} moved x by {abs(x - probe.x0):.3g}: a "
                f"gradient step moves it by lr times the slope, a few hundredths here. Make "
                f"`steps` small gradient updates rather than jumping."
            )
        return _segment_step_problem(x, probe)
    # converge
    if _close(x, probe.x0, 1.0):
        return f"after {probe.steps} updates the point is still the start: is the update inside your loop?"
    if abs(x - 0.5) < 1e-3 and abs(y - 0.5) < 1e-3:
        return (
            "you ended at (1/2, 1/2). The derivative along the segment is zero there, but "
            "it is where J is largest on the segment: a maximum, not the minimum. A zero "
            "gradient alone does not make a minimum; check the sign of your update."
        )
    if min(math.hypot(x - 1, y), math.hypot(x, y - 1)) <= 1e-4:
        return None
    return (
        f"after {probe.steps} updates the point is {where}, but J can still go down along "
        f"the segment from there: this is not a minimum."
    )


minimise_on_segment = GradientMethodExercise(
    "minimise_on_segment",
    minimise_on_segment,
    chapter="ch03",
    prompt=(
        "Minimise J(x, y) = 1 - x^2 - y^2 subject to x + y = 1 and 0 <= x, y <= 1 with "
        "gradient steps. Write `minimise_on_segment(x0, lr, steps)`: start at (x0, 1 - x0), "
        "make `steps` updates x <- x - lr * dJ/dx, where J is written as a function of x "
        "alone (y = 1 - x), clip x back into [0, 1] after every update, and return the "
        "point (x, y) reached. The checker compares single steps with that update."
    ),
    hints=[
        "The constraint x + y = 1 removes one variable: put y = 1 - x into J and you have a "
        "function of x alone. Expand it and take its derivative.",
        "J(x) = 1 - x^2 - (1 - x)^2 = 2x - 2x^2, so dJ/dx = 2 - 4x. Descend: "
        "`x = x - lr * (2 - 4 * x)`. The box 0 <= x, y <= 1 means 0 <= x <= 1: clip x back "
        "into [0, 1] after each update.",
        "dJ/dx = 0 at x = 1/2, but J(1/2) = 1/2 is the largest value of J on the segment. "
        "Descent runs away from there to an end of the segment. Return `(x, 1 - x)`.",
    ],
    probes=[
        Probe(0.3, 0.05, 0, "start"),
        Probe(0.3, 0.05, 1000, "converge"),
        Probe(0.8, 0.05, 1000, "converge"),
        Probe(0.3, 0.01, 1, "step"),
        Probe(0.51, 0.1, 1000, "converge"),
        Probe(0.8, 0.02, 1, "step"),
        Probe(0.1, 0.05, 1, "step"),
        Probe(0.95, 0.2, 1, "step"),  # the step leaves the segment: clipped back to x = 1
    ],
    judge=_judge_segment,
)


# =========================================================================== backpropagation

_SIGMOID_NOTE = (
    "Z is the hidden layer's output, Z = sigmoid(X W1 + b1), and "
    "Y = softmax(Z W2 + b2); T holds the one-hot targets."
)


def _network(rng, N, D, M, K, note="") -> dict:
    """Every array of one forward pass through a random D-M-K network on N samples."""
    X = rng.normal(size=(N, D))
    W1, b1 = rng.normal(size=(D, M)), rng.normal(size=M) * 0.5
    W2, b2 = rng.normal(size=(M, K)), rng.normal(size=K) * 0.5
    Z = sigmoid(X @ W1 + b1)
    Y = softmax(Z @ W2 + b2)
    T = np.eye(K)[rng.integers(0, K, size=N)]
    return dict(X=X, Z=Z, T=T, Y=Y, W2=W2, note=note)


def _networks(rng):
    # All sizes different first, so that a wrong axis or a transpose cannot even be
    # multiplied or has the wrong shape; then square ones, where it runs and the values
    # must catch it; then random sizes, one sample included.
    yield _network(rng, 6, 4, 3, 5)
    yield _network(rng, 7, 2, 5, 3)
    yield _network(rng, 5, 4, 4, 4, "square weight matrices")
    yield _network(rng, 1, 3, 2, 4, "a single sample")
    for _ in range(5):
        N, D, M = rng.integers(2, 12), rng.integers(1, 6), rng.integers(1, 6)
        yield _network(rng, N, D, M, int(rng.integers(2, 6)))


def _cases_for(*names):
    def cases(rng):
        for net in _networks(rng):
            yield Case({name: net[name] for name in names}, net["note"])

    return cases


def _delta2(a) -> np.ndarray:
    return (a["Y"] - a["T"]) / a["T"].shape[0]


def _mistakes(*alternatives):
    """A property check naming a typical mistake: alternatives are (compute(args), message).

    It speaks only when the answer matches a wrong formula *and* that formula differs
    from the right one on this case, so a right answer is never blamed.
    """

    def check(got, expected, args):
        for compute, message in alternatives:
            try:
                alt = np.asarray(compute(args), dtype=float)
            except ValueError:  # the wrong formula cannot even run on these shapes
                continue
            if (
                alt.shape == got.shape == expected.shape
                and np.allclose(got, alt, rtol=1e-6, atol=1e-10)
                and not np.allclose(alt, expected, rtol=1e-6, atol=1e-10)
            ):
                return message
        return None

    return check


_TOO_LARGE = (
    "it is N times too large: J is the *mean* cross-entropy over the N samples, so "
    "every gradient carries a factor 1/N"
)
_SIGN = (
    "it has the wrong sign: the error at the output is Y - T (output minus target); "
    "gradient descent then subtracts lr times the gradient"
)
_SOFTMAX = (
    "you multiplied by a softmax derivative Y (1 - Y): with the cross-entropy on top "
    "of the softmax, the two derivatives combine into exactly Y - T, nothing more"
)
_NO_SIGMOID = (
    "you forgot the hidden layer's sigmoid: on its way back the error must be "
    "multiplied elementwise by the sigmoid's derivative"
)
_SIGMOID_TWICE = (
    "Z is already the sigmoid's output, so the sigmoid's derivative is "
    "Z * (1 - Z); applying the sigmoid to Z again is a different number"
)
_TRANSPOSE = (
    "the error at the K outputs goes back to the M hidden units through W2 "
    "transposed: W2 is (M, K), check the order and the transpose of your product"
)


def _sig_grad_of_Z(a) -> np.ndarray:
    s = sigmoid(a["Z"])
    return s * (1 - s)


def _back(a, W) -> np.ndarray:
    return _delta2(a) @ W


_W2_MISTAKES = _mistakes(
    (lambda a: a["Z"].T @ (a["Y"] - a["T"]), _TOO_LARGE),
    (lambda a: -a["Z"].T @ _delta2(a), _SIGN),
    (
        lambda a: -a["Z"].T @ (a["Y"] - a["T"]),
        _SIGN + "; " + _TOO_LARGE.replace("it is", "and it is"),
    ),
    (lambda a: a["Z"].T @ (_delta2(a) * a["Y"] * (1 - a["Y"])), _SOFTMAX),
)
_B2_MISTAKES = _mistakes(
    (lambda a: (a["Y"] - a["T"]).sum(axis=0), _TOO_LARGE),
    (lambda a: -_delta2(a).sum(axis=0), _SIGN),
    (lambda a: (_delta2(a) * a["Y"] * (1 - a["Y"])).sum(axis=0), _SOFTMAX),
)
_W1_MISTAKES = _mistakes(
    (lambda a: a["X"].T @ _back(a, a["W2"].T), _NO_SIGMOID),
    (lambda a: a["X"].T @ (_back(a, a["W2"].T) * _sig_grad_of_Z(a)), _SIGMOID_TWICE),
    (
        lambda a: a["X"].T @ (_back(a, a["W2"].T) * a["Z"] * (1 - a["Z"])) * a["T"].shape[0],
        _TOO_LARGE,
    ),
    (lambda a: -a["X"].T @ (_back(a, a["W2"].T) * a["Z"] * (1 - a["Z"])), _SIGN),
    (lambda a: a["X"].T @ (_back(a, a["W2"]) * a["Z"] * (1 - a["Z"])), _TRANSPOSE),
)
_B1_MISTAKES = _mistakes(
    (lambda a: _back(a, a["W2"].T).sum(axis=0), _NO_SIGMOID),
    (lambda a: (_back(a, a["W2"].T) * _sig_grad_of_Z(a)).sum(axis=0), _SIGMOID_TWICE),
    (
        lambda a: (_back(a, a["W2"].T) * a["Z"] * (1 - a["Z"])).sum(axis=0) * a["T"].shape[0],
        _TOO_LARGE,
    ),
    (lambda a: -(_back(a, a["W2"].T) * a["Z"] * (1 - a["Z"])).sum(axis=0), _SIGN),
    (lambda a: (_back(a, a["W2"]) * a["Z"] * (1 - a["Z"])).sum(axis=0), _TRANSPOSE),
)

_COST = "J = -(1/N) sum_n sum_k T[n, k] log Y[n, k], the mean cross-entropy"
_GRAD_KW = dict(chapter="ch03", returns="array", dtype="floating", rtol=1e-6, atol=1e-10)

grad_W2 = FunctionExercise(
    "grad_W2",
    grad_W2,
    **_GRAD_KW,
    prompt=(
        f"Write `grad_W2(Z, T, Y)`: the gradient of {_COST}, with respect to the "
        f"hidden-to-output weights W2. {_SIGMOID_NOTE} Z: (N, M); T, Y: (N, K). "
        f"Return an array of shape (M, K)."
    ),
    hints=[
        "For softmax with cross-entropy, the derivative of J with respect to the output "
        "activations A2 = Z W2 + b2 is (Y - T) / N: one row per sample, the 1/N from the mean.",
        "A2[n, k] = sum_m Z[n, m] W2[m, k], so dJ/dW2[m, k] = sum_n Z[n, m] dJ/dA2[n, k]. As a "
        "matrix product that is Z transposed times (Y - T) / N. Check the shape: (M, N) @ (N, K).",
        "`return Z.T @ (Y - T) / len(T)`. Compare with `lazynb.gradcheck.numerical_gradient` "
        "on a tiny network if in doubt.",
    ],
    cases=_cases_for("Z", "T", "Y"),
    shape="(M, K)",
    checks=[_W2_MISTAKES],
)

grad_b2 = FunctionExercise(
    "grad_b2",
    grad_b2,
    **_GRAD_KW,
    prompt=(
        f"Write `grad_b2(T, Y)`: the gradient of {_COST}, with respect to the output "
        f"biases b2. T, Y: (N, K). Return an array of shape (K,)."
    ),
    hints=[
        "The bias b2[k] is added to the output activation of every sample, so its gradient "
        "collects the output error dJ/dA2 = (Y - T) / N of all N samples.",
        "Sum over the samples, that is over axis 0, keeping the K columns: "
        "`((Y - T) / N).sum(axis=0)`, shape (K,).",
    ],
    cases=_cases_for("T", "Y"),
    shape="(K,)",
    checks=[_B2_MISTAKES],
)

grad_W1 = FunctionExercise(
    "grad_W1",
    grad_W1,
    **_GRAD_KW,
    prompt=(
        f"Write `grad_W1(X, Z, T, Y, W2)`: the gradient of {_COST}, with respect to the "
        f"input-to-hidden weights W1, for a hidden layer of sigmoids. {_SIGMOID_NOTE} "
        f"X: (N, D); Z: (N, M); T, Y: (N, K); W2: (M, K). Return an array of shape (D, M)."
    ),
    hints=[
        "Start from the output error (Y - T) / N, shape (N, K). Carry it back through W2 to "
        "get the error at the hidden outputs: a product with W2 that has shape (N, M).",
        "Then through the sigmoid: its derivative at the hidden activations is Z * (1 - Z) "
        "(elementwise, because Z is already the sigmoid's output). Finally, as for W2, multiply "
        "by the layer's input transposed: X.T, shape (D, N).",
        "`dA = (Y - T) @ W2.T / N * Z * (1 - Z)` and `return X.T @ dA`.",
    ],
    cases=_cases_for("X", "Z", "T", "Y", "W2"),
    shape="(D, M)",
    checks=[_W1_MISTAKES],
)

grad_b1 = FunctionExercise(
    "grad_b1",
    grad_b1,
    **_GRAD_KW,
    prompt=(
        f"Write `grad_b1(Z, T, Y, W2)`: the gradient of {_COST}, with respect to the hidden "
        f"biases b1, for a hidden layer of sigmoids. {_SIGMOID_NOTE} Z: (N, M); T, Y: (N, K); "
        f"W2: (M, K). Return an array of shape (M,)."
    ),
    hints=[
        "The same error at the hidden activations as for W1: back through W2, then through "
        "the sigmoid's derivative Z * (1 - Z).",
        "As for b2, a bias collects the error of every sample: sum that (N, M) error over "
        "axis 0. `((Y - T) @ W2.T / N * Z * (1 - Z)).sum(axis=0)`.",
    ],
    cases=_cases_for("Z", "T", "Y", "W2"),
    shape="(M,)",
    checks=[_B1_MISTAKES],
)


# =========================================================================== MNIST

MIN_RATE = 0.85  # the classification rate the MNIST exercise asks for on the test images


class TrainedNetworkExercise(Exercise):
    """An exercise whose answer is the trained parameters ``(W1, b1, W2, b2)`` of a network.

    The checker rebuilds the network from them, a sigmoid hidden layer and a softmax output,
    ``Y = softmax(sigmoid(X W1 + b1) W2 + b2)``, and computes its classification rate on the
    MNIST test images itself: the answer cannot be a model of another shape (no hidden layer,
    no biases) that happens to score well.

    build: a zero-argument function that trains the network and returns its parameters
    (``solution()`` shows its source). It is only run when ``reference`` is first used,
    since it trains a network. min_rate: the classification rate the answer must reach.
    """

    names = ("W1", "b1", "W2", "b2")

    def __init__(
        self,
        name: str,
        build: Callable[[], tuple],
        *,
        min_rate: float,
        prompt: str,
        hints: Sequence[str],
        chapter: str | None = None,
    ):
        self.build = build
        self.min_rate = float(min_rate)
        self._reference = None
        super().__init__(name, prompt=prompt, hints=hints, reference=None, chapter=chapter)

    @property
    def reference(self):
        """The reference parameters ``(W1, b1, W2, b2)`` (trained on first use, then kept)."""
        if self._reference is None:
            self._reference = self.build()
        return self._reference

    @reference.setter
    def reference(self, value):
        self._reference = value

    def solution(self):
        """The source of the function that trains the reference network."""
        return show_source(self.build)

    def check(self, answer, *, strict: bool = False):
        """Check the trained parameters ``answer = (W1, b1, W2, b2)``."""
        if answer is None or answer is Ellipsis or _holds_ellipsis(answer):
            return self._not_attempted(
                "replace the `...` with your trained parameters (W1, b1, W2, b2)", 0, strict
            )
        params, message = self._parameters(answer)
        if message:
            return self._result("failed", message, 1, strict)
        X_test, y_test = _mnist_split("test")
        rate = _rate(params, X_test, y_test, sigmoid)
        M = params[0].shape[1]
        if rate < self.min_rate:
            relu = _rate(params, X_test, y_test, lambda a: np.maximum(a, 0))
            if relu >= self.min_rate:
                message = (
                    f"with a sigmoid hidden layer your parameters classify {rate:.1%} of the "
                    f"test images right, with a ReLU hidden layer {relu:.1%}: this exercise's "
                    f"network has a *sigmoid* hidden layer, Z = sigmoid(X W1 + b1). Train it "
                    f"with the sigmoid's derivative Z * (1 - Z)."
                )
            else:
                message = (
                    f"the network built from your parameters, "
                    f"softmax(sigmoid(X W1 + b1) W2 + b2), classifies {rate:.1%} of the test "
                    f"images right; the exercise asks for at least {self.min_rate:.0%}. Train "
                    f"for more epochs, or with a larger learning rate (watching that the cost "
                    f"still falls)."
                )
            return self._result("failed", message, 1, strict)
        return self._result(
            "passed",
            f"your 784-{M}-10 network with biases classifies {rate:.1%} of the "
            f"{len(y_test):,} test images right (at least {self.min_rate:.0%} asked).",
            1,
            strict,
        )

    def _parameters(self, answer) -> tuple[tuple | None, str | None]:
        """The four parameters as float arrays, or None and what is wrong with the answer."""
        want = "the four trained parameters `(W1, b1, W2, b2)`"
        if callable(answer) and not hasattr(answer, "__array__"):
            return None, f"pass {want}, not a function that makes them"
        if isinstance(answer, dict):
            missing = [k for k in self.names if k not in answer]
            if missing:
                return None, (
                    f"a dict of parameters needs the keys W1, b1, W2, b2; "
                    f"{', '.join(missing)} missing"
                )
            answer = tuple(answer[k] for k in self.names)
        if isinstance(answer, np.ndarray) or callable(getattr(answer, "numpy", None)):
            arr = np.asarray(answer.numpy() if hasattr(answer, "numpy") else answer)
            if arr.ndim == 1 and len(arr) == len(_mnist_split("test")[1]):
                return None, (
                    f"this looks like predicted digits. Hand in {want} instead: the "
                    f"checker builds the network from them and computes its predictions "
                    f"of the test images itself."
                )
            return None, f"expected {want} as a tuple, got one array of shape {arr.shape}"
        if not isinstance(answer, (tuple, list)):
            return None, f"expected {want} as a tuple, got {_type_name(answer)}"
        if len(answer) != 4:
            extra = (
                " Two arrays are a network with no hidden layer (softmax regression); this "
                "exercise's network has a hidden layer: weights and biases for each of its "
                "two layers."
                if len(answer) in (1, 2)
                else ""
            )
            return None, f"expected {want}, got {len(answer)} item(s).{extra}"
        params = []
        for name, value in zip(self.names, answer):
            if callable(getattr(value, "numpy", None)):
                value = value.numpy()
            try:
                arr = np.asarray(value, dtype=np.float32)
            except (TypeError, ValueError):
                return None, f"{name} should be an array of numbers, got {_type_name(value)}"
            params.append(arr)
        W1, b1, W2, b2 = params
        D, K = _mnist_split("test")[0].shape[1], 10
        if W1.ndim != 2 or W1.shape[0] != D:
            if W1.ndim == 2 and W1.shape[1] == D:
                return None, (
                    f"W1 has shape {W1.shape}: transposed. With X of shape (N, {D}), the "
                    f"hidden activations are X @ W1, so W1 is ({D}, M)."
                )
            return (
                None,
                f"W1 should have shape ({D}, M), one column per hidden unit; got {W1.shape}",
            )
        M = W1.shape[1]
        if b1.shape != (M,):
            return None, f"b1 should have shape ({M},), one bias per hidden unit; got {b1.shape}"
        if W2.shape != (M, K):
            if W2.shape == (K, M):
                return None, f"W2 has shape {W2.shape}: transposed; it should be ({M}, {K})."
            return None, f"W2 should have shape ({M}, {K}), hidden units by digits; got {W2.shape}"
        if b2.shape != (K,):
            return None, f"b2 should have shape ({K},), one bias per digit; got {b2.shape}"
        for name, arr in zip(self.names, params):
            if not np.all(np.isfinite(arr)):
                return None, (
                    f"{name} holds NaN or infinity: training diverged. Lower the learning rate."
                )
        for name, arr in (("b1", b1), ("b2", b2)):
            if not np.any(arr):
                return None, (
                    f"{name} is all zeros: the biases were never trained. Update them in "
                    f"every epoch as you update the weights, `{name} -= lr * grad_{name}(...)`; "
                    f"a network without biases is not what this exercise asks for."
                )
        if M == K and not np.any(W2 - np.diag(np.diag(W2))):
            return None, (
                "W2 is diagonal: each hidden unit feeds one output only, so the 'hidden layer' "
                "is a one-layer model (softmax regression) in disguise. Train W1, b1, W2 and b2 "
                "together, from random weights, by backpropagation."
            )
        return tuple(params), None


_MNIST: dict = {}


def _mnist_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    """An MNIST split (cached): the full set if present, else the shipped sample."""
    if split not in _MNIST:
        from ..data import load_mnist

        _MNIST[split] = load_mnist(split, warn=False)
    return _MNIST[split]


def _rate(params, X, y, hidden) -> float:
    """The classification rate on (X, y) of softmax(hidden(X W1 + b1) W2 + b2)."""
    W1, b1, W2, b2 = params
    with np.errstate(over="ignore", under="ignore"):
        scores = hidden(X @ W1 + b1) @ W2 + b2
    return float(np.mean(scores.argmax(axis=1) == y))


def mnist_with_biases(hidden=32, lr=2.0, epochs=80, seed=0):
    """Train a D-hidden-10 network with biases on MNIST; return its parameters (W1, b1, W2, b2).

    The e-book's loop: sigmoid hidden layer, softmax output, full-batch gradient descent on
    the mean cross-entropy, printing the cost and the classification rate as it goes.
    Returns W1: (D, hidden), b1: (hidden,), W2: (hidden, 10), b2: (10,).
    """
    from lazynb.activations import sigmoid, softmax
    from lazynb.data import load_mnist, one_hot
    from lazynb.losses import categorical_cross_entropy_with_logits

    X, y = load_mnist("train", warn=False)  # (N, 784) in [0, 1], (N,) digits
    X_test, y_test = load_mnist("test", warn=False)
    T = one_hot(y, 10)  # (N, 10) indicator matrix
    N, D = X.shape
    rng = np.random.default_rng(seed)
    W1 = (rng.normal(size=(D, hidden)) / np.sqrt(D)).astype(np.float32)
    b1 = np.zeros(hidden, dtype=np.float32)
    W2 = (rng.normal(size=(hidden, 10)) / np.sqrt(hidden)).astype(np.float32)
    b2 = np.zeros(10, dtype=np.float32)

    for epoch in range(epochs):
        Z = sigmoid(X @ W1 + b1)  # forward
        A2 = Z @ W2 + b2  # the scores (logits)
        Y = softmax(A2)
        d2 = (Y - T) / N  # backward: error at the output ...
        d1 = d2 @ W2.T * Z * (1 - Z)  # ... and at the hidden layer
        W2 -= lr * (Z.T @ d2)
        b2 -= lr * d2.sum(axis=0)
        W1 -= lr * (X.T @ d1)
        b1 -= lr * d1.sum(axis=0)
        if epoch % 20 == 0 or epoch == epochs - 1:
            # from the logits (log-sum-exp), finite even where a probability rounds to 0
            cost = categorical_cross_entropy_with_logits(T, A2)
            rate = np.mean(Y.argmax(axis=1) == y)
            print(f"epoch {epoch:3d}: cost {cost:.4f}, classification rate {rate:.1%}")

    Y_test = softmax(sigmoid(X_test @ W1 + b1) @ W2 + b2)
    print(f"test images: classification rate {np.mean(Y_test.argmax(axis=1) == y_test):.1%}")
    return W1, b1, W2, b2


mnist_with_biases = TrainedNetworkExercise(
    "mnist_with_biases",
    mnist_with_biases,
    min_rate=MIN_RATE,
    chapter="ch03",
    prompt=(
        "Train the one-hidden-layer network Y = softmax(sigmoid(X W1 + b1) W2 + b2) on MNIST, "
        "biases b1 and b2 included, by full-batch gradient descent, printing the cost and the "
        "classification rate as it trains. Hand in the trained parameters as a tuple "
        "`(W1, b1, W2, b2)` with shapes (784, M), (M,), (M, 10) and (10,). The checker builds "
        "the network from them and computes its classification rate on the test images "
        f"(`load_mnist('test')`); at least {MIN_RATE:.0%} must be right."
    ),
    hints=[
        "Reuse your four gradient functions: in each epoch run the forward pass (Z, Y), then "
        "update W2, b2, W1 and b1 with `param -= lr * grad`. Start from small random weights, "
        "e.g. `rng.normal(size=(784, 32)) / np.sqrt(784)`, and zero biases, which training "
        "then moves.",
        "With the mean cost, learning rates from about 0.5 to 2 work for a sigmoid hidden layer; "
        "with lr = 2, 80 to 100 epochs of full-batch descent are enough. Print the classification rate "
        "`np.mean(Y.argmax(axis=1) == y)` every few epochs.",
        "Hand in `(W1, b1, W2, b2)` after training. To see the test rate yourself, run the "
        "forward pass on the test images and compare `Y_test.argmax(axis=1)` with their labels.",
    ],
)


# =========================================================================== XOR by hand

_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
_TABLES = {  # a unit's truth table on _INPUTS (output above 0.5 or not) -> its name
    (0, 1, 1, 1): "OR",
    (0, 0, 0, 1): "AND",
    (1, 1, 1, 0): "NOT AND",
    (1, 0, 0, 0): "NOT OR",
    (0, 1, 1, 0): "XOR",
    (1, 0, 0, 1): "NOT XOR",
    (0, 0, 0, 0): "always 0",
    (1, 1, 1, 1): "always 1",
}
_XOR = (0, 1, 1, 0)


def xor_weights():
    """Weights for a 2-2-1 network of logistic units that computes XOR on inputs 0 and 1.

    Returns {"hidden": [(w1, w2, b), (w1, w2, b)], "output": (v1, v2, c)}: hidden unit 1
    is OR (on when at least one input is), hidden unit 2 is NOT AND (on unless both are),
    and the output unit is the AND of the two: x1 XOR x2 = (x1 OR x2) AND NOT (x1 AND x2).
    """
    OR = (10.0, 10.0, -5.0)  # one input on is enough: 10 - 5 > 0 > -5
    NOT_AND = (-10.0, -10.0, 15.0)  # AND's weights and bias with every sign flipped
    AND = (10.0, 10.0, -15.0)  # both hidden units must be on: 20 - 15 > 0 > 10 - 15
    return {"hidden": [OR, NOT_AND], "output": AND}


def _unit(params, x1, x2) -> float:
    w1, w2, b = params
    return float(sigmoid(np.float64(w1 * x1 + w2 * x2 + b)))


def _table(outputs) -> tuple:
    return tuple(int(v > 0.5) for v in outputs)


def _name(table) -> str:
    return _TABLES.get(table, "the truth table " + str(table))


def _three_numbers(value):
    """(w1, w2, b) as floats and None, or None and a message saying what is wrong."""
    if callable(getattr(value, "numpy", None)):  # a tensor
        value = value.numpy()
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        return None, f"should be three numbers (w1, w2, b), got {type(value).__name__}"
    if len(value) != 3:
        return None, f"should be three numbers (w1, w2, b), got {len(value)}"
    numbers = []
    for label, x in zip(("w1", "w2", "b"), value):
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x[()]
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
            return None, f"w1, w2 and b must be numbers, got {type(x).__name__} for {label}"
        if not math.isfinite(float(x)):
            return None, f"{label} must be a finite number, got {x}"
        numbers.append(float(x))
    return tuple(numbers), None


def _check_xor(answer) -> str | None:
    if not isinstance(answer, dict):
        if _three_numbers(answer)[0] is not None:
            return (
                "this is a single logistic unit (w1, w2, b). One unit draws one straight line "
                "in the (x1, x2) plane, and no straight line puts (0, 1) and (1, 0) on one side "
                "and (0, 0) and (1, 1) on the other. Use two hidden units and an output unit: "
                '{"hidden": [(w1, w2, b), (w1, w2, b)], "output": (v1, v2, c)}.'
            )
        return (
            'should be a dict {"hidden": [(w1, w2, b), (w1, w2, b)], "output": (v1, v2, c)}, '
            f"got {_type_name(answer)}"
        )
    for key in ("hidden", "output"):
        if key not in answer:
            return f'the key "{key}" is missing: give both "hidden" and "output"'
    hidden = answer["hidden"]
    if _three_numbers(hidden)[0] is not None:
        hidden = [hidden]
    if isinstance(hidden, (str, bytes, dict)) or not hasattr(hidden, "__len__"):
        return f'"hidden" should be a list of two units (w1, w2, b), got {_type_name(hidden)}'
    if len(hidden) == 1:
        return (
            "one hidden unit is not enough: the output unit then sees a single number, one "
            "straight cut of the plane, and XOR needs two cuts. Use two hidden units."
        )
    if len(hidden) != 2:
        return f'"hidden" should hold two units (w1, w2, b), got {len(hidden)}'
    units = []
    for m, unit in enumerate(hidden, 1):
        params, problem = _three_numbers(unit)
        if problem:
            return f"hidden unit {m}: {problem}"
        units.append(params)
    out, problem = _three_numbers(answer["output"])
    if problem:
        return f"output unit: {problem}"
    H = [[_unit(u, x1, x2) for u in units] for x1, x2 in _INPUTS]  # (4, 2)
    y = [_unit(out, h1, h2) for h1, h2 in H]
    if not all(math.isfinite(v) for row in H for v in row) or not all(map(math.isfinite, y)):
        return "the weights are too large to add up; numbers around 10 are plenty"
    truth = [bool(t) for t in _XOR]
    if all((v >= 0.9) if t else (v <= 0.1) for v, t in zip(y, truth)):
        return None
    names = sorted(_name(_table([row[m] for row in H])) for m in range(2))
    what = f"your hidden units compute {names[0]} and {names[1]}"
    if names == ["AND", "NOT AND"]:
        return (
            f"{what}. One is the other's opposite, so together they tell the output unit "
            f"no more than one of them would: at (0, 1), (1, 0) and (0, 0) they look the same. "
            f"XOR needs OR (at least one input on) and NOT AND (not both on)."
        )
    for m, u in enumerate(units, 1):
        name = _name(_table([_unit(u, x1, x2) for x1, x2 in _INPUTS]))
        flipped = {"NOT OR": "OR", "AND": "NOT AND"}.get(name)
        if flipped and flipped not in names:
            return (
                f"hidden unit {m} computes {name}, the opposite of {flipped}: a unit's output "
                f"flips when every sign of its weights and bias flips."
            )
    table_y = _table(y)
    if table_y == (1, 0, 0, 1):
        return (
            f"{what}, but the network computes NOT XOR (1 where the inputs are equal): the "
            f"output unit's signs are flipped, or it combines the hidden units the wrong way."
        )
    for (x1, x2), v, t in zip(_INPUTS, y, truth):
        if (v < 0.9) if t else (v > 0.1):
            bound = "at least 0.9" if t else "at most 0.1"
            if table_y == _XOR:
                return (
                    f"right on every input at the threshold 0.5, but for input ({x1}, {x2}) "
                    f"the network outputs {_show(v, 0.9 if t else 0.1)}; it should be {bound}. "
                    f"Make the weights larger, so that every unit is decisive."
                )
            ideal = _table([_unit(out, a, b) for a, b in _INPUTS])
            if names == ["NOT AND", "OR"] and ideal == (0, 0, 0, 1):
                return (
                    f"{what}, and the output unit is an AND, but for input ({x1}, {x2}) the "
                    f"network outputs {_show(v, 0.9 if t else 0.1)}; it should be {bound}. "
                    f"The hidden outputs are not close enough to 0 and 1 for the output unit: "
                    f"make the weights larger, so that every unit is decisive."
                )
            if names == ["NOT AND", "OR"]:
                return (
                    f"{what}, as XOR needs, but for input ({x1}, {x2}) the output unit gives "
                    f"{_show(v, 0.9 if t else 0.1)}; it should be {bound}. XOR is on only "
                    f"where both hidden units are on: the output unit should compute their AND."
                )
            return (
                f"for input ({x1}, {x2}) the network outputs {_show(v, 0.9 if t else 0.1)}; it "
                f"should be {bound}. {what}: XOR is (x1 OR x2) AND NOT (x1 AND x2)."
            )
    return None  # pragma: no cover (every failing answer fails on some input)


def _show(y: float, bound: float) -> str:
    """The unit's output, with enough digits not to look equal to the bound."""
    text = f"{y:.2f}"
    return f"{y:.6g}" if float(text) == bound else text


xor_weights = ValueExercise(
    "xor_weights",
    xor_weights,
    checker=_check_xor,
    chapter="ch03",
    prompt=(
        "Choose weights by hand for a network of logistic units with two inputs x1, x2 in "
        "{0, 1}, two hidden units and one output unit, each unit sigmoid(w1*in1 + w2*in2 + b), "
        "that computes XOR: on (0, 0), (0, 1), (1, 0), (1, 1) the output must be at least 0.9 "
        "where XOR is 1 and at most 0.1 where it is 0. Use XOR = (x1 OR x2) AND NOT (x1 AND x2). "
        'Answer with a dict {"hidden": [(w1, w2, b), (w1, w2, b)], "output": (v1, v2, c)}.'
    ),
    hints=[
        "Chapter 1's gate_weights exercise made single units for AND and OR. Make hidden unit 1 "
        "an OR and hidden unit 2 a NOT AND; the output unit then gets their two outputs as its "
        "inputs.",
        "NOT AND is AND with every sign flipped: sigmoid(-t) = 1 - sigmoid(t). Check each unit "
        "on the four inputs: with weights of 10, an input that is on adds 10.",
        "The output unit is an AND of the two hidden outputs, which are almost exactly 0 or 1: "
        "the same (10, 10, -15) as chapter 1's AND works.",
    ],
)
