"""lazynb.regularizers: penalties and their gradients, L1 sparsity, early stopping, noise, dropout."""

import math

import numpy as np
import pytest

from lazynb.data import make_spiral, make_xor, one_hot
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.mlp import MLP, backward, forward, init_params, loss
from lazynb.optimizers import SGD, Adam, Momentum
from lazynb.regularizers import (
    EarlyStopping,
    Penalized,
    dropout_backward,
    dropout_forward,
    dropout_predict,
    elastic_grad,
    elastic_penalty,
    gaussian_noise,
    l1_grad,
    l1_penalty,
    l1_proximal_step,
    l2_grad,
    l2_penalty,
    soft_threshold,
    tf_dropout_keep,
)


def _layers(dtype=np.float64):
    return [
        {"W": np.array([[1.0, -2.0], [0.0, 3.0]], dtype), "b": np.array([5.0, -5.0], dtype)},
        {"W": np.array([[-1.0], [0.5]], dtype), "b": np.array([7.0], dtype)},
    ]


# ------------------------------------------------------------------ penalties


def test_penalties_count_weights_only():
    params = _layers()
    assert l1_penalty(params, 0.1) == pytest.approx(0.1 * (1 + 2 + 0 + 3 + 1 + 0.5))
    assert l2_penalty(params, 0.1) == pytest.approx(0.1 * (1 + 4 + 0 + 9 + 1 + 0.25))
    assert elastic_penalty(params, 0.1, 0.2) == pytest.approx(
        l1_penalty(params, 0.1) + l2_penalty(params, 0.2)
    )
    assert l2_penalty(np.array([3.0, 4.0]), 1.0) == 25.0  # one array: all of it is weights
    assert l1_penalty(params, 0) == 0.0


def test_penalty_gradients_have_the_params_structure_with_zero_biases():
    params = _layers(np.float32)
    g1, g2, ge = l1_grad(params, 0.5), l2_grad(params, 0.5), elastic_grad(params, 0.5, 0.5)
    for g in (g1, g2, ge):
        assert [sorted(layer) for layer in g] == [["W", "b"], ["W", "b"]]
        assert all(layer["b"].dtype == np.float32 and not layer["b"].any() for layer in g)
        assert g[0]["W"].dtype == np.float32
    np.testing.assert_array_equal(g1[0]["W"], [[0.5, -0.5], [0.0, 0.5]])  # 0 at W = 0
    np.testing.assert_array_equal(g2[0]["W"], params[0]["W"])  # 2 * 0.5 * W
    np.testing.assert_allclose(ge[1]["W"], g1[1]["W"] + g2[1]["W"])


@pytest.mark.parametrize("penalty, grad", [(l1_penalty, l1_grad), (l2_penalty, l2_grad)])
def test_penalty_gradients_pass_a_gradient_check(penalty, grad):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4, 3))
    W += np.sign(W) * 0.1  # keep away from 0, where |w| has no derivative
    num = numerical_gradient(lambda w: penalty(w, 0.3), W)
    assert relative_error(grad(W, 0.3), num) < 1e-6


