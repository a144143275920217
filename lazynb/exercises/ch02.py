"""Chapter 2, "Feedforward": exercises on data matrices, softmax and the vectorised forward pass.

As in chapter 1, the reference answers are plain functions in
:mod:`lazynb.exercises.solutions.ch02`, under the names the reader uses (so that
``solution()`` shows ``def y2indicator(y, K):``); each name is rebound here to the
:class:`FunctionExercise` that wraps it.

- ``y2indicator``: labels to an indicator (one-hot) matrix, the e-book's ``y2indicator``;
- ``forward_with_bias``: a one-hidden-layer forward pass for a batch, biases included
  (the e-book's chapter 3 exercise, "add the bias term");
- ``network_output_matrix``: chapter 1's ``network_output`` for N samples at once;
- ``stable_softmax``: a row-wise softmax that never overflows;
- ``count_dead_units``: how many ReLU units output 0 for every sample of a data set.

The references use nothing but NumPy and :func:`lazynb.activations.sigmoid`, so that the
exercises do not depend on the kernels the chapter teaches.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from .core import Case, FunctionExercise
from .solutions.ch02 import (
    count_dead_units,
    forward_with_bias,
    network_output_matrix,
    stable_softmax,
    y2indicator,
)

__all__ = [
    "y2indicator",
    "forward_with_bias",
    "network_output_matrix",
    "stable_softmax",
    "count_dead_units",
]


# --------------------------------------------------------------------- shared property checks


def _in_unit_interval(what: str):
    """Every output must lie in [0, 1]: it is a probability."""

    def check(got, expected, args):
        if np.any((got < 0) | (got > 1)):
            return (
                f"{what} must lie in [0, 1]: they are probabilities; "
                f"got values from {got.min():.3g} to {got.max():.3g}"
            )
        return None

    return check


def _rows_sum_to_one(got, expected, args):
    """A softmax output: each row (one sample's K class probabilities) sums to 1."""
    rows = got.sum(axis=1)
    if np.allclose(rows, 1.0, rtol=0, atol=1e-6):
        return None
    if got.shape[0] > 1 and np.allclose(got.sum(axis=0), 1.0, rtol=0, atol=1e-6):
        return (
            "the columns sum to 1 instead of the rows: normalise each sample's K outputs, "
            "i.e. sum over axis=1 (with `keepdims=True`), not over axis=0"
        )
    if np.isclose(got.sum(), 1.0, rtol=0, atol=1e-6):
        return (
            "the whole array sums to 1, but every row must: normalise each sample's K "
            "outputs separately (sum over axis=1, with `keepdims=True`)"
        )
    bad = int(np.count_nonzero(~np.isclose(rows, 1.0, rtol=0, atol=1e-6)))
    return (
        f"every row must sum to 1 (each row holds one sample's class probabilities), "
        f"but {bad} of {got.shape[0]} rows do not"
    )


# --------------------------------------------------------------------- 1. y2indicator


def _y2indicator_cases(rng):
    # The last class (3) is missing on purpose: K must come from the argument, not from y.
    yield Case(dict(y=np.array([2, 0, 1, 2, 0]), K=4), "no sample of the last class")
    yield Case(dict(y=np.arange(10)[::-1].copy(), K=10), "the ten digits")
    yield Case(dict(y=np.array([3]), K=5), "a single sample")
    yield Case(dict(y=np.array([1, 0, 1, 1], dtype=np.int32), K=2), "int32 labels")
    for _ in range(5):
        N, K = int(rng.integers(1, 31)), int(rng.integers(2, 13))
        yield Case(dict(y=rng.integers(0, K, size=N), K=K))


def _zeros_and_ones(got, expected, args):
    values = np.unique(got)
    wrong = values[(values != 0) & (values != 1)]
    if wrong.size:
        return f"an indicator matrix holds only 0s and 1s, got {wrong[0]:g}"
    return None


def _one_per_row(got, expected, args):
    counts = got.sum(axis=1)
    bad = np.flatnonzero(counts != 1)
    if bad.size:
        n = int(bad[0])
        return (
            f"row {n} holds {int(counts[n])} ones; every row needs exactly one 1 "
            f"(each sample has exactly one label)"
        )
    return None


def _in_label_column(got, expected, args):
    y, K = np.asarray(args["y"]), args["K"]
    cols = got.argmax(axis=1)
    wrong = cols != y
    if not np.any(wrong):
        return None
    if np.all(cols == (y - 1) % K):
        return (
            "every 1 sits one column to the left of its label: labels start at 0, "
            "so label k goes in column k (no `- 1`)"
        )
    if np.all(cols == (y + 1) % K):
        return (
            "every 1 sits one column to the right of its label: labels start at 0, "
            "so label k goes in column k (no `+ 1`)"
        )
    return (
        f"in {int(wrong.sum())} of {len(y)} rows the 1 is not in the column of the "
        f"sample's label: row n needs its 1 in column y[n]"
    )


y2indicator = FunctionExercise(
    "y2indicator",
    y2indicator,
    chapter="ch02",
    prompt=(
        "Write `y2indicator(y, K)`: given N integer labels y (shape (N,), values 0 .. K-1) "
        "and the number of classes K, return the (N, K) indicator matrix T with "
        "T[n, y[n]] = 1 and 0 everywhere else."
    ),
    hints=[
        "Start from a matrix of zeros of shape (N, K), with N = len(y). Then, for each "
        "sample n, set one entry of row n to 1. Which column? The one numbered by the label.",
        "A loop works: `for n in range(N): T[n, y[n]] = 1`. Take K from the argument, not "
        "from `y.max() + 1`: a batch may hold no sample of the last class.",
        "Without a loop, index with two arrays at once: `T[np.arange(N), y] = 1` sets "
        "T[0, y[0]], T[1, y[1]], ... in one go. `np.eye(K)[y]` (row y[n] of the identity) "
        "works too.",
    ],
    cases=_y2indicator_cases,
    returns="array",
    shape="(N, K)",
    dtype=("floating", "integer", "bool"),
    rtol=0,
    atol=0,
    checks=[_zeros_and_ones, _one_per_row, _in_label_column],
)


# --------------------------------------------------------------------- 2. forward_with_bias


def _softmax_rows(A):
    """Row-wise softmax of A: (N, K), max-subtracted (the reference's own copy)."""
    E = np.exp(A - A.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _random_forward(rng, N, D, M, K, note=""):
    return Case(
        dict(
            X=rng.normal(size=(N, D)),
            W1=rng.normal(size=(D, M)),
            b1=rng.normal(scale=2, size=M),
            W2=rng.normal(scale=2, size=(M, K)),
            b2=rng.normal(scale=2, size=K),
        ),
        note,
    )


def _forward_cases(rng):
    # N, D, M and K all differ first, so that a transposed weight matrix cannot multiply.
    yield _random_forward(rng, 6, 3, 4, 5)
    yield _random_forward(rng, 1, 4, 3, 2, "a single sample")
    yield _random_forward(rng, 3, 3, 3, 3, "square weight matrices")
    yield _random_forward(rng, 5, 784, 20, 10, "MNIST-sized inputs")
    # Output activations of about +400 in row 0 and -400 in row 1: exp(A) is still finite
    # (a plain softmax is right), but a row's softmax must not be shifted by the maximum
    # of the whole array (row 1 would underflow to 0/0) nor by plus its own (overflow).
    yield Case(
        dict(
            X=np.array([[1.0, 0.0], [0.0, 1.0]]),
            W1=np.array([[20.0, 0.0], [0.0, 20.0]]),
            b1=np.array([-10.0, -10.0]),
            W2=np.array([[400.0, 380.0, 390.0], [-400.0, -420.0, -410.0]]),
            b2=np.array([0.0, 1.0, 2.0]),
        ),
        "output activations of a few hundred, of opposite signs in the two rows",
    )
    for _ in range(5):
        yield _random_forward(rng, *(int(v) for v in rng.integers(1, 9, size=4)))


def _forward_variant(args, *, hidden=sigmoid, use_b1=True, use_b2=True):
    X, W1, b1, W2, b2 = (np.asarray(args[k], dtype=float) for k in ("X", "W1", "b1", "W2", "b2"))
    Z = hidden(X @ W1 + (b1 if use_b1 else 0))
    return _softmax_rows(Z @ W2 + (b2 if use_b2 else 0))


def _uses_both_biases(got, expected, args):
    if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        return None
    for use_b1, use_b2, what in (
        (
            False,
            False,
            "without any bias: add b1 to the hidden activations and b2 to the output activations",
        ),
        (False, True, "without the hidden bias b1: add it to X W1, before the sigmoid"),
        (True, False, "without the output bias b2: add it to Z W2, before the softmax"),
    ):
        if np.allclose(
            got, _forward_variant(args, use_b1=use_b1, use_b2=use_b2), rtol=1e-6, atol=1e-9
        ):
            return f"your outputs are those of the network {what}"
    return None


def _sigmoid_hidden(got, expected, args):
    if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        return None
    for name, f in (
        ("tanh", np.tanh),
        ("ReLU", lambda a: np.maximum(a, 0)),
        ("no activation", lambda a: a),
    ):
        if np.allclose(got, _forward_variant(args, hidden=f), rtol=1e-6, atol=1e-9):
            return f"your hidden layer uses {name}; this network's hidden units are sigmoid units"
    return None


forward_with_bias = FunctionExercise(
    "forward_with_bias",
    forward_with_bias,
    chapter="ch02",
    prompt=(
        "Write `forward_with_bias(X, W1, b1, W2, b2)`: the forward pass, biases included, "
        "of a network with one sigmoid hidden layer and a softmax output, for a batch. "
        "X: (N, D); W1: (D, M); b1: (M,); W2: (M, K); b2: (K,). Return the (N, K) matrix "
        "of class probabilities (each row sums to 1)."
    ),
    hints=[
        "Without biases the pass is `Z = sigmoid(X @ W1)` then `softmax(Z @ W2)`. A bias is "
        "added to the activation, before the non-linearity, once per unit.",
        "`X @ W1` has shape (N, M) and b1 has shape (M,): `X @ W1 + b1` adds b1 to every "
        "row (NumPy broadcasting), which is exactly one bias per hidden unit for every sample.",
        "`A = Z @ W2 + b2` has shape (N, K). The softmax of each row is "
        "`E = np.exp(A - A.max(axis=1, keepdims=True)); E / E.sum(axis=1, keepdims=True)`.",
    ],
    cases=_forward_cases,
    returns="array",
    shape="(N, K)",
    dtype="floating",
    rtol=1e-6,
    atol=1e-9,
    checks=[_in_unit_interval("the outputs"), _rows_sum_to_one, _uses_both_biases, _sigmoid_hidden],
)


# --------------------------------------------------------------------- 3. network_output_matrix


def _random_matrix_network(rng, N, D, M, note=""):
    return Case(
        dict(
            X=rng.normal(size=(N, D)),
            W=rng.normal(size=(D, M)),
            b=rng.normal(size=M),
            v=rng.normal(size=M) * 2,
            c=float(rng.normal()),
        ),
        note,
    )


def _matrix_network_cases(rng):
    # N, D and M all differ first; the output activations reach beyond [-1, 1] (v is
    # large), so a missing output sigmoid shows as "not in [0, 1]".
    yield Case(
        dict(
            X=np.array(
                [
                    [1.0, -2.0, 0.5],
                    [0.0, 1.0, 1.0],
                    [2.0, 0.5, -1.0],
                    [-1.0, -1.0, 0.0],
                    [0.5, 0.5, 0.5],
                ]
            ),
            W=np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 0.5, -0.5, 1.5], [-1.5, 2.0, 1.0, -1.0]]),
            b=np.array([0.1, -0.2, 0.3, 0.0]),
            v=np.array([2.0, 3.0, 1.5, -1.0]),
            c=0.5,
        )
    )
    yield _random_matrix_network(rng, 1, 3, 2, "a single sample")
    yield _random_matrix_network(rng, 4, 4, 4, "a square W")
    for _ in range(6):
        yield _random_matrix_network(rng, *(int(v) for v in rng.integers(1, 9, size=3)))


