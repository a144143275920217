"""Chapter 4, "TensorFlow 2": exercises on a TF2 training step and on size/depth sweeps.

- ``train_step``: one gradient-descent step of a ReLU network *with biases*, written with
  ``tf.GradientTape``; checked by running it next to the reference on seeded weights and
  batches and comparing the updated variables;
- ``hidden_unit_sweep``: train 1-hidden-layer networks of 500/1000/2000/3000 units and report
  train and test error; the checker recomputes every error rate from the reader's predictions;
- ``depth_sweep``: the same for 1, 2 and 3 hidden layers of 500 units;
- ``depth_finding``: say what depth did to the train and to the test error; checked against
  the reader's own depth table, not against fixed numbers.

Importing this module imports TensorFlow (quietly, through :func:`lazynb.repro.import_tensorflow`).
"""

from __future__ import annotations

import numpy as np

from ..metrics import error_rate
from ..repro import import_tensorflow
from ..source import show_source
from .core import Exercise, _describe_exception

tf = import_tensorflow()

__all__ = ["train_step", "hidden_unit_sweep", "depth_sweep", "depth_finding", "sweep_data"]


# ------------------------------------------------------------- 1. train_step


def train_step(params, X, T, lr):
    """One gradient-descent step on the mean softmax cross-entropy of a ReLU network.

    params: ``[W1 (D, M), b1 (M,), W2 (M, K), b2 (K,)]`` as ``tf.Variable``s, updated in
    place; X: (N, D) inputs; T: (N, K) one-hot targets; lr: the learning rate.
    Returns the loss before the step.
    """
    W1, b1, W2, b2 = params
    with tf.GradientTape() as tape:
        Z = tf.nn.relu(tf.matmul(X, W1) + b1)
        logits = tf.matmul(Z, W2) + b2
        J = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits))
    grads = tape.gradient(J, params)
    for v, g in zip(params, grads):
        v.assign_sub(lr * g)
    return J


_NAMES = ("W1", "b1", "W2", "b2")


def _step_cases(seed: int = 0):
    rng = np.random.default_rng(seed)
    for N, D, M, K in [(8, 6, 5, 3), (20, 10, 7, 4), (5, 4, 9, 2), (32, 12, 6, 5)]:
        arrays = [
            rng.normal(size=(D, M)) / np.sqrt(D),
            rng.normal(size=M) * 0.5,
            rng.normal(size=(M, K)) / np.sqrt(M),
            rng.normal(size=K) * 0.5,
        ]
        X = rng.normal(size=(N, D))
        T = np.eye(K)[rng.integers(0, K, size=N)]
        yield arrays, X, T, float(rng.uniform(0.05, 0.5))


class TrainStepExercise(Exercise):
    """Runs the reader's step and the reference on copies of the same seeded variables."""

    def __init__(self, name, reference, *, prompt, hints, chapter):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)

    def solution(self):
        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False):
        if not callable(answer):
            return self._result(
                "failed",
                f"`check` expects your function itself, as in `{self.qualname}.check({self.name})`",
                0,
                strict,
            )
        n = 0
        for arrays, X, T, lr in _step_cases():
            n += 1
            mine = [tf.Variable(a) for a in arrays]
            ref = [tf.Variable(a) for a in arrays]
            where = f"N={X.shape[0]}, D={X.shape[1]}, M={arrays[0].shape[1]}, K={T.shape[1]}"
            try:
                answer(mine, tf.constant(X), tf.constant(T), lr)
            except NotImplementedError as exc:
                if n == 1:
                    return self._not_attempted(
                        "replace `raise NotImplementedError` with your code", n, strict
                    )
                return self._result(
                    "error",
                    _describe_exception(f"`{self.name}(params, X, T, lr)`", where, exc),
                    n,
                    strict,
                )
            except Exception as exc:
                return self._result(
                    "error",
                    _describe_exception(f"`{self.name}(params, X, T, lr)`", where, exc),
                    n,
                    strict,
                )
            self.reference(ref, tf.constant(X), tf.constant(T), lr)
            message = self._compare(arrays, mine, ref, X.shape[0])
            if message:
                return self._result("failed", f"{message} (for {where}, lr={lr:.3g})", n, strict)
        return self._result(
            "passed",
            f"all {n} cases passed: every weight and bias after the step matches.",
            n,
            strict,
        )

    @staticmethod
    def _compare(before, mine, ref, N):
        got = [np.asarray(v.numpy(), dtype=np.float64) for v in mine]
        want = [v.numpy() for v in ref]
        for name, g, b in zip(_NAMES, got, before):
            if g.shape != b.shape:
                return f"{name} changed shape from {b.shape} to {g.shape}"
        moved = [not np.array_equal(g, b) for g, b in zip(got, before)]
        if not any(moved):
            return (
                "none of the variables changed: update them in place with "
                "`v.assign_sub(lr * g)` (`v = v - lr * g` only rebinds a name)"
            )
        if moved[0] and moved[2] and not (moved[1] or moved[3]):
            return "the biases b1 and b2 did not change: they are trained like the weights"
        steps = [(g - b, w - b) for g, b, w in zip(got, before, want)]
        ratio = [np.sum(d * e) / max(np.sum(e * e), 1e-300) for d, e in steps]
        if N > 1 and all(abs(r - N) < 1e-3 * N for r in ratio):
            return (
                "the step is N times too large: average the loss over the batch "
                "(`tf.reduce_mean`), don't sum it"
            )
        for name, g, w in zip(_NAMES, got, want):
            close = np.isclose(g, w, rtol=1e-6, atol=1e-9)
            if not np.all(close):
                return (
                    f"after the step, {name} differs from the expected value at "
                    f"{np.count_nonzero(~close)} of {close.size} positions"
                )
        return None