def test_regularised_mlp_loss_gradient_is_backward_plus_penalty_gradient():
    """lazynb.mlp.loss takes no regulariser, so check J + penalty against backward + penalty grad."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((7, 3))
    T = one_hot(rng.integers(0, 2, 7), 2, dtype=np.float64)
    params = init_params([3, 5, 2], activation="tanh", seed=2, dtype=np.float64)
    for layer in params:
        layer["b"] += rng.standard_normal(layer["b"].shape)
        layer["W"] += np.sign(layer["W"]) * 0.05  # away from the kink of |w|
    l1, l2 = 0.01, 0.03

    def J():
        return loss(params, X, T, activation="tanh") + elastic_penalty(params, l1, l2)

    _, cache = forward(params, X, activation="tanh")
    data_grads = backward(params, cache, T, activation="tanh")
    extra = elastic_grad(params, l1, l2)
    for i, layer in enumerate(params):
        for k, arr in layer.items():
            num = numerical_gradient(lambda _: J(), arr)
            err = relative_error(data_grads[i][k] + extra[i][k], num)
            assert err < 1e-6, (i, k, err)


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: l1_penalty(_layers(), -0.1), ValueError),
        (lambda: l2_penalty(_layers(), float("nan")), ValueError),
        (lambda: l2_penalty(_layers(), "0.1"), TypeError),
        (lambda: l1_penalty([{"b": np.zeros(2)}], 0.1), TypeError),
        (lambda: l1_penalty({"W": np.zeros(2)}, 0.1), TypeError),
        (lambda: l1_penalty([], 0.1), ValueError),
        (lambda: l2_grad(np.array([1.0, np.nan]), 0.1), ValueError),
        (lambda: soft_threshold(np.ones(2), -1), ValueError),
        (lambda: l1_proximal_step([1.0, 2.0], 0.1, 0.1), TypeError),
        (lambda: l1_proximal_step(np.ones(2), 0, 0.1), ValueError),
        (lambda: Penalized(lambda p, g, s: None, l2=0.1), TypeError),
        (lambda: Penalized(SGD(0.1), l1=-1), ValueError),
    ],
)
def test_penalty_functions_reject_bad_input(call, exc):
    with pytest.raises(exc):
        call()


# ------------------------------------------------------------------ L1 sparsity versus L2 shrinkage


def test_soft_threshold_and_the_proximal_step():
    np.testing.assert_array_equal(
        soft_threshold([-3.0, -0.5, 0.0, 0.2, 2.0], 1.0), [-2.0, 0.0, 0.0, 0.0, 1.0]
    )
    params = _layers()
    l1_proximal_step(params, lr=0.5, lam=2.0)  # threshold 1
    np.testing.assert_array_equal(params[0]["W"], [[0.0, -1.0], [0.0, 2.0]])
    np.testing.assert_array_equal(params[1]["W"], [[0.0], [0.0]])
    np.testing.assert_array_equal(params[0]["b"], [5.0, -5.0])  # biases untouched


def _sparse_regression():
    """y = X w* + noise with only 3 of 20 features relevant."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 20))
    w_true = np.zeros(20)
    w_true[:3] = [2.0, -3.0, 1.5]
    y = X @ w_true + 0.1 * rng.standard_normal(200)
    return X, y


def _train_linear(kind, lam, steps=400, lr=0.1):
    """Gradient descent on (1/2N)|Xw - y|^2 with an L1 (proximal or subgradient) or L2 penalty."""
    X, y = _sparse_regression()
    w = np.zeros(20)
    opt = SGD(lr)
    for _ in range(steps):
        g = X.T @ (X @ w - y) / len(y)
        if kind == "l2":
            g = g + l2_grad(w, lam)
        elif kind == "l1-subgradient":
            g = g + l1_grad(w, lam)
        opt.step(w, g)
        if kind == "l1-proximal":
            l1_proximal_step(w, lr, lam)
    return w


def test_l1_proximal_gives_exact_zeros_while_l2_only_shrinks():
    plain = _train_linear("none", 0.0)
    l1 = _train_linear("l1-proximal", 0.1)
    l2 = _train_linear("l2", 0.1)
    sub = _train_linear("l1-subgradient", 0.1)
    # L1 with the proximal (soft-threshold) step: the 17 irrelevant weights are exactly 0,
    # the relevant three survive.
    assert np.count_nonzero(l1[3:]) == 0 and np.all(l1[:3] != 0)
    # L2 shrinks every weight but zeroes none.
    assert np.count_nonzero(l2) == 20
    assert np.linalg.norm(l2) < np.linalg.norm(plain)
    # Plain subgradient steps on L1 make the irrelevant weights small, but each step of size
    # lr * lam = 0.01 overshoots 0, so they jitter around it instead of landing on it.
    assert np.count_nonzero(sub[3:]) > 10 and np.max(np.abs(sub[3:])) < 2 * 0.1 * 0.1


