"""lazynb.optimizers: update rules, schedules, the MLP hook and the explorer's minimize()."""

import math
import subprocess
import sys

import numpy as np
import pytest

from lazynb.data import make_spiral
from lazynb.keras_parity import KerasAdaGrad, KerasAdam, KerasRMSprop
from lazynb.mlp import MLP
from lazynb.optimizers import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    Schedule,
    Trajectory,
    constant,
    exponential_decay,
    inverse_decay,
    minimize,
    quadratic,
    step_decay,
)


def _grads(rng, shape, n):
    return [rng.standard_normal(shape) for _ in range(n)]


# ------------------------------------------------------------------ the rules, by hand


def test_sgd_one_step():
    w = np.array([1.0, 2.0])
    SGD(0.1).step(w, np.array([0.5, -1.0]))
    np.testing.assert_allclose(w, [0.95, 2.1])


def test_momentum_is_the_ebooks_dw_form():
    rng = np.random.default_rng(0)
    w, ref, dw = rng.standard_normal(3), None, np.zeros(3)
    ref = w.copy()
    opt = Momentum(0.05, mu=0.9)
    for g in _grads(rng, 3, 10):
        opt.step(w, g)
        dw = 0.9 * dw - 0.05 * g  # dw(t) = mu dw(t-1) - lr dJ/dw
        ref = ref + dw  # w(t) = w(t-1) + dw(t)
    np.testing.assert_allclose(w, ref, rtol=1e-14)
    np.testing.assert_allclose(opt.state["v"][()], dw, rtol=1e-14)


def test_momentum_zero_is_sgd():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(4)
    b = a.copy()
    for g in _grads(rng, 4, 5):
        Momentum(0.1, mu=0.0).step(a, g)
        SGD(0.1).step(b, g)
    np.testing.assert_allclose(a, b, rtol=1e-15)


def test_nesterov_equals_the_lookahead_definition():
    """Nesterov: v <- mu v - lr grad(theta + mu v); theta <- theta + v. Our parameters are theta + mu v."""
    a = np.array([1.0, 20.0])
    grad = lambda x: a * x  # noqa: E731 - f = 1/2 sum a x^2
    lr, mu = 0.02, 0.9
    theta, v = np.array([1.0, 1.0]), np.zeros(2)
    p = theta.copy()  # v = 0 at the start, so theta + mu v = theta
    opt = Nesterov(lr, mu)
    for _ in range(30):
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        opt.step(p, grad(p))
        np.testing.assert_allclose(p, theta + mu * v, rtol=1e-12, atol=1e-15)


def test_adagrad_matches_formula_and_its_effective_rate_only_decreases():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((3, 2))
    ref, cache = w.copy(), np.zeros((3, 2))
    opt = AdaGrad(0.5, eps=1e-10)
    prev = opt.effective_learning_rate(w)
    assert prev.shape == (3, 2)
    for g in _grads(rng, (3, 2), 25):
        opt.step(w, g)
        cache += g * g
        ref -= 0.5 * g / (np.sqrt(cache) + 1e-10)
        now = opt.effective_learning_rate(w)
        assert np.all(now <= prev)
        prev = now
    np.testing.assert_allclose(w, ref, rtol=1e-14)
    np.testing.assert_allclose(prev, 0.5 / (np.sqrt(cache) + 1e-10), rtol=1e-14)


def test_adagrad_effective_rate_has_the_params_structure():
    params = [{"W": np.zeros((2, 3)), "b": np.zeros(3)}]
    opt = KerasAdaGrad(0.1, initial_accumulator=0.25, eps_inside_sqrt=True, eps=0.0)
    eff = opt.effective_learning_rate(params)
    assert eff[0]["W"].shape == (2, 3) and eff[0]["b"].shape == (3,)
    np.testing.assert_allclose(eff[0]["b"], 0.1 / 0.5)


def test_rmsprop_plain_momentum_and_centered_match_formulas():
    rng = np.random.default_rng(3)
    gs = _grads(rng, 5, 15)
    w0 = rng.standard_normal(5)
    for mom, centered in [(0.0, False), (0.5, False), (0.0, True), (0.9, True)]:
        w, ref = w0.copy(), w0.copy()
        c, a, m = np.zeros(5), np.zeros(5), np.zeros(5)
        opt = KerasRMSprop(0.01, decay=0.8, eps=1e-6, momentum=mom, centered=centered)
        for g in gs:
            opt.step(w, g)
            c = 0.8 * c + 0.2 * g * g
            a = 0.8 * a + 0.2 * g
            rms = np.sqrt(c - a * a) if centered else np.sqrt(c)
            inc = 0.01 * g / (rms + 1e-6)
            m = mom * m + inc
            ref -= m
        np.testing.assert_allclose(
            w, ref, rtol=1e-12, err_msg=f"momentum={mom} centered={centered}"
        )