train_step = TrainStepExercise(
    "train_step",
    train_step,
    chapter="ch04",
    prompt=(
        "Write `train_step(params, X, T, lr)`: params is `[W1, b1, W2, b2]` "
        "(`tf.Variable`s), the network is Z = relu(X W1 + b1), logits = Z W2 + b2, the loss "
        "the mean softmax cross-entropy. Take one gradient-descent step, updating all four "
        "variables in place, and return the loss."
    ),
    hints=[
        "Record the forward pass and the loss under `with tf.GradientTape() as tape:`.",
        "`tape.gradient(J, params)` gives one gradient per variable, biases included; use "
        "`tf.reduce_mean` of `tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=...)`.",
        "`for v, g in zip(params, grads): v.assign_sub(lr * g)`.",
    ],
)


# ------------------------------------------------------------- data for the sweeps


def sweep_data(n_train=2000):
    """The MNIST data both sweeps use: ``(Xtrain, ytrain, Xtest, ytest)`` (float32 in [0, 1]).

    The first ``n_train`` training images (2,000: small enough for a CPU) and the test split.
    ``load_mnist``'s train and test splits (the real MNIST when it is on disk or can be
    fetched, otherwise the shipped 4,000/1,000 real sample), deterministic either way.
    """
    from ..data import load_mnist

    if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)):
        raise TypeError(f"n_train must be a whole number of images, got {type(n_train).__name__}")
    if n_train < 1:
        raise ValueError(f"n_train must be at least 1, got {n_train}")
    Xtr, ytr = load_mnist("train", warn=False)[:2]
    if n_train > len(Xtr):
        raise ValueError(
            f"n_train={n_train} but only {len(Xtr):,} training images are "
            "available here (without the full MNIST on disk, load_mnist gives the "
            "shipped sample); use a smaller n_train"
        )
    Xte, yte = load_mnist("test", warn=False)[:2]
    return Xtr[:n_train], ytr[:n_train], Xte, yte


def _train_and_predict(hidden, Xtr, ytr, Xte, epochs, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input(shape=(Xtr.shape[1],))]
        + [keras.layers.Dense(m, activation="relu") for m in hidden]
        + [keras.layers.Dense(10)]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(Xtr, ytr, epochs=epochs, batch_size=500, verbose=0)
    return (
        np.argmax(model.predict(Xtr, batch_size=2000, verbose=0), axis=1),
        np.argmax(model.predict(Xte, batch_size=2000, verbose=0), axis=1),
    )


def hidden_unit_sweep(epochs=10, n_train=2000):
    """Reference: 1-hidden-layer networks of 500, 1000, 2000 and 3000 ReLU units.

    Each trains for ``epochs`` epochs with Adam (learning rate 1e-3, batch 500) from
    Keras's seeded initialisation on the first ``n_train`` training images; the default
    ten epochs on 2,000 images take about 13 s on two CPU cores. The full sweep,
    ``n_train=60000`` (it needs the full MNIST), is for a GPU.

    Returns a list of rows ``{"units": M, "train_pred": (N_train,), "test_pred": (N_test,),
    "train_error": float, "test_error": float}``.
    """
    Xtr, ytr, Xte, yte = sweep_data(n_train)
    rows = []
    for M in (500, 1000, 2000, 3000):
        p_tr, p_te = _train_and_predict([M], Xtr, ytr, Xte, epochs)
        rows.append(
            {
                "units": M,
                "train_pred": p_tr,
                "test_pred": p_te,
                "train_error": error_rate(p_tr, ytr),
                "test_error": error_rate(p_te, yte),
            }
        )
    return rows