def test_penalized_hook_on_the_mlp_l1_zeroes_weights_of_useless_inputs():
    X, y = make_xor(200, seed=0)
    rng = np.random.default_rng(0)
    X = np.hstack([X, rng.standard_normal((200, 8))])  # 8 useless features

    def fit(update):
        return MLP((16,), epochs=60, batch_size=50, seed=0, update=update).fit(X, y)

    l1 = fit(Penalized(SGD(0.1), l1=0.02, proximal=True))
    l2 = fit(Penalized(SGD(0.1), l2=0.02))
    W_l1, W_l2 = l1.params_[0]["W"], l2.params_[0]["W"]
    assert np.mean(W_l1[2:] == 0) > 0.5  # most weights from the noise inputs are exactly 0
    assert np.all(np.abs(W_l1[:2]).sum(axis=1) > 1)  # the two real inputs are still used
    assert l1.score(X, y) > 0.95
    assert np.count_nonzero(W_l2) == W_l2.size  # L2 shrinks, zeroes nothing


def test_penalized_adds_the_penalty_gradient_and_leaves_grads_alone():
    params, ref = _layers(), _layers()
    grads = [{k: np.ones_like(v) for k, v in layer.items()} for layer in params]
    before = [{k: v.copy() for k, v in layer.items()} for layer in grads]
    hook = Penalized(Momentum(0.1), l1=0.2, l2=0.3)
    hook(params, grads, {"iteration": 1, "epoch": 0})
    manual = Momentum(0.1)
    extra = elastic_grad(ref, 0.2, 0.3)
    manual.step(ref, [{k: g[k] + e[k] for k in g} for g, e in zip(before, extra)])
    for a, b in zip(params, ref):
        np.testing.assert_allclose(a["W"], b["W"]), np.testing.assert_allclose(a["b"], b["b"])
    for g, b in zip(grads, before):
        np.testing.assert_array_equal(g["W"], b["W"])
    assert hook.penalty(params) == elastic_penalty(params, 0.2, 0.3)
    assert "l1=0.2" in repr(hook)


# ------------------------------------------------------------------ early stopping


def test_early_stopping_counts_patience_and_keeps_a_deep_copy():
    stopper = EarlyStopping(patience=3)
    w = np.zeros(2)
    decisions = []
    for epoch, cost in enumerate([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.0]):
        w[:] = epoch
        decisions.append(stopper.update(cost, {"w": w}))
        if decisions[-1]:
            break
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best_epoch == 2 and stopper.best_cost == 3.0 and stopper.stopped
    restored = stopper.restore({"w": w})
    np.testing.assert_array_equal(w, [2.0, 2.0])  # the weights of epoch 2, in place
    assert restored["w"] is w


def test_early_stopping_min_delta_and_nan():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert not stopper.update(1.0, [np.zeros(1)])
    assert not stopper.update(0.95, [np.zeros(1)])  # not better by 0.1: counts as no improvement
    assert stopper.update(float("nan"), [np.zeros(1)])
    assert stopper.best_cost == 1.0


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: EarlyStopping(patience=0), ValueError),
        (lambda: EarlyStopping(patience=2.5), TypeError),
        (lambda: EarlyStopping(min_delta=-1), ValueError),
        (lambda: EarlyStopping().update("1.0"), TypeError),
        (lambda: EarlyStopping().restore([np.zeros(1)]), RuntimeError),
    ],
)
def test_early_stopping_rejects_bad_input(call, exc):
    with pytest.raises(exc):
        call()


