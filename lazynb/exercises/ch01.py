"""Chapter 1, "The neuron": exercises on the logistic unit.

The reference answers of the function exercises are plain functions in
:mod:`lazynb.exercises.solutions.ch01`, under the names the reader uses (so that
``solution()`` shows ``def network_output(x, W, b, v, c):``); this module imports each one
and rebinds its name to the :class:`Exercise` that wraps it, whose ``.reference`` is that
function. Keeping them apart lets ``make mutants`` mutate the answers, never the checkers.

- ``network_output``: the output of a network with one hidden layer of logistic units
  (the e-book's chapter 1 exercise);
- ``bce_with_logits``: the binary cross-entropy from the logits, without overflow or log(0);
- ``gate_weights``: weights that make one logistic unit compute AND and OR;
- ``predict_labels``: class predictions with the 0.5 threshold.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

from ..activations import sigmoid
from .core import Case, FunctionExercise, ValueExercise
from .solutions.ch01 import bce_with_logits, network_output, predict_labels

__all__ = ["network_output", "bce_with_logits", "gate_weights", "predict_labels"]


def _in_unit_interval(what: str):
    """A property check: every output must lie in [0, 1], because it is a probability."""

    def check(got, expected, args):
        if np.any((got < 0) | (got > 1)):
            return (
                f"{what} must lie in [0, 1]: it is a sigmoid's output, a probability; "
                f"got values from {got.min():.3g} to {got.max():.3g}"
            )
        return None

    return check


# ------------------------------------------------------------- 1. network_output


def _network_cases(rng):
    # D != M first, so that a transposed W cannot even be multiplied; the first case's
    # v . z + c is well above 1, so a missing output sigmoid shows as "not in [0, 1]".
    yield Case(
        dict(
            x=np.array([1.0, -2.0, 0.5]),
            W=np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 0.5, -0.5, 1.5], [-1.5, 2.0, 1.0, -1.0]]),
            b=np.array([0.1, -0.2, 0.3, 0.0]),
            v=np.array([2.0, 3.0, 1.5, -1.0]),
            c=0.5,
        )
    )
    yield _random_network(rng, 2, 5)
    # Square W: here a transposed W runs, and must fail on the values.
    yield _random_network(rng, 3, 3, note="a square W")
    yield _random_network(rng, 4, 4, note="a square W")
    for _ in range(6):
        yield _random_network(rng, *rng.integers(1, 7, size=2))


def _random_network(rng, D, M, note=""):
    return Case(
        dict(
            x=rng.normal(size=D),
            W=rng.normal(size=(D, M)),
            b=rng.normal(size=M),
            v=rng.normal(size=M) * 2,
            c=float(rng.normal()),
        ),
        note,
    )


network_output = FunctionExercise(
    "network_output",
    network_output,
    chapter="ch01",
    prompt=(
        "Using the logistic unit as a building block, write `network_output(x, W, b, v, c)`: "
        "the output of a network with one hidden layer. x: (D,) one sample; W: (D, M) "
        "input-to-hidden weights; b: (M,) hidden biases; v: (M,) hidden-to-output weights; "
        "c: the output bias (a number). Return the number y."
    ),
    hints=[
        "Every hidden unit is a logistic unit: hidden unit m computes "
        "sigmoid(x . W[:, m] + b[m]). Compute all M of them at once, as a vector z of shape (M,).",
        "`x @ W` has shape (M,): its entry m is the dot product of x with column m of W. "
        "So `z = sigmoid(x @ W + b)`. The output is one more logistic unit, whose inputs are z.",
        "`y = sigmoid(v @ z + c)`, with `sigmoid` from `lazynb.activations`.",
    ],
    cases=_network_cases,
    returns="scalar",
    dtype="floating",
    rtol=1e-6,
    atol=1e-9,
    checks=[_in_unit_interval("the output y")],
)


# ------------------------------------------------------------- 2. bce_with_logits


def _bce_cases(rng):
    # Moderate logits first (a naive formula is right here, so the conceptual checks speak
    # first), then logits where sigmoid(a) rounds to exactly 0 or 1, then huge ones.
    yield Case(
        dict(
            t=np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0]),
            a=np.array([-2.0, -0.5, 0.0, 0.5, 1.5, 3.0]),
        )
    )
    yield _random_bce(rng, 10, 3.0)
    yield Case(dict(t=np.array([1.0]), a=np.array([2.0])), "a single sample")
    yield Case(
        dict(t=np.array([1.0, 0.0, 0.0, 1.0]), a=np.array([40.0, -40.0, 40.0, -40.0])),
        "logits of +-40, where sigmoid(a) rounds to exactly 1 or 0 in float64 and log(0) is -inf",
    )
    yield Case(
        dict(
            t=np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]),
            a=np.array([1e4, -1e4, -1e4, 1e4, 800.0, -800.0]),
        ),
        "logits up to 1e4 in size",
    )
    for _ in range(4):
        scale = 10 ** rng.uniform(0, 3)
        yield _random_bce(rng, int(rng.integers(2, 30)), scale)


def _random_bce(rng, N, scale):
    return Case(
        dict(t=rng.integers(0, 2, size=N).astype(float), a=rng.normal(scale=scale, size=N)),
        f"logits up to about {3 * scale:.0f} in size" if scale > 10 else "",
    )


def _bce_close(got, expected) -> bool:
    return bool(np.isclose(got, expected, rtol=1e-7, atol=1e-10))


def _bce_not_negative(got, expected, args):
    if not _bce_close(got, expected) and got < 0:
        return (
            "the loss came out negative; a cross-entropy never is: each sample's loss is "
            "minus the log of a probability, and a probability is at most 1. "
            "Check the sign in front of the whole expression"
        )
    return None


def _bce_not_sigmoid(got, expected, args):
    if not _bce_close(got, expected) and _bce_close(got, np.mean(sigmoid(args["a"]))):
        return (
            "that is the mean of sigmoid(a), the predicted probabilities, not the loss: "
            "each sample's loss is minus the log of the probability given to its target"
        )
    return None


def _bce_not_swapped(got, expected, args):
    swapped = bce_with_logits.reference(1.0 - args["t"], args["a"])
    if not _bce_close(got, expected) and _bce_close(got, swapped):
        return (
            "this is the loss for the opposite targets (1 - t): a sign error on a. "
            "log sigmoid(a) = -log(1 + exp(-a)) goes with t, and "
            "log(1 - sigmoid(a)) = -log(1 + exp(a)) goes with 1 - t"
        )
    return None


def _bce_mean_not_sum(got, expected, args):
    N = args["a"].shape[0]
    if N > 1 and not _bce_close(got, expected) and _bce_close(got, N * expected):
        return (
            f"the result is N = {N} times too large: return the mean over the samples, not the sum"
        )
    return None


def _bce_no_ceiling(got, expected, args):
    big = np.max(np.abs(args["a"])) > 30
    if big and not _bce_close(got, expected) and got < expected:
        return (
            "the loss is too small where |a| is large: the loss of a confidently wrong "
            "prediction grows like |a|, without a ceiling. Clipping sigmoid(a) to "
            "[eps, 1 - eps], or a to [-30, 30], caps it at about -log(eps) or 30; "
            "compute the logs from a itself"
        )
    return None


bce_with_logits = FunctionExercise(
    "bce_with_logits",
    bce_with_logits,
    chapter="ch01",
    prompt=(
        "Write `bce_with_logits(t, a)`: the mean binary cross-entropy "
        "-mean(t log sigmoid(a) + (1 - t) log(1 - sigmoid(a))) of targets t (N,), each 0.0 "
        "or 1.0, for a logistic unit whose pre-activations (logits) are a (N,). Return a "
        "number. It must be right, finite and free of RuntimeWarnings for |a| up to 1e4, "
        "where sigmoid(a) rounds to exactly 0 or 1 and a naive formula takes log(0)."
    ),
    hints=[
        "Do not compute sigmoid(a) and then its log: once a is above about 37, "
        "1 - sigmoid(a) rounds to exactly 0 in float64, and log(0) is -inf. "
        "Write both logs in terms of a: log sigmoid(a) = -log(1 + exp(-a)) and "
        "log(1 - sigmoid(a)) = -log(1 + exp(a)).",
        "With softplus(z) = log(1 + exp(z)), a sample's loss is "
        "t softplus(-a) + (1 - t) softplus(a), and since softplus(-a) = softplus(a) - a "
        "it is softplus(a) - t a. Only softplus is left to compute safely: exp(a) "
        "overflows above a = 709.",
        "softplus(a) = max(a, 0) + log(1 + exp(-|a|)): the exponent is never positive. "
        "So `sp = np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))` and "
        "`return np.mean(sp - t * a)` (`np.logaddexp(0, a)` computes softplus too).",
    ],
    cases=_bce_cases,
    returns="scalar",
    dtype="floating",
    rtol=1e-7,
    atol=1e-10,
    checks=[
        _bce_not_negative,
        _bce_not_sigmoid,
        _bce_not_swapped,
        _bce_mean_not_sum,
        _bce_no_ceiling,
    ],
    fail_on_warnings=(RuntimeWarning,),
    warning_advice=(
        "For large |a| the naive formula breaks twice: `np.exp` overflows above 709 "
        "(and `np.where(cond, x, y)` computes both x and y on every element), and "
        "log(sigmoid(a)) or log(1 - sigmoid(a)) is log(0) = -inf where sigmoid(a) rounds to "
        "exactly 0 or 1 (1 - sigmoid(a) does already for a above about 37). Write the loss "
        "in terms of a, with exponents that are never positive."
    ),
)


# ------------------------------------------------------------- 3. gate_weights


def gate_weights():
    """Weights (w1, w2, b) for which sigmoid(w1*x1 + w2*x2 + b) computes AND and OR.

    Returns {"AND": (w1, w2, b), "OR": (w1, w2, b)}. Large weights make the unit decisive;
    the bias sets how many inputs must be on: for AND both (10 + 10 - 15 > 0 > 10 - 15),
    for OR one (10 - 5 > 0 > -5).
    """
    return {"AND": (10.0, 10.0, -15.0), "OR": (10.0, 10.0, -5.0)}


_GATES = {"AND": lambda x1, x2: x1 and x2, "OR": lambda x1, x2: x1 or x2}


def _three_numbers(value):
    """(w1, w2, b) as floats and None, or None and a message saying what is wrong."""
    if callable(getattr(value, "numpy", None)):  # a tensor
        value = value.numpy()
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__"):
        return None, f"should be three numbers (w1, w2, b), got {type(value).__name__}"
    if len(value) != 3:
        return None, f"should be three numbers (w1, w2, b), got {len(value)}"
    numbers_ = []
    for label, x in zip(("w1", "w2", "b"), value):
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x[()]
        if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
            return None, f"w1, w2 and b must be numbers, got {type(x).__name__} for {label}"
        if not math.isfinite(float(x)):
            return None, f"{label} must be a finite number, got {x}"
        numbers_.append(float(x))
    return tuple(numbers_), None


def _show(y: float, bound: float) -> str:
    """The unit's output, with enough digits not to look equal to the bound."""
    text = f"{y:.2f}"
    return f"{y:.6g}" if float(text) == bound else text