def depth_sweep(epochs=10, n_train=2000):
    """Reference: networks with 1, 2 and 3 hidden layers of 500 ReLU units each.

    Returns a list of rows ``{"layers": L, "train_pred", "test_pred", "train_error",
    "test_error"}`` as :func:`hidden_unit_sweep` does, with the same ``epochs`` and ``n_train``.
    """
    Xtr, ytr, Xte, yte = sweep_data(n_train)
    rows = []
    for L in (1, 2, 3):
        p_tr, p_te = _train_and_predict([500] * L, Xtr, ytr, Xte, epochs)
        rows.append(
            {
                "layers": L,
                "train_pred": p_tr,
                "test_pred": p_te,
                "train_error": error_rate(p_tr, ytr),
                "test_error": error_rate(p_te, yte),
            }
        )
    return rows


class SweepExercise(Exercise):
    """Checks a sweep table for form and consistency: errors are recomputed from predictions."""

    def __init__(self, name, reference, *, key, values, prompt, hints, chapter):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)
        self.key, self.values = key, tuple(values)
        self._labels = {}  # n_train -> (train labels, test labels)

    def solution(self):
        return show_source(self.reference)

    def labels(self, n_train: int = 2000):
        """The train and test labels of ``sweep_data(n_train)``, loaded once per size."""
        if n_train not in self._labels:
            _, ytr, _, yte = sweep_data(n_train)
            self._labels[n_train] = (ytr, yte)
        return self._labels[n_train]

    def check(self, answer, *, strict: bool = False):
        if answer is None or answer is Ellipsis:
            return self._not_attempted("build your list of rows", 0, strict)
        if callable(answer):
            return self._result(
                "failed", "pass your table (a list of rows), not a function", 1, strict
            )
        try:
            message = self._check_table(answer)
        except Exception as exc:
            return self._result(
                "error", f"could not check this table: {type(exc).__name__}: {exc}", 1, strict
            )
        if message:
            return self._result("failed", message, 1, strict)
        return self._result(
            "passed",
            "the table is complete and every error rate matches its predictions.",
            1,
            strict,
        )

    def _check_table(self, rows):
        key = self.key
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            return f"the answer should be a list of dicts, one row per value of {key!r}"
        if any(r.get(key, None) is Ellipsis for r in rows) or not rows:
            return f"fill in every row (one per {key!r} in {list(self.values)})"
        need = {key, "train_pred", "test_pred", "train_error", "test_error"}
        for r in rows:
            missing = need - set(r)
            if missing:
                return f"row {r.get(key, '?')} lacks the key(s) {sorted(missing)}"
        got = [r[key] for r in rows]
        if sorted(got) != list(self.values):
            return f"the rows should cover {key} = {list(self.values)} once each, got {got}"
        # A table may come from any training-set size (2,000 on a CPU, 60,000 on a GPU):
        # its length says which labels to compare with.
        n_train = len(np.asarray(rows[0]["train_pred"]).reshape(-1))
        ytr, yte = self.labels(n_train if n_train > 0 else 2000)
        for r in rows:
            for split, y in (("train", ytr), ("test", yte)):
                p = np.asarray(r[f"{split}_pred"])
                if p.ndim != 1 or len(p) != len(y):
                    return (
                        f"{key}={r[key]}: {split}_pred should be one predicted label per "
                        f"{split} sample, shape ({len(y)},), got {p.shape}"
                    )
                if not np.issubdtype(p.dtype, np.integer):
                    return (
                        f"{key}={r[key]}: {split}_pred should hold integer labels 0-9 "
                        f"(take `argmax` over the outputs), got dtype {p.dtype}"
                    )
            for split, y, other in (("train", ytr, "test"), ("test", yte, "train")):
                e = float(r[f"{split}_error"])
                true = error_rate(np.asarray(r[f"{split}_pred"]), y)
                if abs(e - true) < 1e-9:
                    continue
                if abs(e - (1 - true)) < 1e-9:
                    return (
                        f"{key}={r[key]}: {split}_error is the accuracy (1 − error): "
                        "report the error rate"
                    )
                o = np.asarray(r[f"{other}_pred"])
                if len(o) == len(y) and abs(e - error_rate(o, y)) < 1e-9 and len(ytr) != len(yte):
                    return f"{key}={r[key]}: {split}_error was computed on the {other} set"
                return (
                    f"{key}={r[key]}: {split}_error does not match the error rate of "
                    f"{split}_pred (did you swap train and test, or use other predictions?)"
                )
            if r["train_error"] > 0.8:
                return (
                    f"{key}={r[key]}: a train error of {r['train_error']:.2f} means the "
                    "network has hardly learned: did it train?"
                )
        return None