def test_early_stopping_restore_checks_the_structure():
    stopper = EarlyStopping()
    stopper.update(1.0, [{"W": np.zeros((2, 2))}])
    with pytest.raises(ValueError):
        stopper.restore([{"W": np.zeros((3, 2))}])
    with pytest.raises(ValueError):
        stopper.restore([{"W": np.zeros((2, 2))}, {"W": np.zeros(1)}])


def test_early_stopping_restores_the_best_weights_of_an_overfitting_network():
    X, y = make_spiral(300, noise=1.0, seed=1)
    T = one_hot(y, 2, dtype=np.float64)
    Xtr, Ttr, Xva, Tva = X[:50], T[:50], X[50:], T[50:]  # few training points: it overfits
    params = init_params([2, 40, 40, 2], seed=0, dtype=np.float64)
    opt, stopper = Adam(0.02), EarlyStopping(patience=15)
    for epoch in range(500):  # noqa: B007 (read after the loop)
        _, cache = forward(params, Xtr)
        opt.step(params, backward(params, cache, Ttr))
        if stopper.update(loss(params, Xva, Tva), params):
            break
    assert stopper.stopped and epoch < 499
    last_val = loss(params, Xva, Tva)
    assert last_val > stopper.best_cost  # validation cost went up since the best epoch
    stopper.restore(params)
    assert loss(params, Xva, Tva) == pytest.approx(stopper.best_cost, rel=1e-12)


# ------------------------------------------------------------------ noise injection


def test_gaussian_noise_statistics_and_reproducibility():
    X = np.full((400, 50), 3.0, dtype=np.float32)
    noisy = gaussian_noise(X, 0.5, rng=0)
    assert noisy.dtype == np.float32 and noisy.shape == X.shape
    assert np.all(X == 3.0)  # the input is not changed
    d = noisy - X
    assert abs(d.mean()) < 5 * 0.5 / math.sqrt(d.size)
    assert d.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_array_equal(noisy, gaussian_noise(X, 0.5, rng=0))
    np.testing.assert_array_equal(gaussian_noise(X, 0.0, rng=1), X)


@pytest.mark.parametrize(
    "args, exc",
    [
        ((np.ones(3), -0.1), ValueError),
        ((np.array([1.0, np.nan]), 0.1), ValueError),
        ((np.ones(3), "0.1"), TypeError),
        ((np.ones(3), 0.1, "seed"), TypeError),
    ],
)
def test_gaussian_noise_rejects_bad_input(args, exc):
    with pytest.raises(exc):
        gaussian_noise(*args)


# ------------------------------------------------------------------ dropout (NumPy)


