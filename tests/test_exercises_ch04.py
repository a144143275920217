"""Chapter 4's exercises.

References pass, stubs are not attempted, crashes are errors, typical mistakes fail, and
fabricated answers (a step that returns nothing, tables copied from the labels or made up,
rows relabelled, a finding the networks do not show) fail with a message that says why.
"""

import math

import keras
import numpy as np
import pytest

from lazynb.exercises import ch04
from lazynb.exercises.solutions import ch04 as sol

from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
)

tf = ch04.tf

# --------------------------------------------------------------------- train_step


def test_train_step_reference_passes():
    check_reference_passes(ch04.train_step, "ch04")
    check_solution_shows_def(ch04.train_step)
    check_hints(ch04.train_step, "ch04")


def test_train_step_stub_and_error():
    check_stub_not_attempted(ch04.train_step, "ch04")
    check_raising_is_error(ch04.train_step, leak_texts=())  # no generated cases to leak


def _step(params, X, T, lr, *, biases=True, reduce=tf.reduce_mean, rebind=False, ret="before"):
    W1, b1, W2, b2 = params

    def loss():
        Z = tf.nn.relu(tf.matmul(X, W1) + b1)
        logits = tf.matmul(Z, W2) + b2
        return tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits)

    with tf.GradientTape() as tape:
        J = reduce(loss())
    grads = tape.gradient(J, params)
    for v, g in zip(params, grads):
        if rebind:
            v = v - lr * g
        elif biases or v.shape.rank == 2:
            v.assign_sub(lr * g)
    return {
        "before": J,
        "none": None,
        "after": tf.reduce_mean(loss()),
        "per_sample": loss(),
        "text": "the loss",
    }[ret]


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(biases=False), "biases b1 and b2 did not change"),
        (dict(reduce=tf.reduce_sum), "N times too large"),
        (dict(rebind=True), "none of the variables changed"),
        (dict(ret="none"), "returned None"),
        (dict(ret="after"), "not the mean softmax cross-entropy before the step"),
        (dict(ret="per_sample"), "a single number"),
        (dict(ret="text"), "as a number"),
    ],
)
def test_train_step_typical_mistakes(kwargs, fragment):
    result = ch04.train_step.check(lambda p, X, T, lr: _step(p, X, T, lr, **kwargs))
    assert result.status == "failed" and fragment in result.message, result


def test_train_step_wrong_activation():
    def sigmoid_step(params, X, T, lr):
        W1, b1, W2, b2 = params
        with tf.GradientTape() as tape:
            logits = tf.matmul(tf.sigmoid(tf.matmul(X, W1) + b1), W2) + b2
            J = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits))
        for v, g in zip(params, tape.gradient(J, params)):
            v.assign_sub(lr * g)
        return J

    result = ch04.train_step.check(sigmoid_step)
    assert result.status == "failed" and "differs from the expected value" in result.message


# --------------------------------------------------------------------- the builders

SWEEPS = [ch04.hidden_unit_sweep, ch04.depth_sweep]


def _net(hidden, *, act="relu", out_act=None, out=10, extra=None, init="glorot_uniform"):
    layers = [keras.Input(shape=(784,))]
    layers += [keras.layers.Dense(h, activation=act, kernel_initializer=init) for h in hidden]
    layers += extra or []
    layers.append(keras.layers.Dense(out, activation=out_act, kernel_initializer=init))
    return keras.Sequential(layers)


@pytest.mark.parametrize("ex", SWEEPS, ids=lambda e: e.name)
def test_builder_reference_passes(ex):
    result = check_reference_passes(ex, "ch04")
    assert "right layers" in result.message
    code = check_solution_shows_def(ex)
    assert "def sweep(" in code  # the training that fills the table is shown too
    check_hints(ex, "ch04")


@pytest.mark.parametrize("ex", SWEEPS, ids=lambda e: e.name)
def test_builder_stub_and_error(ex):
    check_stub_not_attempted(ex, "ch04")
    check_raising_is_error(ex, leak_texts=())
    assert ex.check(None).status == "not attempted"
    assert "builder itself" in ex.check(np.zeros(3)).message


WIDE_MISTAKES = [
    (lambda m: _net([m], act="sigmoid"), "uses 'sigmoid'; the sweep's networks use 'relu'"),
    (lambda m: _net([m], out_act="softmax"), "give logits (no activation)"),
    (lambda m: _net([m, m]), "should have 1 hidden layer(s) of"),
    (lambda m: _net([]), "it has 0 (sizes: none)"),
    (lambda m: _net([500]), "has 500 units, the sweep asks for"),
    (lambda m: _net([m], out=9), "10 outputs per image"),
    (lambda m: _net([m], extra=[keras.layers.Dropout(0.5)]), "has a Dropout layer"),
    (lambda m: _net([m], init="zeros"), "still gets"),
    (lambda m: "a model", "should be a Keras model"),
    (
        lambda m: keras.Sequential(
            [
                keras.Input(shape=(785,)),
                keras.layers.Dense(m, activation="relu"),
                keras.layers.Dense(10),
            ]
        ),
        "takes inputs of shape (785,)",
    ),
]


