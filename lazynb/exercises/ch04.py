"""Chapter 4, "TensorFlow 2": exercises on a TF2 training step and on width and depth sweeps.

- ``train_step``: one gradient-descent step of a ReLU network *with biases*, written with
  ``tf.GradientTape``; checked by running it next to the reference on seeded weights and
  batches, comparing the updated variables and the returned loss;
- ``hidden_unit_sweep`` and ``depth_sweep``: the reader writes a model *builder*
  (``build(units)`` or ``build(layers)``, one fresh Keras model per call); the checker builds
  every network, checks its architecture, trains the smallest briefly itself on a seeded
  synthetic probe set, and, given the reader's table of trained networks, recomputes every
  error from the networks on MNIST (a table is never taken on trust);
- ``depth_finding``: what depth does to the train and the test error, judged with the
  standard errors over seeds; either a statement about the reader's own table (checked
  against the errors the checker recomputed from its networks) or a function that reads
  any table (checked on seeded tables).

Reference solutions are in :mod:`lazynb.exercises.solutions.ch04`. :func:`sweep` trains a
builder's networks to (nearly) zero training error over several seeds, :func:`summarize`
turns its rows into ``mean ± se``. Importing this module imports TensorFlow (quietly).
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_float_array, as_labels, check_positive_float, check_positive_int
from ..experiments import estimate, fmt
from ..repro import import_tensorflow
from ..source import Source, get_source, show_source
from .core import Exercise, _describe_exception
from .solutions import ch04 as _sol

tf = import_tensorflow()

__all__ = [
    "train_step",
    "hidden_unit_sweep",
    "depth_sweep",
    "depth_finding",
    "sweep_data",
    "fit",
    "errors",
    "sweep",
    "summarize",
    "WIDTHS",
    "DEPTHS",
    "SEEDS",
]

# The sweeps' design: every network gets the same budget (EPOCHS epochs of Adam, batches of
# BATCH, learning rate LR), enough for every one of them to fit the 2,000 training images
# (training error at or near 0): the question is capacity, so the networks must converge.
WIDTHS = (32, 128, 512)  # one hidden layer; x4 per step keeps the widest fast on a CPU
DEPTHS = (1, 2, 3)  # hidden layers of DEPTH_UNITS units
DEPTH_UNITS = 128
SEEDS = (0, 1, 2)
N_TRAIN = 2000
EPOCHS = 20
BATCH = 100
LR = 3e-3
CONVERGED = 0.02  # a network with more training error than this has not fit its data


# ------------------------------------------------------------- 1. train_step

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

    answer_is_function = True  # ``make mutants`` mutates its reference

    def __init__(self, name, reference, *, prompt, hints, chapter):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)

    def solution(self):
        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False):
        if (refused := self._not_a_function(answer, strict)) is not None:
            return refused
        n = 0
        for arrays, X, T, lr in _step_cases():
            n += 1
            mine = [tf.Variable(a) for a in arrays]
            ref = [tf.Variable(a) for a in arrays]
            where = f"N={X.shape[0]}, D={X.shape[1]}, M={arrays[0].shape[1]}, K={T.shape[1]}"
            try:
                returned = answer(mine, tf.constant(X), tf.constant(T), lr)
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
            expected = self.reference(ref, tf.constant(X), tf.constant(T), lr)
            message = self._compare(arrays, mine, ref, X.shape[0]) or self._compare_loss(
                returned, expected
            )
            if message:
                return self._result("failed", f"{message} (for {where}, lr={lr:.3g})", n, strict)
        return self._result(
            "passed",
            f"all {n} cases passed: every weight and bias after the step, and the returned loss, match.",
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

    @staticmethod
    def _compare_loss(returned, expected):
        """The returned value must be the loss before the step: one number, the reference's."""
        if returned is None:
            return (
                "the variables are right, but your function returned None: "
                "return the loss `J` (computed before the step)"
            )
        try:
            got = np.asarray(returned.numpy() if hasattr(returned, "numpy") else returned)
            got = got.astype(np.float64)
        except (TypeError, ValueError):
            return f"return the loss as a number, got {type(returned).__name__}"
        if got.size != 1:
            return (
                f"return the mean loss over the batch, a single number; got shape {got.shape} "
                "(one loss per sample?)"
            )
        want = float(np.asarray(expected))
        got = float(got.reshape(()))
        if np.isclose(got, want * 1.0, rtol=1e-6, atol=1e-9):
            return None
        return (
            "the variables are right, but the returned value is not the mean softmax "
            "cross-entropy before the step (the loss after the step, or another loss?)"
        )


