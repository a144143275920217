"""Chapter 4's exercises.

References pass, stubs are not attempted, crashes are errors, typical mistakes fail.
"""

import numpy as np
import pytest

from lazynb.exercises import ch04

from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
)

tf = ch04.tf


def test_train_step_reference_passes():
    check_reference_passes(ch04.train_step, "ch04")


def test_train_step_stub_and_error():
    check_stub_not_attempted(ch04.train_step, "ch04")
    check_raising_is_error(ch04.train_step, leak_texts=())  # no generated cases to leak


def _step(params, X, T, lr, *, biases=True, reduce=tf.reduce_mean, rebind=False):
    W1, b1, W2, b2 = params
    with tf.GradientTape() as tape:
        Z = tf.nn.relu(tf.matmul(X, W1) + b1)
        logits = tf.matmul(Z, W2) + b2
        J = reduce(tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits))
    grads = tape.gradient(J, params)
    for v, g in zip(params, grads):
        if rebind:
            v = v - lr * g
        elif biases or v.shape.rank == 2:
            v.assign_sub(lr * g)
    return J


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(biases=False), "biases b1 and b2 did not change"),
        (dict(reduce=tf.reduce_sum), "N times too large"),
        (dict(rebind=True), "none of the variables changed"),
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

    result = ch04.train_step.check(sigmoid_step)
    assert result.status == "failed" and "differs from the expected value" in result.message


# --- the sweeps: checked on a fake table built from the true labels (no training needed)


def _table(ex, key_values, train_err=0.1, test_err=0.2, seed=0):
    ytr, yte = ex.labels()
    rng = np.random.default_rng(seed)
    rows = []
    for k in key_values:
        p_tr, p_te = ytr.astype(np.int64).copy(), yte.astype(np.int64).copy()
        for p, e in ((p_tr, train_err), (p_te, test_err)):
            idx = rng.choice(len(p), int(e * len(p)), replace=False)
            p[idx] = (p[idx] + 1) % 10
        rows.append(
            {
                ex.key: k,
                "train_pred": p_tr,
                "test_pred": p_te,
                "train_error": float(np.mean(p_tr != ytr)),
                "test_error": float(np.mean(p_te != yte)),
            }
        )
    return rows


SWEEPS = [ch04.hidden_unit_sweep, ch04.depth_sweep]


@pytest.mark.parametrize("ex", SWEEPS, ids=lambda e: e.name)
def test_sweep_consistent_table_passes(ex):
    assert ex.check(_table(ex, ex.values), strict=True).status == "passed"
    check_solution_shows_def(ex)
    check_hints(ex, "ch04")


@pytest.mark.parametrize("ex", SWEEPS, ids=lambda e: e.name)
def test_sweep_stub_is_not_attempted(ex):
    assert ex.check(None).status == "not attempted"


@pytest.mark.parametrize("ex", SWEEPS, ids=lambda e: e.name)
def test_sweep_typical_mistakes(ex):
    rows = _table(ex, ex.values[:-1])
    assert "should cover" in ex.check(rows).message
    rows = _table(ex, ex.values)
    rows[0]["train_error"] = 1 - rows[0]["train_error"]
    assert "accuracy" in ex.check(rows).message
    rows = _table(ex, ex.values)
    rows[-1]["train_error"], rows[-1]["test_error"] = (
        rows[-1]["test_error"],
        rows[-1]["train_error"],
    )
    assert ex.check(rows).status == "failed"
    rows = _table(ex, ex.values)
    rows[0]["test_pred"] = rows[0]["test_pred"].astype(float)
    assert "integer labels" in ex.check(rows).message
    assert ex.check(_table(ex, ex.values, train_err=0.9)).status == "failed"


def test_hidden_unit_sweep_reference_runs_and_passes():
    rows = ch04.hidden_unit_sweep.reference(epochs=1)
    assert ch04.hidden_unit_sweep.check(rows, strict=True).status == "passed"


# --- the finding on depth: judged against the reader's own table


def _depth_table(train=(0.05, 0.02, 0.01), test=(0.09, 0.08, 0.09)):
    rows = []
    for L, e_tr, e_te in zip((1, 2, 3), train, test):
        rows.append(_table(ch04.depth_sweep, [L], train_err=e_tr, test_err=e_te, seed=L)[0])
    return rows


def test_depth_finding_reference_agrees_with_the_table():
    rows = _depth_table()
    found = ch04.depth_finding.reference(rows)
    assert found == {"train": "falls", "test": "flat"}
    res = ch04.depth_finding.check({"rows": rows, **found}, strict=True)
    assert res.status == "passed" and "falls" in res.message
    rising = _depth_table(train=(0.05, 0.05, 0.05), test=(0.08, 0.09, 0.10))
    assert ch04.depth_finding.reference(rising) == {"train": "flat", "test": "rises"}
    check_solution_shows_def(ch04.depth_finding)
    check_hints(ch04.depth_finding, "ch04")


def test_depth_finding_wrong_statements_fail_with_the_readers_numbers():
    rows = _depth_table()
    res = ch04.depth_finding.check({"rows": rows, "train": "rises", "test": "flat"})
    assert res.status == "failed" and "train error going from 5.0% " in res.message
    res = ch04.depth_finding.check({"rows": rows, "train": "falls", "test": "falls"})
    assert res.status == "failed" and "test error" in res.message and "'flat'" in res.message
    res = ch04.depth_finding.check({"rows": rows, "train": "down", "test": "flat"})
    assert "'falls' / 'flat' / 'rises'" in res.message


def test_depth_finding_needs_a_consistent_table_and_the_right_form():
    assert ch04.depth_finding.check(None).status == "not attempted"
    rows = _depth_table()
    assert (
        ch04.depth_finding.check({"rows": rows, "train": ..., "test": ...}).status
        == "not attempted"
    )
    assert "keys 'rows'" in ch04.depth_finding.check({"train": "falls"}).message
    assert "keys 'rows'" in ch04.depth_finding.check(["falls", "flat"]).message
    rows[2]["test_error"] = 0.5  # no longer what its predictions give
    res = ch04.depth_finding.check({"rows": rows, "train": "falls", "test": "rises"})
    assert res.status == "failed" and "depth_sweep.check" in res.message
    res = ch04.depth_finding.check({"rows": "my table", "train": "falls", "test": "flat"})
    assert res.status == "failed" and "list of dicts" in res.message


def test_sweep_data_checks_its_size():
    Xs, ys, Xt, yt = ch04.sweep_data(300)
    assert Xs.shape == (300, 784) and ys.shape == (300,) and len(Xt) == len(yt)
    with pytest.raises(TypeError, match="whole number"):
        ch04.sweep_data(2000.0)
    with pytest.raises(ValueError, match="at least 1"):
        ch04.sweep_data(0)
    with pytest.raises(ValueError, match="training images are available"):
        ch04.sweep_data(10**7)


def test_a_table_from_another_training_size_is_checked_against_its_own_labels():
    ex = ch04.hidden_unit_sweep
    ytr, yte = ex.labels(300)
    rows = [
        {
            "units": m,
            "train_pred": ytr.astype(np.int64),
            "test_pred": yte.astype(np.int64),
            "train_error": 0.0,
            "test_error": 0.0,
        }
        for m in ex.values
    ]
    assert ex.check(rows, strict=True).status == "passed"
    wrong = ytr.astype(np.int64).copy()
    wrong[:30] = (wrong[:30] + 1) % 10  # 10 % wrong, but the row still says 0.0
    rows[0]["train_pred"] = wrong
    assert "does not match" in ex.check(rows).message