def test_adam_matches_formula_and_first_step_is_lr_times_sign():
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal(6)
    g0 = rng.standard_normal(6) * 100  # the first step does not depend on the gradient's scale
    w = w0.copy()
    opt = Adam(0.01, eps=1e-8)
    opt.step(w, g0)
    np.testing.assert_allclose(w - w0, -0.01 * np.sign(g0), rtol=1e-8)
    m, v, ref = 0.1 * g0, 0.001 * g0**2, w.copy()
    for t, g in enumerate(_grads(rng, 6, 20), start=2):
        opt.step(w, g)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(w, ref, rtol=1e-12)


def test_adam_eps_hat_is_a_rescaled_epsilon():
    """Keras's ordering lr_t m / (sqrt(v) + eps) = the paper's rule with eps / sqrt(1 - b2^t)."""
    rng = np.random.default_rng(5)
    g = rng.standard_normal(4)
    a, b = np.zeros(4), np.zeros(4)
    KerasAdam(0.1, eps=1e-2, eps_hat=True).step(a, g)
    Adam(0.1, eps=1e-2 / math.sqrt(1 - 0.999)).step(b, g)
    np.testing.assert_allclose(a, b, rtol=1e-12)


# ------------------------------------------------------------------ structures and state


def test_step_updates_list_of_layers_in_place_and_keeps_dtype():
    params = [
        {"W": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)},
        {"W": np.ones((3, 1), np.float32), "b": np.zeros(1, np.float32)},
    ]
    ids = [id(a) for layer in params for a in layer.values()]
    grads = [{k: np.full_like(v, 0.5) for k, v in layer.items()} for layer in params]
    opt = Adam(0.1)
    opt.step(params, grads)
    assert [id(a) for layer in params for a in layer.values()] == ids
    assert all(a.dtype == np.float32 for layer in params for a in layer.values())
    assert all(s.dtype == np.float32 for s in opt.state["m"].values())
    np.testing.assert_allclose(params[0]["b"], -0.1, rtol=1e-5)
    assert set(opt.state["m"]) == {(0, "W"), (0, "b"), (1, "W"), (1, "b")}
    assert opt.t == 1


def test_step_on_a_dict_of_arrays():
    params = {"w": np.array([1.0]), "c": np.array([2.0, 3.0])}
    SGD(1.0).step(params, {"w": np.array([1.0]), "c": [1.0, 1.0]})
    np.testing.assert_allclose(params["c"], [1.0, 2.0])


def test_shape_change_needs_reset():
    opt = Momentum(0.1)
    opt.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="changed shape"):
        opt.step(np.zeros(4), np.ones(4))
    opt.reset()
    opt.step(np.zeros(4), np.ones(4))
    assert opt.t == 1


@pytest.mark.parametrize(
    "params, grads, exc, match",
    [
        (np.zeros(3), np.ones(4), ValueError, "shape"),
        (np.zeros(3), np.array([1.0, np.nan, 0.0]), ValueError, "NaN"),
        (np.zeros(3), np.array([1.0, np.inf, 0.0]), ValueError, "diverged"),
        (np.zeros(3, dtype=int), np.ones(3), TypeError, "float ndarray"),
        ([1.0, 2.0], [1.0, 2.0], TypeError, "dict"),
        ([{"W": np.zeros(2)}], [{"V": np.zeros(2)}], ValueError, "keys"),
        ([{"W": np.zeros(2)}], [], ValueError, "1 dicts"),
        ("w", "g", TypeError, "params must be"),
        ([], [], ValueError, "at least one layer"),
        (np.zeros(2), "ab", TypeError, "numbers"),
    ],
)
def test_step_rejects_bad_input(params, grads, exc, match):
    with pytest.raises(exc, match=match):
        SGD(0.1).step(params, grads)