@pytest.mark.parametrize("build, fragment", WIDE_MISTAKES, ids=[f for _, f in WIDE_MISTAKES])
def test_wide_builder_wrong_architecture_fails(build, fragment):
    result = ch04.hidden_unit_sweep.check(build)
    assert result.status == "failed" and fragment in result.message, result


DEEP_MISTAKES = [
    (lambda L: _net([128] * (L - 1)), "should have 1 hidden layer(s) of 128 ReLU units"),
    (lambda L: _net([128] * L, act="tanh"), "uses 'tanh'"),
    (lambda L: _net([500] * L), "has 500 units, the sweep asks for 128"),
    (lambda L: _net([128] * (L + 1)), "should have 1 hidden layer(s)"),
]


@pytest.mark.parametrize("build, fragment", DEEP_MISTAKES, ids=[f for _, f in DEEP_MISTAKES])
def test_deep_builder_wrong_architecture_fails(build, fragment):
    result = ch04.depth_sweep.check(build)
    assert result.status == "failed" and fragment in result.message, result


def test_builder_must_make_a_new_model_per_call():
    memo = {}
    result = ch04.depth_sweep.check(lambda L: memo.setdefault(L, _net([128] * L)))
    assert result.status == "failed" and "same model twice" in result.message
    shared = {}
    result = ch04.hidden_unit_sweep.check(lambda m: shared.setdefault(m, _net([m])))
    assert result.status == "failed" and "same model twice" in result.message


def test_builder_without_an_input_layer_is_built_by_the_checker():
    def build(units):
        return keras.Sequential(
            [keras.layers.Dense(units, activation="relu"), keras.layers.Dense(10)]
        )

    assert ch04.hidden_unit_sweep.check(build).status == "passed"


# --------------------------------------------------------------------- the tables
# Small trained tables (300 images, 40 epochs: every network fits its training set).

N_SMALL = 300


@pytest.fixture(scope="module")
def width_rows():
    return ch04.sweep(sol.hidden_unit_sweep, "units", ch04.WIDTHS, n_train=N_SMALL, epochs=40)


@pytest.fixture(scope="module")
def depth_rows():
    return ch04.sweep(sol.depth_sweep, "layers", ch04.DEPTHS, n_train=N_SMALL, epochs=40)


def _answer(ex, rows, **changes):
    rows = [dict(r) for r in rows]
    for i, change in changes.items():
        rows[int(i[1:])].update(change)
    return {"build": ex.reference, "rows": rows, "n_train": N_SMALL}


@pytest.mark.slow
def test_reference_tables_pass(width_rows, depth_rows):
    for ex, rows in ((ch04.hidden_unit_sweep, width_rows), (ch04.depth_sweep, depth_rows)):
        result = ex.check(_answer(ex, rows), strict=True)
        assert "every error in your table is what its network gives" in result.message
    answer = _answer(ch04.hidden_unit_sweep, width_rows)
    answer["rows"] = None
    assert ch04.hidden_unit_sweep.check(answer).status == "not attempted"


@pytest.mark.slow
def test_a_table_copied_from_the_labels_fails(width_rows):
    ex = ch04.hidden_unit_sweep
    ytr, yte = ch04.sweep_data(N_SMALL)[1], ch04.sweep_data(N_SMALL)[3]
    copied = [
        {"units": m, "train_pred": ytr, "test_pred": yte, "train_error": 0.0, "test_error": 0.0}
        for m in ch04.WIDTHS
    ]
    result = ex.check({"build": ex.reference, "rows": copied, "n_train": N_SMALL})
    assert result.status == "failed" and "needs it under 'model'" in result.message

    class Oracle:  # a "network" that looks up the true labels
        def __call__(self, X, training=False):
            return np.eye(10)[ytr if len(X) == len(ytr) else yte]

    rows = [dict(r, model=Oracle(), train_error=0.0, test_error=0.0) for r in width_rows]
    result = ex.check({"build": ex.reference, "rows": rows, "n_train": N_SMALL})
    assert result.status == "failed" and "should be a Keras model" in result.message