def _check_gates(answer) -> str | None:
    if not isinstance(answer, Mapping):
        return f'should be a dict with keys "AND" and "OR", got {type(answer).__name__}'
    for gate, truth in _GATES.items():
        if gate not in answer:
            return f'the key "{gate}" is missing: give (w1, w2, b) for both "AND" and "OR"'
        params, problem = _three_numbers(answer[gate])
        if problem:
            return f"{gate}: {problem}"
        w1, w2, b = params
        for x1, x2 in ((0, 0), (0, 1), (1, 0), (1, 1)):
            problem = None
            t = w1 * x1 + w2 * x2 + b
            if not math.isfinite(t):
                return f"{gate}: the weights are too large to add up; numbers around 10 are plenty"
            y = float(sigmoid(t))
            if truth(x1, x2) and y < 0.9:
                problem = f"the unit outputs {_show(y, 0.9)}; it should be at least 0.9"
            elif not truth(x1, x2) and y > 0.1:
                problem = f"the unit outputs {_show(y, 0.1)}; it should be at most 0.1"
            if problem:
                why = (
                    " (with both inputs 0 the unit computes sigmoid(b): only the bias decides)"
                    if (x1, x2) == (0, 0)
                    else ""
                )
                return f"{gate}: for input ({x1}, {x2}) {problem}{why}"
    return None