@pytest.mark.parametrize(
    "make, exc",
    [
        (lambda: SGD(0), ValueError),
        (lambda: SGD(-0.1), ValueError),
        (lambda: SGD(float("nan")), ValueError),
        (lambda: SGD("0.1"), TypeError),
        (lambda: SGD(True), TypeError),
        (lambda: Momentum(0.1, mu=1.0), ValueError),
        (lambda: Momentum(0.1, mu=-0.1), ValueError),
        (lambda: RMSprop(0.1, decay=1.0), ValueError),
        (lambda: RMSprop(0.1, eps=0), ValueError),
        (lambda: Adam(0.1, beta2=1.5), ValueError),
        (lambda: AdaGrad(0.1, eps=0), ValueError),
        (lambda: SGD(0.1, schedule_on="batch"), ValueError),
    ],
)
def test_constructors_reject_bad_hyperparameters(make, exc):
    with pytest.raises(exc):
        make()


def test_repr_names_the_hyperparameters():
    assert repr(Momentum(0.1, 0.5)) == "Momentum(lr=0.1, mu=0.5)"
    assert "inverse_decay(A=0.1, k=0.5)" in repr(SGD(inverse_decay(0.1, 0.5)))


def test_importing_optimizers_does_not_import_tensorflow():
    code = (
        "import sys, lazynb.optimizers, lazynb.regularizers, lazynb.augment; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------ schedules


def test_schedule_values():
    s = step_decay(0.8, 10)
    assert [s(t) for t in (0, 9, 10, 19, 20, 35)] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]
    assert step_decay(1.0, 2, factor=0.1)(5) == pytest.approx(0.01)
    assert inverse_decay(1.0, 0.5)(4) == pytest.approx(1 / 3)
    assert exponential_decay(2.0, 0.1)(10) == pytest.approx(2 * math.exp(-1))
    assert constant(0.3)(1000) == 0.3
    for s in (inverse_decay(1.0, 0.5), exponential_decay(1.0, 0.5), step_decay(1.0, 3)):
        values = [s(t) for t in range(50)]
        assert values[0] == 1.0 and all(b <= a for a, b in zip(values, values[1:]))


@pytest.mark.parametrize(
    "make, exc",
    [
        (lambda: step_decay(0, 10), ValueError),
        (lambda: step_decay(0.1, 0), ValueError),
        (lambda: step_decay(0.1, 2.5), TypeError),
        (lambda: step_decay(0.1, 2, factor=2), ValueError),
        (lambda: inverse_decay(0.1, -1), ValueError),
        (lambda: exponential_decay("a", 1), TypeError),
        (lambda: inverse_decay(0.1, 1)(-1), ValueError),
        (lambda: inverse_decay(0.1, 1)("3"), TypeError),
    ],
)
def test_schedules_reject_bad_input(make, exc):
    with pytest.raises(exc):
        make()


def test_a_schedule_of_ones_own():
    s = Schedule(lambda t: 0.5 / (1 + t) ** 2, "quadratic_decay", A=0.5)
    assert repr(s) == "quadratic_decay(A=0.5)" and s(1) == 0.125
    assert repr(constant(0.3)) == "constant(A=0.3)"
    w = np.zeros(1)
    SGD(s).step(w, np.ones(1))
    assert w[0] == -0.5
    with pytest.raises(TypeError, match="callable"):
        Schedule(0.1, "fixed")
    with pytest.raises(NotImplementedError, match="no Keras equivalent"):
        s.to_keras()  # raised before Keras is imported


def test_optimizer_follows_its_schedule_per_iteration():
    w = np.zeros(1)
    opt = SGD(inverse_decay(1.0, 1.0))
    for t in range(4):
        assert opt.learning_rate == pytest.approx(1 / (1 + t))
        opt.step(w, np.ones(1))
    np.testing.assert_allclose(w, -(1 + 1 / 2 + 1 / 3 + 1 / 4))


def test_schedule_per_epoch_reads_the_mlp_state():
    opt = SGD(step_decay(1.0, 2), schedule_on="epoch")
    w = np.zeros(1)
    lrs = []
    for it, epoch in enumerate([0, 0, 1, 1, 2, 2, 3, 4], start=1):
        opt(w, np.ones(1), {"iteration": it, "epoch": epoch, "lr": 99.0})
        lrs.append(opt.lr(opt.epoch))
    assert lrs == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25]


def test_a_schedule_returning_nonsense_is_caught():
    opt = SGD(lambda t: -1.0)
    with pytest.raises(ValueError, match="schedule returned"):
        opt.step(np.zeros(1), np.ones(1))


# ------------------------------------------------------------------ the MLP hook