network_output_matrix = FunctionExercise(
    "network_output_matrix",
    network_output_matrix,
    chapter="ch02",
    prompt=(
        "Chapter 1's `network_output`, with matrices: write "
        "`network_output_matrix(X, W, b, v, c)` that returns the output y of the network "
        "with one hidden layer of logistic units for all N rows of X (N, D) at once. "
        "W: (D, M); b: (M,); v: (M,); c: a number. Return an array of shape (N,)."
    ),
    hints=[
        "For one sample x the output was `sigmoid(v @ sigmoid(x @ W + b) + c)`. Stack the "
        "samples as the rows of X and the same expression works on all of them.",
        "`X @ W + b` has shape (N, M): row n is sample n's hidden activations. After the "
        "sigmoid it is Z, the hidden layer of every sample.",
        "`Z @ v` has shape (N,): one output activation per sample. Add c and apply the "
        "sigmoid. Keep v 1-D: `v[:, None]` would give an (N, 1) column instead.",
    ],
    cases=_matrix_network_cases,
    returns="array",
    shape="(N,)",
    dtype="floating",
    rtol=1e-6,
    atol=1e-9,
    checks=[_in_unit_interval("the outputs y")],
)


# --------------------------------------------------------------------- 4. stable_softmax


def _softmax_cases(rng):
    yield Case(dict(A=np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]])))
    yield Case(dict(A=rng.normal(size=(5, 4))), "random values")
    yield Case(dict(A=np.array([[2.0, -1.0, 0.0, 4.0]])), "a single row")
    yield Case(dict(A=rng.normal(scale=3, size=(3, 3))), "a square A")
    yield Case(
        dict(A=np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])), "activations of size 1000"
    )
    yield Case(
        dict(A=np.array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0]])), "rows far apart"
    )
    for _ in range(4):
        N, K = (int(v) for v in rng.integers(1, 11, size=2))
        scale = 10 ** rng.uniform(0, 3.5)
        yield Case(
            dict(A=rng.normal(scale=scale, size=(N, K))),
            f"values up to about {3 * scale:.0f} in size",
        )