gate_weights = ValueExercise(
    "gate_weights",
    gate_weights,
    checker=_check_gates,
    chapter="ch01",
    prompt=(
        "Find weights for a single logistic unit sigmoid(w1*x1 + w2*x2 + b) that computes "
        "AND, and others that compute OR: on the inputs (0, 0), (0, 1), (1, 0), (1, 1) it "
        "must output at least 0.9 where the gate is true and at most 0.1 where it is false. "
        'Answer with a dict {"AND": (w1, w2, b), "OR": (w1, w2, b)}.'
    ),
    hints=[
        "With both inputs 0 the unit outputs sigmoid(b): the bias alone decides there. "
        "sigmoid(t) >= 0.9 needs t >= ln 9, about 2.2, and sigmoid(t) <= 0.1 needs t <= -2.2.",
        "Take large, equal weights, e.g. w1 = w2 = 10, so that each input that is on adds 10. "
        "Then choose b so that w1*x1 + w2*x2 + b is below -2.2 wherever the gate is false and "
        "above 2.2 wherever it is true.",
        "AND is true only at (1, 1), where the sum is 20 + b, and false with one input on "
        "(10 + b): b between -17.8 and -12.2. OR is false only at (0, 0) (just b) and true "
        "with one input on (10 + b): b between -7.8 and -2.2.",
    ],
)