def _binomial_ok(kept: int, n: int, p: float, sigmas: float = 5.0) -> bool:
    return abs(kept - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("keep_prob", [0.8, 0.5])
def test_dropout_keeps_the_right_fraction_and_scales(keep_prob):
    X = np.random.default_rng(0).standard_normal((200, 100))
    out, mask = dropout_forward(X, keep_prob, rng=1)
    assert set(np.unique(mask)) <= {0.0, 1.0} and mask.dtype == X.dtype
    assert _binomial_ok(int(mask.sum()), mask.size, keep_prob)
    np.testing.assert_allclose(out, X * mask / keep_prob)
    out2, mask2 = dropout_forward(X, keep_prob, rng=1, inverted=False)
    np.testing.assert_array_equal(mask2, mask)
    np.testing.assert_allclose(out2, X * mask)


@pytest.mark.parametrize("keep_prob", [0.8, 0.5])
def test_inverted_and_ebook_dropout_agree_in_expectation(keep_prob):
    """Inverted: E[train output] = X = test output. E-book: E[train output] = pX = test output."""
    S = 20000
    X = np.tile(np.linspace(-2, 2, 20), (S, 1))  # S independent draws of the same row
    inv = dropout_forward(X, keep_prob, rng=2)[0].mean(axis=0)
    ebook = dropout_forward(X, keep_prob, rng=3, inverted=False)[0].mean(axis=0)
    X = X[:1]
    sd = np.abs(X) * math.sqrt((1 - keep_prob) / keep_prob / S)  # std of the inverted mean
    assert np.all(np.abs(inv - dropout_predict(X, keep_prob)) <= 5 * sd + 1e-12)
    assert np.all(
        np.abs(ebook - dropout_predict(X, keep_prob, inverted=False)) <= 5 * sd * keep_prob + 1e-12
    )
    # and the two test-time networks differ only by the constant factor p
    np.testing.assert_allclose(
        dropout_predict(X, keep_prob, inverted=False), keep_prob * dropout_predict(X, keep_prob)
    )


def test_dropout_backward_and_keep_prob_one():
    X = np.arange(6.0).reshape(2, 3)
    out, mask = dropout_forward(X, 1.0, rng=0)
    np.testing.assert_array_equal(out, X)
    np.testing.assert_array_equal(mask, np.ones_like(X))
    out, mask = dropout_forward(X, 0.5, rng=0)
    dout = np.ones_like(X)
    np.testing.assert_allclose(dropout_backward(dout, mask, 0.5), mask / 0.5)
    np.testing.assert_allclose(dropout_backward(dout, mask, 0.5, inverted=False), mask)


@pytest.mark.parametrize(
    "keep_prob, exc",
    [
        (0.0, ValueError),
        (1.5, ValueError),
        (-0.2, ValueError),
        (float("nan"), ValueError),
        ("0.5", TypeError),
        (True, TypeError),
    ],
)
def test_dropout_rejects_bad_keep_prob(keep_prob, exc):
    with pytest.raises(exc, match="keep_prob"):
        dropout_forward(np.ones((2, 2)), keep_prob, rng=0)
    with pytest.raises(exc, match="keep_prob"):
        dropout_predict(np.ones((2, 2)), keep_prob)


def test_dropout_backward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        dropout_backward(np.ones((2, 2)), np.ones((2, 3)), 0.5)


# ------------------------------------------------------------------ dropout (TensorFlow 2)


@pytest.fixture(scope="module")
def tf():
    from tf_helpers import quiet_tensorflow

    return quiet_tensorflow()


@pytest.mark.parametrize("keep_prob", [0.8, 0.5])
def test_tf_and_numpy_dropout_keep_the_same_fraction(tf, keep_prob):
    x = np.ones((200, 100), np.float32)
    kept_tf = tf_dropout_keep(x, keep_prob, seed=3).numpy()
    _, mask = dropout_forward(x, keep_prob, rng=3)
    n = x.size
    assert _binomial_ok(int(np.count_nonzero(kept_tf)), n, keep_prob)
    assert _binomial_ok(int(mask.sum()), n, keep_prob)
    # both are inverted dropout: kept units are scaled by 1 / keep_prob
    np.testing.assert_allclose(kept_tf[kept_tf != 0], 1 / keep_prob, rtol=1e-6)


def test_tf2_dropout_second_argument_is_the_drop_rate(tf):
    """The TF1 habit tf.nn.dropout(x, 0.8) ("keep 80 %") drops 80 % in TF2."""
    x = tf.ones((200, 100))
    kept = int(np.count_nonzero(tf.nn.dropout(x, 0.8, seed=4).numpy()))
    assert _binomial_ok(kept, 20000, 0.2)
    assert _binomial_ok(int(np.count_nonzero(tf_dropout_keep(x, 0.8, seed=4).numpy())), 20000, 0.8)


def test_tf_dropout_keep_edge_cases(tf):
    x = tf.constant([[1.0, 2.0]])
    np.testing.assert_array_equal(tf_dropout_keep(x, 1.0).numpy(), [[1.0, 2.0]])
    with pytest.raises(ValueError, match="keep_prob"):
        tf_dropout_keep(x, 0.0)
    with pytest.raises(TypeError, match="floating"):
        tf_dropout_keep(tf.constant([1, 2]), 0.5)