stable_softmax = FunctionExercise(
    "stable_softmax",
    stable_softmax,
    chapter="ch02",
    prompt=(
        "Write `stable_softmax(A)`: the softmax of each row of A (shape (N, K)), returned "
        "as an (N, K) array whose rows sum to 1. It must not overflow: no RuntimeWarning "
        "and finite results for activations up to 1000 in size. Leave A unchanged."
    ),
    hints=[
        "Softmax does not change when the same number is subtracted from every entry of a "
        "row: e^(a_k - c) / sum_j e^(a_j - c) = e^(a_k) / sum_j e^(a_j).",
        "Subtract each row's largest value, `A.max(axis=1, keepdims=True)`: the largest "
        "exponent is then 0, so `np.exp` cannot overflow. One maximum for the whole array "
        "is not enough when rows are far apart.",
        "Write `shifted = A - A.max(axis=1, keepdims=True)`, which makes a new array "
        "(`A -= ...` would change the caller's A), then `E = np.exp(shifted)` and "
        "`E / E.sum(axis=1, keepdims=True)`.",
    ],
    cases=_softmax_cases,
    returns="array",
    shape="A.shape",
    dtype="floating",
    rtol=1e-7,
    atol=1e-12,
    checks=[_in_unit_interval("the outputs"), _rows_sum_to_one],
    fail_on_warnings=(RuntimeWarning,),
    warning_advice=(
        "`np.exp` overflows above about 709, and a row whose exponentials all "
        "underflow to 0 gives 0/0: subtract each row's own maximum first."
    ),
)