# ------------------------------------------------------------- 4. predict_labels


def _labels_cases(rng):
    # b is large here, so that forgetting it changes some labels.
    yield Case(dict(X=rng.normal(size=(8, 3)), w=np.array([1.0, -2.0, 0.5]), b=1.5))
    yield Case(dict(X=np.array([[0.7]]), w=np.array([-1.0]), b=0.5), "a single sample")
    # Rows 0 and 3 lie exactly on the boundary, X w + b = 0 (every product is exact in
    # float64): there P(Y=1 | X) = 0.5 and the rule ">= 0.5" gives class 1.
    yield Case(
        dict(
            X=np.array([[0.5, 2.0], [1.0, 1.0], [-1.0, 0.5], [3.0, 7.0]]),
            w=np.array([1.0, -0.5]),
            b=0.5,
        ),
        "two samples exactly on the boundary, where P(Y=1 | X) = 0.5",
    )
    for _ in range(5):
        N, D = rng.integers(2, 21), rng.integers(1, 6)
        yield Case(
            dict(X=rng.normal(size=(N, D)), w=rng.normal(size=D) * 2, b=float(rng.normal() * 2))
        )


def _labels_are_0_or_1(got, expected, args):
    values = np.unique(got)
    wrong = values[(values != 0) & (values != 1)]
    if wrong.size:
        return f"predicted classes must be 0 or 1, got {wrong[0]}"
    return None


def _not_all_flipped(got, expected, args):
    if got.size > 1 and np.all(got.astype(int) != expected.astype(int)):
        return (
            "every label is the opposite of the right one: predict class 1 where "
            "P(Y=1 | X) is at least 0.5"
        )
    return None


def _boundary_is_class_1(got, expected, args):
    on_boundary = (args["X"] @ args["w"] + args["b"]) == 0
    if np.any(on_boundary & (got.astype(int) == 0) & (expected.astype(int) == 1)):
        return (
            "a sample exactly on the boundary (X w + b = 0, so P(Y=1 | X) = 0.5) got class 0: "
            "the rule is class 1 where P(Y=1 | X) >= 0.5, the boundary included"
        )
    return None


predict_labels = FunctionExercise(
    "predict_labels",
    predict_labels,
    chapter="ch01",
    prompt=(
        "Write `predict_labels(X, w, b)`: X (N, D) holds one sample per row, w (D,) the "
        "weights and b the bias of a logistic unit. Return the predicted class, 0 or 1, of "
        "every row, using the threshold 0.5 on P(Y=1 | X) = sigmoid(X w + b): an integer "
        "(or boolean) array of shape (N,)."
    ),
    hints=[
        "`X @ w + b` has shape (N,): one pre-activation per row. Its sigmoid is P(Y=1 | X) for "
        "each sample.",
        "Predict 1 where P(Y=1 | X) >= 0.5 and 0 elsewhere. A comparison such as `p >= 0.5` "
        "gives a boolean array: that is a valid answer, or convert it with `.astype(int)`.",
        "Because sigmoid(0) = 0.5 and the sigmoid is increasing, P(Y=1 | X) >= 0.5 exactly "
        "where `X @ w + b >= 0`: the sigmoid can even be skipped.",
    ],
    cases=_labels_cases,
    returns="array",
    shape="(N,)",
    dtype=("integer", "bool"),
    dtype_note="class labels 0 and 1, not probabilities",
    rtol=0,
    atol=0,
    checks=[_labels_are_0_or_1, _not_all_flipped, _boundary_is_class_1],
)