@pytest.mark.slow
def test_a_made_up_table_fails(width_rows):
    ex = ch04.hidden_unit_sweep
    result = ex.check(_answer(ex, width_rows, r0={"test_error": 0.031}))
    assert result.status == "failed"
    assert "units=32, seed 0: its test_error, 3.10%, is not the error of its network" in (
        result.message
    )
    true = width_rows[2]["train_error"]
    result = ex.check(_answer(ex, width_rows, r2={"train_error": 1 - true}))
    assert result.status == "failed" and "accuracy" in result.message
    r = width_rows[4]
    swapped = {"train_error": r["test_error"], "test_error": r["train_error"]}
    result = ex.check(_answer(ex, width_rows, r4=swapped))
    assert result.status == "failed" and "other set" in result.message


@pytest.mark.slow
def test_relabelled_rows_fail(width_rows, depth_rows):
    # the depth networks passed off as the width sweep
    relabelled = [
        {"units": ch04.WIDTHS[r["layers"] - 1], **{k: v for k, v in r.items() if k != "layers"}}
        for r in depth_rows
    ]
    ex = ch04.hidden_unit_sweep
    result = ex.check({"build": ex.reference, "rows": relabelled, "n_train": N_SMALL})
    assert result.status == "failed" and "network of another row" in result.message
    # two widths swapped
    rows = [dict(r) for r in width_rows]
    rows[0]["units"], rows[6]["units"] = rows[6]["units"], rows[0]["units"]  # seed 0 of 32, 512
    result = ex.check({"build": ex.reference, "rows": rows, "n_train": N_SMALL})
    assert result.status == "failed" and "network of another row" in result.message


@pytest.mark.slow
def test_table_form_mistakes_fail(width_rows):
    ex = ch04.hidden_unit_sweep

    def message(rows):
        return ex.check({"build": ex.reference, "rows": rows, "n_train": N_SMALL}).message

    assert "should cover units" in message([r for r in width_rows if r["units"] != 512])
    assert "at least 3 different seeds" in message([r for r in width_rows if r["seed"] != 2])
    assert "same seeds" in message([r for r in width_rows if (r["units"], r["seed"]) != (128, 1)])
    shared = [dict(r, model=width_rows[0]["model"]) if r["units"] == 32 else r for r in width_rows]
    assert "share a network" in message(shared)
    assert "non-empty list" in message("my table")
    assert "keys" in ex.check({"rows": width_rows}).message


@pytest.mark.slow
def test_an_untrained_network_fails(depth_rows):
    ex = ch04.depth_sweep
    rows = [dict(r) for r in depth_rows]
    for r in rows[:3]:  # one hidden layer: fresh, untrained networks
        keras.utils.set_random_seed(r["seed"])
        r["model"] = sol.depth_sweep(1)
        r["train_error"], r["test_error"] = ch04.errors(r["model"], N_SMALL)
    result = ex.check({"build": ex.reference, "rows": rows, "n_train": N_SMALL})
    assert result.status == "failed" and "train every network until it fits" in result.message


# --------------------------------------------------------------------- the finding


def test_finding_function_reference_passes():
    check_reference_passes(ch04.depth_finding, "ch04")
    code = check_solution_shows_def(ch04.depth_finding)
    assert "def _trend(" in code
    check_hints(ch04.depth_finding, "ch04")