# --------------------------------------------------------------------- 5. count_dead_units


def _dead_units_case(rng, N, D, n_dead, n_some, n_alive, note=""):
    """A ReLU layer on non-negative inputs (like pixels) with a known mix of units:
    dead (a large negative bias), sometimes zero, and never zero (a large positive bias)."""
    X = rng.uniform(0, 1, size=(N, D))
    M = n_dead + n_some + n_alive
    W = rng.normal(scale=0.5, size=(D, M))
    b = np.concatenate(
        [rng.uniform(-20, -10, size=n_dead), np.zeros(n_some), rng.uniform(10, 20, size=n_alive)]
    )
    # A "sometimes" unit: centre its activation on the data, so some samples are above 0.
    A = X @ W[:, n_dead : n_dead + n_some]
    b[n_dead : n_dead + n_some] = -np.median(A, axis=0)
    order = rng.permutation(M)  # mix the units, so their position says nothing
    return Case(dict(X=X, W=W[:, order], b=b[order]), note)


def _dead_units_cases(rng):
    # The counts differ on purpose: 2 dead, 3 sometimes zero, 1 never zero; no sample has
    # every unit at zero. Counting any of those instead gives another number.
    yield _dead_units_case(rng, 8, 3, 2, 3, 1)
    yield _dead_units_case(rng, 20, 5, 0, 4, 2, "no dead unit")
    yield _dead_units_case(rng, 6, 4, 5, 0, 0, "every unit dead")
    yield _dead_units_case(rng, 1, 3, 1, 0, 2, "a single sample")
    for _ in range(5):
        counts = (int(v) for v in rng.integers(0, 6, size=3))
        yield _dead_units_case(
            rng, int(rng.integers(2, 40)), int(rng.integers(1, 8)), *(max(c, 1) for c in counts)
        )