def test_hook_resets_at_the_first_iteration_of_a_fit():
    opt = Momentum(0.1)
    w = np.zeros(2)
    opt(w, np.ones(2), {"iteration": 1, "epoch": 0})
    opt(w, np.ones(2), {"iteration": 2, "epoch": 0})
    assert opt.t == 2
    opt(w, np.ones(2), {"iteration": 1, "epoch": 0})  # a new fit
    assert opt.t == 1
    np.testing.assert_allclose(opt.state["v"][()], -0.1)


def _fit(update, lr=0.1, epochs=60):
    X, y = make_spiral(300, seed=0)
    return MLP(
        (16,), lr=lr, epochs=epochs, batch_size=50, seed=0, dtype=np.float64, update=update
    ).fit(X, y)


def test_sgd_hook_trains_exactly_like_the_mlps_builtin_update():
    a, b = _fit(None), _fit(SGD(0.1))
    for la, lb in zip(a.params_, b.params_):
        np.testing.assert_allclose(la["W"], lb["W"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.history_["cost"], b.history_["cost"], rtol=1e-9)


def test_momentum_reaches_a_lower_cost_than_sgd_in_the_same_epochs():
    sgd = _fit(SGD(0.1)).history_["cost"][-1]
    mom = _fit(Momentum(0.1, mu=0.9)).history_["cost"][-1]
    nes = _fit(Nesterov(0.1, mu=0.9)).history_["cost"][-1]
    assert mom < 0.8 * sgd and nes < 0.8 * sgd, (sgd, mom, nes)


def test_one_optimizer_object_serves_two_fits_identically():
    opt = Adam(0.01)
    a, b = _fit(opt, epochs=5), _fit(opt, epochs=5)
    np.testing.assert_array_equal(a.params_[0]["W"], b.params_[0]["W"])


# ------------------------------------------------------------------ minimize and the quadratic


def test_minimize_returns_the_whole_path_and_leaves_the_optimizer_alone():
    opt = Momentum(0.1)
    traj = minimize(quadratic((1.0, 4.0)), [1.0, 1.0], opt, steps=7)
    assert isinstance(traj, Trajectory)
    assert traj.x.shape == (8, 2) and traj.f.shape == (8,)
    np.testing.assert_array_equal(traj.x[0], [1.0, 1.0])
    assert traj.f[0] == pytest.approx(2.5)
    assert opt.t == 0 and opt.state == {} and traj.optimizer.t == 7
    x, f, _ = traj  # unpacks
    assert f[-1] < f[0]


def _steps_to(opt, tol=1e-6, steps=3000):
    f = minimize(quadratic((1.0, 50.0)), [1.0, 1.0], opt, steps=steps).f
    below = np.nonzero(f < tol)[0]
    return int(below[0]) if below.size else math.inf


def test_momentum_needs_fewer_steps_on_an_ill_conditioned_quadratic():
    # lr = 1/L is near the best plain GD can do (it diverges above 2/L, L = 50).
    gd = _steps_to(SGD(1 / 50))
    mom = _steps_to(Momentum(1 / 50, mu=0.8))
    nes = _steps_to(Nesterov(1 / 50, mu=0.8))
    assert mom < gd / 3 and nes < gd / 3, (gd, mom, nes)


def test_adagrad_effective_rate_never_increases_along_a_path():
    traj = minimize(quadratic((1.0, 50.0)), [1.0, 1.0], AdaGrad(0.5), steps=1)
    opt = traj.optimizer
    f_grad = quadratic((1.0, 50.0))
    x, prev = traj.x[-1].copy(), opt.effective_learning_rate(traj.x[-1])
    for _ in range(100):
        opt.step(x, f_grad(x)[1])
        now = opt.effective_learning_rate(x)
        assert np.all(now <= prev)
        prev = now


def test_minimize_reports_divergence_and_bad_input():
    with pytest.raises(ValueError, match="too large"):
        minimize(quadratic((1.0, 50.0)), [1.0, 1.0], SGD(1.0), steps=2000)
    with pytest.raises(TypeError):
        minimize(quadratic(), [1.0, 1.0], "sgd")
    with pytest.raises(TypeError, match="pair"):
        minimize(lambda x: 1.0, [1.0, 1.0], SGD(0.1))
    with pytest.raises(ValueError, match="shape"):
        minimize(lambda x: (0.0, np.zeros(3)), [1.0, 1.0], SGD(0.1), steps=1)
    with pytest.raises(ValueError):
        quadratic((1.0, 0.0))
    assert isinstance(SGD(0.1), Optimizer)