def _trend_variant(k=2.0, least=0.01, ddof=1, means_only=False):
    def trend(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        se = math.hypot(np.std(a, ddof=ddof), np.std(b, ddof=ddof)) / math.sqrt(len(a))
        change = b.mean() - a.mean()
        if means_only:
            return "flat" if change == 0 else ("falls" if change < 0 else "rises")
        if abs(change) <= k * se or abs(change) < least:
            return "flat"
        return "falls" if change < 0 else "rises"

    def finding(rows):
        out = {}
        for split in ("train", "test"):
            one = [r[f"{split}_error"] for r in rows if r["layers"] == 1]
            three = [r[f"{split}_error"] for r in rows if r["layers"] == 3]
            out[split] = trend(one, three)
        return out

    return finding


@pytest.mark.parametrize(
    "variant",
    [
        dict(k=1.0),
        dict(k=3.0),
        dict(least=0.005),
        dict(least=0.02),
        dict(ddof=0),
        dict(means_only=True),
    ],
    ids=str,
)
def test_finding_functions_that_read_differently_fail(variant):
    assert _trend_variant()(list(ch04._finding_cases())[0]) is not None
    assert ch04.depth_finding.check(_trend_variant()).status == "passed"
    result = ch04.depth_finding.check(_trend_variant(**variant))
    assert result.status == "failed" and "your function says" in result.message, result


def test_finding_function_form_mistakes():
    check_stub_not_attempted(ch04.depth_finding, "ch04")
    check_raising_is_error(ch04.depth_finding, leak_texts=())
    res = ch04.depth_finding.check(lambda rows: ("flat", "flat"))
    assert res.status == "failed" and "keys 'train' and 'test'" in res.message
    res = ch04.depth_finding.check(lambda rows: {"train": "down", "test": "flat"})
    assert res.status == "failed" and "'falls' / 'flat' / 'rises'" in res.message


@pytest.mark.slow
def test_finding_statement_is_judged_on_the_readers_networks(depth_rows):
    answer = {"rows": depth_rows, "n_train": N_SMALL}
    found = sol.depth_finding([{k: v for k, v in r.items() if k != "model"} for r in depth_rows])
    res = ch04.depth_finding.check({**answer, **found}, strict=True)
    assert "your networks agree" in res.message
    made_up = "rises" if found["test"] != "rises" else "falls"
    res = ch04.depth_finding.check({**answer, "train": found["train"], "test": made_up})
    assert res.status == "failed"
    assert "your own networks take the test error from" in res.message
    assert f"which is not {made_up!r}" in res.message
    # a statement about a table with made-up errors is not judged on those errors
    rows = [dict(r) for r in depth_rows]
    rows[-1]["test_error"] = 0.5
    res = ch04.depth_finding.check({"rows": rows, "n_train": N_SMALL, **found})
    assert res.status == "failed" and "depth_sweep.check" in res.message


def test_finding_statement_form():
    assert ch04.depth_finding.check(None).status == "not attempted"
    res = ch04.depth_finding.check({"rows": None, "train": ..., "test": ...})
    assert res.status == "not attempted"
    assert "keys 'rows'" in ch04.depth_finding.check({"train": "falls"}).message
    assert "keys 'rows'" in ch04.depth_finding.check(["falls", "flat"]).message
    res = ch04.depth_finding.check({"rows": [], "train": "down", "test": "flat"})
    assert "'falls' / 'flat' / 'rises'" in res.message
    res = ch04.depth_finding.check({"rows": "my table", "train": "falls", "test": "flat"})
    assert res.status == "failed" and "depth_sweep.check" in res.message


def test_trend_reads_standard_errors_and_the_floor():
    assert sol._trend([0.08, 0.09, 0.085], [0.06, 0.065, 0.062]) == "falls"
    assert sol._trend([0.08, 0.10, 0.09], [0.095, 0.115, 0.105]) == "flat"  # 1.5 points, 1.8 se
    assert sol._trend([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]) == "flat"
    assert sol._trend([0.070, 0.071, 0.072], [0.078, 0.079, 0.080]) == "flat"  # under 1 point
    assert sol._trend([0.07, 0.071, 0.072], [0.09, 0.091, 0.092]) == "rises"


# --------------------------------------------------------------------- the helpers


def test_sweep_data_checks_its_size():
    Xs, ys, Xt, yt = ch04.sweep_data(300)
    assert Xs.shape == (300, 784) and ys.shape == (300,) and len(Xt) == len(yt)
    with pytest.raises(TypeError, match="whole number"):
        ch04.sweep_data(2000.0)
    with pytest.raises(ValueError, match="at least 1"):
        ch04.sweep_data(0)
    with pytest.raises(ValueError, match="training images are available"):
        ch04.sweep_data(10**7)


def test_fit_trains_in_place_and_checks_its_inputs():
    X, y = ch04.sweep_data(300)[:2]
    keras.utils.set_random_seed(0)
    model = sol.hidden_unit_sweep(32)
    before = ch04.errors(model, 300)[0]
    assert ch04.fit(model, X, y, epochs=5) is model
    assert ch04.errors(model, 300)[0] < before / 2
    with pytest.raises(TypeError, match="Keras model"):
        ch04.fit("net", X, y)
    with pytest.raises(ValueError, match="labels"):
        ch04.fit(model, X, y[:10])
    with pytest.raises(ValueError, match="larger than"):
        ch04.fit(model, X[:50], y[:50], batch_size=100)
    with pytest.raises(ValueError, match="epochs"):
        ch04.fit(model, X, y, epochs=0)
    with pytest.raises(TypeError, match="function of the units"):
        ch04.sweep(None, "units", (32,))
    with pytest.raises(ValueError, match="2 distinct"):
        ch04.sweep(sol.hidden_unit_sweep, "units", (32,), seeds=(0,))


def test_summarize_gives_mean_and_se_per_setting():
    rows = [
        {"layers": L, "seed": s, "train_error": 0.0, "test_error": 0.05 + 0.01 * L + 0.001 * s}
        for L in (2, 1)
        for s in (0, 1, 2)
    ]
    summary = ch04.summarize(rows, "layers")
    assert list(summary) == [1, 2]
    assert summary[1]["test error"].mean == pytest.approx(0.061)
    assert summary[2]["train error"].se == 0
    with pytest.raises(TypeError, match="list of dicts"):
        ch04.summarize("rows", "layers")