def _alternative_counts(args):
    X, W, b = (np.asarray(args[k], dtype=float) for k in ("X", "W", "b"))
    zero = np.maximum(X @ W + b, 0) == 0
    return {
        "some": int(np.any(zero, axis=0).sum()),
        "alive": int((~np.all(zero, axis=0)).sum()),
        "rows": int(np.all(zero, axis=1).sum()),
        "entries": int(zero.sum()),
        "no bias": int(np.all(np.maximum(X @ W, 0) == 0, axis=0).sum()),
    }


def _count_in_range(got, expected, args):
    M = np.asarray(args["W"]).shape[1]
    if got < 0 or got > M:
        extra = (
            " You seem to count zero outputs (entries of the N x M matrix); count units "
            "(columns) instead."
            if got == _alternative_counts(args)["entries"]
            else ""
        )
        return f"the layer has only M = {M} units, so the count must be between 0 and {M}.{extra}"
    return None


def _count_of_what(got, expected, args):
    if int(got) == int(expected):
        return None
    alt = _alternative_counts(args)
    if got == alt["some"]:
        return (
            "you counted the units that output 0 for *some* sample; a dead unit outputs "
            "0 for *every* sample of X"
        )
    if got == alt["alive"]:
        return "you counted the units that are alive; count the dead ones"
    if got == alt["rows"]:
        return (
            "you counted samples (rows) on which every unit is 0; count units "
            "(columns) that are 0 on every sample"
        )
    if got == alt["no bias"]:
        return (
            "your count is that of the layer without its biases: a unit's activation "
            "is X W + b, and a large negative b is what kills a unit"
        )
    return None


count_dead_units = FunctionExercise(
    "count_dead_units",
    count_dead_units,
    chapter="ch02",
    prompt=(
        "Write `count_dead_units(X, W, b)`: X (N, D) is a data set, W (D, M) and b (M,) "
        "the weights and biases of a layer of M ReLU units. Return the number of dead "
        "units: units whose output is 0 for every sample of X (an integer)."
    ),
    hints=[
        "Compute the layer's outputs for the whole data set at once: "
        "`Z = np.maximum(X @ W + b, 0)` has shape (N, M), one column per unit.",
        "A unit is dead when its whole column is zero. `np.all(Z == 0, axis=0)` gives one "
        "True/False per unit (axis=0 runs over the samples).",
        "Count the True values with `.sum()` and return it as an int, e.g. "
        "`int(np.all(Z == 0, axis=0).sum())`.",
    ],
    cases=_dead_units_cases,
    returns="scalar",
    dtype="integer",
    dtype_note="a count of units",
    rtol=0,
    atol=0,
    checks=[_count_in_range, _count_of_what],
)