hidden_unit_sweep = SweepExercise(
    "hidden_unit_sweep",
    hidden_unit_sweep,
    key="units",
    values=(500, 1000, 2000, 3000),
    chapter="ch04",
    prompt=(
        "Train one-hidden-layer networks with 500, 1000, 2000 and 3000 ReLU units on "
        "`ch04.sweep_data()` and build a table: a list of rows `{'units': M, 'train_pred': "
        "..., 'test_pred': ..., 'train_error': ..., 'test_error': ...}` (predicted labels "
        "from `argmax`, errors from `error_rate`)."
    ),
    hints=[
        "Write one function that builds, trains and predicts with a given list of hidden "
        "sizes; call it in a loop.",
        "`np.argmax(model.predict(X, verbose=0), axis=1)` gives integer labels; "
        "`error_rate(pred, y)` the fraction wrong.",
        "Keep the budget small on a CPU (about ten epochs); the checker only needs a "
        "consistent table.",
    ],
)

depth_sweep = SweepExercise(
    "depth_sweep",
    depth_sweep,
    key="layers",
    values=(1, 2, 3),
    chapter="ch04",
    prompt=(
        "Train networks with 1, 2 and 3 hidden layers of 500 ReLU units each on "
        "`ch04.sweep_data()`; return rows `{'layers': L, 'train_pred', 'test_pred', "
        "'train_error', 'test_error'}` as in the previous exercise."
    ),
    hints=[
        "Reuse your sweep function with `[500] * L` as the hidden sizes.",
        "Deeper is not automatically better on 2,000 samples: compare train and test error.",
    ],
)


# ------------------------------------------------------------- the reader's finding on depth

TRENDS = ("falls", "flat", "rises")
FLAT = 0.005  # half a percentage point: within it, an error has not really moved


def depth_finding(rows):
    """Reference: what a depth table says from 1 to 3 hidden layers, for each split.

    ``rows``: the table of the depth sweep. Returns ``{"train": trend, "test": trend}``
    with ``trend`` one of "falls", "flat" (changes by at most half a percentage point)
    or "rises".
    """
    by_depth = {r["layers"]: r for r in rows}
    found = {}
    for split in ("train", "test"):
        change = float(by_depth[3][f"{split}_error"]) - float(by_depth[1][f"{split}_error"])
        found[split] = "flat" if abs(change) <= FLAT else ("falls" if change < 0 else "rises")
    return found


class FindingExercise(Exercise):
    """Checks the reader's statement about depth against the reader's own depth table."""

    def solution(self):
        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False):
        if answer is None or answer is Ellipsis:
            return self._not_attempted(
                "fill in the dict with your table and your two trends", 0, strict
            )
        if not isinstance(answer, dict) or set(answer) != {"rows", "train", "test"}:
            got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
            return self._result(
                "failed",
                "the answer should be a dict with the keys 'rows' "
                f"(your depth table), 'train' and 'test', got {got}",
                1,
                strict,
            )
        said = {k: answer[k] for k in ("train", "test")}
        if any(v is Ellipsis or v is None for v in said.values()):
            return self._not_attempted("say what the train and the test error do", 0, strict)
        bad = {k: v for k, v in said.items() if v not in TRENDS}
        if bad:
            return self._result(
                "failed",
                f"say {' / '.join(map(repr, TRENDS))} for each split, got {bad}",
                1,
                strict,
            )
        try:
            problem = depth_sweep._check_table(answer["rows"])
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            return self._result(
                "failed",
                "first make your table pass `ch04.depth_sweep.check`: " + problem,
                1,
                strict,
            )
        true = self.reference(answer["rows"])
        by_depth = {r["layers"]: r for r in answer["rows"]}
        for split in ("train", "test"):
            if said[split] != true[split]:
                e1 = float(by_depth[1][f"{split}_error"])
                e3 = float(by_depth[3][f"{split}_error"])
                return self._result(
                    "failed",
                    f"your own table has the {split} error going from {e1:.1%} with "
                    f"one hidden layer to {e3:.1%} with three, which is not {said[split]!r} "
                    "(a change within half a percentage point counts as 'flat')",
                    1,
                    strict,
                )
        return self._result(
            "passed",
            f"your table agrees: with depth the train error "
            f"{true['train']} and the test error {true['test']}.",
            1,
            strict,
        )


depth_finding = FindingExercise(
    "depth_finding",
    reference=depth_finding,
    chapter="ch04",
    prompt=(
        "From your depth table, what happens between 1 and 3 hidden layers? Answer "
        "`{'rows': rows, 'train': ..., 'test': ...}` with 'falls', 'flat' or 'rises' for "
        "each error (a change of at most half a percentage point is 'flat')."
    ),
    hints=[
        "Compare the first and the last row of your table, once for the train error and "
        "once for the test error.",
        "If the train error falls much more than the test error, the deeper networks are "
        "memorising the 2,000 images rather than learning digits better.",
    ],
)