train_step = TrainStepExercise(
    "train_step",
    _sol.train_step,
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


# ------------------------------------------------------------- data, training, sweeps

_DATA: dict = {}  # n_train -> (Xtrain, ytrain, Xtest, ytest)


def sweep_data(n_train=N_TRAIN):
    """The MNIST data both sweeps use: ``(Xtrain (n_train, 784), ytrain (n_train,),
    Xtest (N_test, 784), ytest (N_test,))``, images float32 in [0, 1].

    The first ``n_train`` training images (2,000: small enough for a CPU) and the test split
    of ``load_mnist`` (the real MNIST when it is on disk or can be fetched, otherwise the
    shipped 4,000/1,000 real sample), deterministic either way; loaded once per size.
    """
    from ..data import load_mnist

    if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)):
        raise TypeError(f"n_train must be a whole number of images, got {type(n_train).__name__}")
    if n_train < 1:
        raise ValueError(f"n_train must be at least 1, got {n_train}")
    n_train = int(n_train)
    if n_train not in _DATA:
        Xtr, ytr = load_mnist("train", warn=False)[:2]
        if n_train > len(Xtr):
            raise ValueError(
                f"n_train={n_train} but only {len(Xtr):,} training images are "
                "available here (without the full MNIST on disk, load_mnist gives the "
                "shipped sample); use a smaller n_train"
            )
        Xte, yte = load_mnist("test", warn=False)[:2]
        _DATA[n_train] = (Xtr[:n_train], ytr[:n_train], Xte, yte)
    return _DATA[n_train]


def fit(model, X, y, *, seed=0, epochs=EPOCHS, batch_size=BATCH, lr=LR):
    """Train ``model`` in place with Adam on the mean softmax cross-entropy of its logits.

    model: a Keras model, (N, D) -> logits (N, K); X: (N, D) inputs; y: (N,) integer labels.
    Each epoch takes the samples in a fresh order drawn from ``seed`` (the last
    ``N % batch_size`` of each order sit that epoch out) and runs as one compiled
    ``tf.function``: ``epochs * (N // batch_size)`` updates in all. Returns the model.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    X = as_float_array(X, "X", ndim=2, dtype=np.float32)
    y = as_labels(y, "y", n=len(X))
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive_float(lr, "lr")
    seed = check_positive_int(seed, "seed", minimum=0)
    if batch_size > len(X):
        raise ValueError(f"batch_size={batch_size} is larger than the {len(X)} samples")
    model(X[:1])  # builds a model defined without keras.Input
    variables = model.trainable_variables
    opt = keras.optimizers.Adam(lr)
    opt.build(variables)
    Xt, yt = tf.constant(X), tf.constant(y.astype(np.int32))
    n_batches = len(X) // batch_size

    @tf.function
    def epoch(order):  # order: (n_batches, batch_size) sample indices
        for i in tf.range(n_batches):
            with tf.GradientTape() as tape:
                logits = model(tf.gather(Xt, order[i]), training=True)
                loss = tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(
                        labels=tf.gather(yt, order[i]), logits=logits
                    )
                )
            opt.apply(tape.gradient(loss, variables), variables)

    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X))[: n_batches * batch_size]
        epoch(tf.constant(order.reshape(n_batches, batch_size)))
    return model


def _predict(model, X):
    out = model(tf.constant(X), training=False)
    return np.argmax(np.asarray(out), axis=1)


def errors(model, n_train=N_TRAIN):
    """``(train error, test error)`` of a trained model on ``sweep_data(n_train)``: floats."""
    Xtr, ytr, Xte, yte = sweep_data(n_train)
    return float(np.mean(_predict(model, Xtr) != ytr)), float(np.mean(_predict(model, Xte) != yte))


def sweep(build, key, values, *, seeds=SEEDS, n_train=N_TRAIN, epochs=EPOCHS):
    """Train ``build(v)`` for every ``v`` in ``values`` and every seed; return the rows.

    build: a function, setting -> a fresh Keras model (logits out); key: the setting's name
    ("units" or "layers"); values: the settings, e.g. ``WIDTHS``. For each (value, seed) the
    Keras seed is set, the model built and trained with :func:`fit` on
    ``sweep_data(n_train)``. Returns one row per (value, seed):
    ``{key: v, "seed": s, "model": trained model, "train_error": float, "test_error": float}``.
    """
    import keras

    if not callable(build):
        raise TypeError(f"build must be a function of the {key}, got {type(build).__name__}")
    seeds = tuple(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be at least 2 distinct integers, got {seeds!r}")
    Xtr, ytr, _, _ = sweep_data(n_train)
    rows = []
    for v in values:
        for s in seeds:
            keras.utils.set_random_seed(s)
            model = fit(build(v), Xtr, ytr, seed=s, epochs=epochs)
            e_tr, e_te = errors(model, n_train)
            rows.append(
                {key: v, "seed": s, "model": model, "train_error": e_tr, "test_error": e_te}
            )
    return rows


def summarize(rows, key):
    """``{value: {"train error": Estimate, "test error": Estimate}}`` over the seeds of ``rows``.

    rows: the list :func:`sweep` returns (one dict per (value, seed) with ``key``,
    ``"train_error"`` and ``"test_error"``); values in increasing order. Feed it to
    :func:`lazynb.experiments.table`.
    """
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"rows must be a list of dicts, got {type(rows).__name__}")
    out = {}
    for v in sorted({r[key] for r in rows}):
        mine = [r for r in rows if r[key] == v]
        out[v] = {
            "train error": estimate(
                [r["train_error"] for r in mine], [r.get("seed") for r in mine]
            ),
            "test error": estimate([r["test_error"] for r in mine], [r.get("seed") for r in mine]),
        }
    return out


# ------------------------------------------------------------- checking a network's shape


def _architecture(model):
    """``(hidden, output)`` of a plain Dense network: hidden = [(units, activation, bias)].

    Returns ``(None, message)`` when the model is not a Keras model of Dense layers that
    maps (N, 784) images to (N, 10) outputs.
    """
    import keras

    if not isinstance(model, keras.Model):
        return (
            None,
            f"should be a Keras model (e.g. `keras.Sequential`), got {type(model).__name__}",
        )
    try:
        if not model.built:  # a model defined without keras.Input: one call builds it
            model(np.zeros((2, 784), dtype=np.float32))
        shape_in, shape_out = tuple(model.input_shape), tuple(model.output_shape)
    except Exception as exc:
        return (
            None,
            f"cannot take a batch of 784-pixel images, shape (N, 784): {type(exc).__name__}: {exc}",
        )
    # Shapes are read, not computed: a wrong network fails without running it.
    if shape_in[1:] != (784,):
        return None, f"takes inputs of shape {shape_in[1:]}; the images are (N, 784)"
    layers = [la for la in model.layers if not isinstance(la, keras.layers.InputLayer)]
    for la in layers:
        if not isinstance(la, keras.layers.Dense):
            return None, (
                f"has a {type(la).__name__} layer: the sweep compares plain networks of "
                "Dense layers (put the activation in `Dense(..., activation=...)`)"
            )
    if shape_out[1:] != (10,):
        return None, f"should give 10 outputs per image, shape (N, 10); got {shape_out[1:]}"
    dense = [
        (la.units, getattr(la.activation, "__name__", str(la.activation)), la.use_bias)
        for la in layers
    ]
    return (dense[:-1], dense[-1]), None


def _shape_problem(model, key, value, want_hidden):
    """A message when ``model`` is not the network of ``key=value``, else None."""
    arch, problem = _architecture(model)
    if problem:
        return f"{key}={value}: the network {problem}"
    hidden, (out_units, out_act, out_bias) = arch
    units = want_hidden[0] if want_hidden else None
    want = f"{len(want_hidden)} hidden layer(s) of {units} ReLU units"
    if len(hidden) != len(want_hidden):
        sizes = ", ".join(str(h[0]) for h in hidden) or "none"
        return (
            f"{key}={value}: the network should have {want} before the output layer; "
            f"it has {len(hidden)} (sizes: {sizes})"
        )
    for i, ((u, act, bias), w) in enumerate(zip(hidden, want_hidden), start=1):
        if u != w:
            return f"{key}={value}: hidden layer {i} has {u} units, the sweep asks for {w}"
        if act != "relu":
            return f"{key}={value}: hidden layer {i} uses {act!r}; the sweep's networks use 'relu'"
        if not bias:
            return (
                f"{key}={value}: hidden layer {i} has no bias (`use_bias=False`); keep the biases"
            )
    if out_act != "linear":
        return (
            f"{key}={value}: the output layer applies {out_act!r}; give logits (no activation): "
            "the training loss applies the softmax itself"
        )
    if not out_bias:
        return f"{key}={value}: the output layer has no bias (`use_bias=False`); keep the biases"
    return None


# ------------------------------------------------------------- the sweep exercises


class SweepExercise(Exercise):
    """A model builder, and optionally the reader's table of networks trained with it.

    ``check(build)`` builds the network for every setting, checks its architecture and
    trains the smallest on a small seeded probe set (``PROBE``) next to the reference's.
    ``check({"build": build, "rows": rows})`` also checks the table: one row per (setting,
    seed) with the trained ``"model"``; the checker recomputes both errors from every model
    and compares.
    """

    answer_is_function = True  # the builder; ``make mutants`` mutates its reference
    PROBE = dict(n=500, epochs=5, batch=100)  # the small seeded probe set, a second or so

    def __init__(self, name, reference, *, key, values, shape, prompt, hints, chapter):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)
        self.key, self.values, self.shape = key, tuple(values), shape
        self._probes = {}  # (builder, value) -> its network's error on the probe subset

    def solution(self):
        code = get_source(self.reference) + "\n\n" + get_source(sweep)
        return Source(code, self.reference.__qualname__)

    # -- the builder ----------------------------------------------------------------

    def _probe_error(self, build, value):
        """Train ``build(value)`` briefly on the probe images; its error on them.

        The probe images are synthetic (ten seeded binary prototypes with 15 % of the pixels
        flipped on), so the check needs no data set: any network of the right shape that
        can learn fits them in a few epochs, one that cannot (all-zero weights, frozen
        layers) stays near chance.
        """
        import keras

        rng = np.random.default_rng(0)
        n = self.PROBE["n"]
        y = rng.integers(0, 10, size=n)
        prototypes = rng.random((10, 784)) < 0.2
        X = (prototypes[y] | (rng.random((n, 784)) < 0.15)).astype(np.float32)
        keras.utils.set_random_seed(0)
        model = fit(
            build(value), X, y, seed=0, epochs=self.PROBE["epochs"], batch_size=self.PROBE["batch"]
        )
        return float(np.mean(_predict(model, X) != y))

    def _check_builder(self, build):
        """``(status, message)``: None when the builder makes the right networks and they learn."""
        call = f"`{getattr(build, '__name__', 'build')}({self.key})`"
        models = []
        for v in self.values:
            try:
                model = build(v)
            except NotImplementedError as exc:
                if not models:
                    return "not attempted", None
                return "error", _describe_exception(call, f"{self.key}={v}", exc)
            except Exception as exc:
                return "error", _describe_exception(call, f"{self.key}={v}", exc)
            problem = _shape_problem(model, self.key, v, self.shape(v))
            if problem:
                return "failed", problem
            if any(model is m for m in models):
                return "failed", f"{call} returned the same model twice: build a new one per call"
            models.append(model)
        again = build(self.values[0])
        if again is models[0]:
            return "failed", f"{call} returned the same model twice: build a new one per call"
        # One short seeded training run, of the smallest network, next to the reference's
        # (each builder's result is kept: rechecking a table does not train it again).
        v = self.values[0]
        try:
            want = self._probe(self.reference, v)
            got = self._probe(build, v)
        except Exception as exc:
            return "error", _describe_exception(f"training {call}", f"{self.key}={v}", exc)
        if got > want + 0.05:
            return "failed", (
                f"{self.key}={v}: trained briefly on {self.PROBE['n']} easy synthetic images, "
                f"your network still "
                f"gets {got:.0%} of them wrong where the book's gets {want:.0%}: "
                "check its initialisation and that every layer is trainable"
            )
        return None, None

    def _probe(self, build, value):
        if (build, value) not in self._probes:
            self._probes[(build, value)] = self._probe_error(build, value)
        return self._probes[(build, value)]

    # -- the table ------------------------------------------------------------------

    def recompute(self, rows, n_train=N_TRAIN):
        """``(message, rows)``: the reader's rows checked, with the errors the checker got.

        message is None when the table holds; the returned rows carry the recomputed
        ``train_error`` and ``test_error`` (and no models).
        """
        key = self.key
        if (
            not isinstance(rows, (list, tuple))
            or not rows
            or not all(isinstance(r, dict) for r in rows)
        ):
            return f"the table should be a non-empty list of dicts, one per ({key}, seed)", None
        need = {key, "seed", "model", "train_error", "test_error"}
        for r in rows:
            missing = need - set(r)
            if missing:
                extra = (
                    ": the checker computes the errors from the trained network itself, "
                    "so a row needs it under 'model'"
                    if "model" in missing
                    else ""
                )
                return f"the row {key}={r.get(key, '?')} lacks {sorted(missing)}{extra}", None
        got = sorted({r[key] for r in rows})
        if got != sorted(self.values):
            return f"the rows should cover {key} = {list(self.values)}, got {got}", None
        seeds = {v: sorted(r["seed"] for r in rows if r[key] == v) for v in self.values}
        first = seeds[self.values[0]]
        if len(set(first)) < 3 or len(set(first)) != len(first):
            return (
                f"{key}={self.values[0]}: train at least 3 different seeds, got seeds {first}",
                None,
            )
        for v, s in seeds.items():
            if s != first:
                return f"every {key} needs the same seeds; {key}={v} has {s}, not {first}", None
        if len({id(r["model"]) for r in rows}) != len(rows):
            return f"rows share a network: train a new one for every ({key}, seed)", None
        checked = []
        for r in rows:
            where = f"{key}={r[key]}, seed {r['seed']}"
            problem = _shape_problem(r["model"], key, r[key], self.shape(r[key]))
            if problem:
                return (
                    f"the row {where}: {problem.split(': ', 1)[1]} (is it the network of another row?)",
                    None,
                )
            e_tr, e_te = errors(r["model"], n_train)
            ytr, yte = sweep_data(n_train)[1], sweep_data(n_train)[3]
            for split, true, n in (("train", e_tr, len(ytr)), ("test", e_te, len(yte))):
                said = r[f"{split}_error"]
                try:
                    said = float(said)
                except (TypeError, ValueError):
                    return (
                        f"the row {where}: {split}_error should be a number, got {type(said).__name__}",
                        None,
                    )
                if abs(said - true) <= 1.5 / n:
                    continue
                if abs(said - (1 - true)) <= 1.5 / n:
                    return (
                        f"the row {where}: {split}_error is the accuracy (1 − error); report the error rate",
                        None,
                    )
                other = e_te if split == "train" else e_tr
                if abs(said - other) <= 1.5 / min(len(ytr), len(yte)) and abs(other - true) > 2 / n:
                    return (
                        f"the row {where}: {split}_error is the error on the other set "
                        "(train and test swapped?)",
                        None,
                    )
                return (
                    f"the row {where}: its {split}_error, {said:.2%}, is not the error of its "
                    f"network on the {split} set of `ch04.sweep_data({n_train})`: the checker "
                    "measures the network itself, so report what it gives"
                ), None
            if e_tr > CONVERGED:
                return (
                    f"the row {where}: the network still gets {e_tr:.1%} of its training images "
                    f"wrong; the sweep compares capacity, so train every network until it fits "
                    f"the training set (under {CONVERGED:.0%} training error): more epochs"
                ), None
            checked.append(
                {key: r[key], "seed": r["seed"], "train_error": e_tr, "test_error": e_te}
            )
        return None, checked

    def check(self, answer, *, strict: bool = False):
        if answer is None or answer is Ellipsis:
            return self._not_attempted(f"write your builder `build({self.key})`", 0, strict)
        if isinstance(answer, dict):
            if "build" not in answer or "rows" not in answer:
                return self._result(
                    "failed",
                    "pass your builder alone, or a dict {'build': your builder, 'rows': your "
                    f"table}}; got the keys {sorted(answer)}",
                    1,
                    strict,
                )
            build, rows, n_train = answer["build"], answer["rows"], answer.get("n_train", N_TRAIN)
        else:
            build, rows, n_train = answer, None, N_TRAIN
        if not callable(build):
            return self._result(
                "failed",
                f"pass your builder itself, a function of the {self.key} that returns a new "
                f"Keras model; got {type(build).__name__}",
                0,
                strict,
            )
        status, message = self._check_builder(build)
        if status == "not attempted":
            return self._not_attempted(
                "replace `raise NotImplementedError` with your code", 1, strict
            )
        if status:
            return self._result(status, message, 1, strict)
        if rows is None or rows is Ellipsis:
            if isinstance(answer, dict):
                return self._not_attempted(
                    "your builder passes; now train its networks over the seeds and fill in the rows",
                    1,
                    strict,
                )
            return self._result(
                "passed",
                f"every network has the right layers and learns. Now train them over seeds "
                f"and check your table: `{self.qualname}.check({{'build': ..., 'rows': rows}})`.",
                1,
                strict,
            )
        try:
            message, checked = self.recompute(rows, n_train)
        except Exception as exc:
            return self._result(
                "error", f"could not check this table: {type(exc).__name__}: {exc}", 2, strict
            )
        if message:
            return self._result("failed", message, 2, strict)
        summary = summarize(checked, self.key)
        said = ", ".join(f"{v}: {fmt(s['test error'], percent=True)}" for v, s in summary.items())
        return self._result(
            "passed",
            f"every network has the right layers, fits its training set, and every error in "
            f"your table is what its network gives. Test error by {self.key}: {said}.",
            2,
            strict,
        )


hidden_unit_sweep = SweepExercise(
    "hidden_unit_sweep",
    _sol.hidden_unit_sweep,
    key="units",
    values=WIDTHS,
    shape=lambda units: [units],
    chapter="ch04",
    prompt=(
        "Write `build_wide(units)`: a new Keras model for 784-pixel images with one hidden "
        "layer of `units` ReLU units and 10 outputs (logits, no activation). Check it alone, "
        "then train it for every width in `ch04.WIDTHS` and every seed in `ch04.SEEDS` "
        "(`ch04.sweep` does this) and check `{'build': build_wide, 'rows': rows}`: the "
        "checker measures every network in your table itself."
    ),
    hints=[
        "`keras.Sequential([keras.Input(shape=(784,)), ...])` with two `Dense` layers.",
        "The hidden layer is `keras.layers.Dense(units, activation='relu')`; the output layer "
        "has 10 units and no activation. Then `rows = ch04.sweep(build_wide, 'units', "
        "ch04.WIDTHS)`.",
    ],
)

depth_sweep = SweepExercise(
    "depth_sweep",
    _sol.depth_sweep,
    key="layers",
    values=DEPTHS,
    shape=lambda layers: [DEPTH_UNITS] * layers,
    chapter="ch04",
    prompt=(
        f"Write `build_deep(layers)`: a new Keras model with `layers` hidden layers of "
        f"{DEPTH_UNITS} ReLU units each and 10 outputs (logits). Check it alone, then train it "
        "for 1, 2 and 3 layers and every seed in `ch04.SEEDS` and check "
        "`{'build': build_deep, 'rows': rows}`."
    ),
    hints=[
        "Build the list of hidden layers in a loop (or a list comprehension) over "
        "`range(layers)`, and put it between `keras.Input` and the output layer.",
        f"Every hidden layer is `Dense({DEPTH_UNITS}, activation='relu')`, a new object each "
        "time; then `rows = ch04.sweep(build_deep, 'layers', ch04.DEPTHS)`.",
    ],
)


# ------------------------------------------------------------- the reader's finding on depth

TRENDS = ("falls", "flat", "rises")


def _finding_cases(seed: int = 0):
    """Seeded depth tables whose 1-vs-3-layer changes sit on both sides of every boundary.

    Each change is a chosen number of standard errors (or, with tiny spreads, a chosen
    size around the one-point floor), up and down, over 3 to 5 seeds.
    """
    rng = np.random.default_rng(seed)
    margins = [0.0, 0.6, 1.5, 1.8, 1.9, 1.95, 2.2, 2.6, 3.4, 6.0]
    cases = []
    for i, m in enumerate(margins * 2):
        n = 3 + i % 3
        sign = 1 if i % 2 else -1
        cases.append((n, sign * m, rng.uniform(0.01, 0.03), None))
    for size in (0.004, 0.008, 0.012, 0.02):  # the one-point floor, with tight seeds
        for sign in (1, -1):
            cases.append((3, None, 1e-5, sign * size))
    for n, m, spread, size in cases:
        rows = []
        base = {split: rng.uniform(0.05, 0.15) for split in ("train", "test")}
        a = {s: rng.normal(size=n) for s in ("train", "test")}
        b = {s: rng.normal(size=n) for s in ("train", "test")}
        for s in ("train", "test"):
            a[s] = base[s] + spread * (a[s] - a[s].mean()) / a[s].std(ddof=1)
            b[s] = base[s] + spread * (b[s] - b[s].mean()) / b[s].std(ddof=1)
            se = math.hypot(a[s].std(ddof=1), b[s].std(ddof=1)) / math.sqrt(n)
            change = m * se if size is None else size
            # the train split moves the other way, so both trends are exercised
            b[s] = b[s] + (change if s == "test" else -change / 2)
        # two layers: far from both, so that a reading of the wrong rows shows
        c = {s: b[s] + rng.choice([-1, 1]) * rng.uniform(0.02, 0.05) for s in ("train", "test")}
        for L, vals in ((1, a), (2, c), (3, b)):
            for k in range(n):
                rows.append(
                    {
                        "layers": L,
                        "seed": k,
                        "train_error": float(vals["train"][k]),
                        "test_error": float(vals["test"][k]),
                    }
                )
        yield rows
    # A change of exactly one point, with no spread at all: it counts (the floor is strict).
    yield [
        {"layers": L, "seed": k, "train_error": 0.0, "test_error": 0.01 if L == 3 else 0.0}
        for L in (1, 2, 3)
        for k in range(4)
    ]


def _describe_change(rows, split):
    one = estimate([r[f"{split}_error"] for r in rows if r["layers"] == 1])
    three = estimate([r[f"{split}_error"] for r in rows if r["layers"] == 3])
    one, three = fmt(one, percent=True, digits=2), fmt(three, percent=True, digits=2)
    return f"{one} with one hidden layer to {three} with three"


class FindingExercise(Exercise):
    """What depth does, judged with standard errors: a statement or a function.

    ``check({"rows": rows, "train": ..., "test": ...})`` checks a statement against the
    errors the checker recomputes from the networks in the reader's depth table;
    ``check(finding)`` runs a function ``finding(rows) -> {"train": ..., "test": ...}`` on
    seeded tables next to the reference.
    """

    answer_is_function = True  # as a function of a table; ``make mutants`` mutates it

    def solution(self):
        code = get_source(_sol._trend) + "\n\n" + get_source(self.reference)
        return Source(code, self.reference.__qualname__)

    def _check_function(self, finding, strict):
        n = 0
        for rows in _finding_cases():
            n += 1
            try:
                got = finding([dict(r) for r in rows])
            except NotImplementedError as exc:
                if n == 1:
                    return self._not_attempted(
                        "replace `raise NotImplementedError` with your code", n, strict
                    )
                return self._result(
                    "error", _describe_exception("`finding(rows)`", "a depth table", exc), n, strict
                )
            except Exception as exc:
                return self._result(
                    "error", _describe_exception("`finding(rows)`", "a depth table", exc), n, strict
                )
            want = self.reference(rows)
            if not isinstance(got, dict) or set(got) != {"train", "test"}:
                return self._result(
                    "failed",
                    f"return a dict with the keys 'train' and 'test', got {type(got).__name__}"
                    + (f" with keys {sorted(got)}" if isinstance(got, dict) else ""),
                    n,
                    strict,
                )
            for split in ("train", "test"):
                if got[split] not in TRENDS:
                    return self._result(
                        "failed",
                        f"say {' / '.join(map(repr, TRENDS))}, got {got[split]!r}",
                        n,
                        strict,
                    )
                if got[split] != want[split]:
                    return self._result(
                        "failed",
                        f"for a table whose {split} error goes from {_describe_change(rows, split)}, "
                        f"your function says {got[split]!r}: a change counts only when it exceeds two "
                        "standard errors of the difference and one percentage point",
                        n,
                        strict,
                    )
        return self._result(
            "passed", f"all {n} seeded tables read as the reference reads them.", n, strict
        )

    def check(self, answer, *, strict: bool = False):
        if answer is None or answer is Ellipsis:
            return self._not_attempted(
                "fill in the dict with your table and your two trends", 0, strict
            )
        if callable(answer):
            return self._check_function(answer, strict)
        if not isinstance(answer, dict) or not {"rows", "train", "test"} <= set(answer):
            got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
            return self._result(
                "failed",
                "the answer should be a dict with the keys 'rows' (your depth table), 'train' "
                f"and 'test' (or a function of a table), got {got}",
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
            problem, checked = depth_sweep.recompute(answer["rows"], answer.get("n_train", N_TRAIN))
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            return self._result(
                "failed",
                "first make your table pass `ch04.depth_sweep.check`: " + problem,
                1,
                strict,
            )
        true = self.reference(checked)
        for split in ("train", "test"):
            if said[split] != true[split]:
                return self._result(
                    "failed",
                    f"your own networks take the {split} error from {_describe_change(checked, split)}, "
                    f"which is not {said[split]!r}: a change counts only when it exceeds two "
                    "standard errors of the difference (and one percentage point); within that it is 'flat'",
                    1,
                    strict,
                )
        return self._result(
            "passed",
            f"your networks agree: from one to three hidden layers the train error is "
            f"{true['train']} and the test error {true['test']}.",
            1,
            strict,
        )


depth_finding = FindingExercise(
    "depth_finding",
    reference=_sol.depth_finding,
    chapter="ch04",
    prompt=(
        "From your depth table, what happens between 1 and 3 hidden layers? Answer "
        "`{'rows': rows, 'train': ..., 'test': ...}` with 'falls', 'flat' or 'rises' for each "
        "error: a change counts when it exceeds two standard errors over the seeds (and one "
        "percentage point); within that it is 'flat'. (Or pass a function that reads any table.)"
    ),
    hints=[
        "Print `lazynb.experiments.table(ch04.summarize(rows, 'layers'), percent=True)` and compare "
        "the first and the last row, once for each split.",
        "The standard error of a difference of two means is `sqrt(se1**2 + se3**2)`; a train "
        "error of 0 for every seed at both depths is 'flat'.",
    ],
)
