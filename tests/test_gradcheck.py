"""Gradient checking: the checker itself, and backpropagation of every MLP configuration.

Every backward kernel is compared with centred differences in float64:
activation derivatives in test_activations.py, loss gradients in
test_losses.py, and here ``lazynb.mlp.backward`` for 1, 2 and 3 hidden layers,
each activation, each output/loss pair, with and without biases, on random
shapes. The five-point stencil (``order=4``) is accurate to about 1e-13, so the
relative error must stay below 1e-6 on every entry; entries smaller than 1e-6
(where contributions happen to cancel) must agree to 1e-12 absolutely
(``floor=1e-6``).
"""

import itertools

import numpy as np
import pytest

from lazynb.activations import ACTIVATIONS, softmax
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.mlp import OUTPUTS, backward, forward, init_params, loss

TOL = 1e-6


# --- the checker --------------------------------------------------------------------------


@pytest.mark.parametrize("order, h, tol", [(2, 1e-6, 1e-8), (4, 1e-3, 1e-11)])
def test_numerical_gradient_of_known_functions(order, h, tol):
    x = np.array([[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]])
    x0 = x.copy()
    num = numerical_gradient(lambda v: np.sum(np.sin(v) * v**2), x, h=h, order=order)
    assert np.array_equal(x, x0)  # restored
    assert np.allclose(num, np.cos(x) * x**2 + 2 * x * np.sin(x), rtol=0, atol=tol)
    assert np.array_equal(numerical_gradient(lambda v: 5.0, x, order=order), np.zeros_like(x))


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[0] != 1.0:
            raise RuntimeError("boom")
        return v.sum()

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0])


def test_checker_rejects_bad_arguments():
    x = np.ones(3)
    with pytest.raises(TypeError, match="callable"):
        numerical_gradient(3.0, x)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(np.sum, x.astype(np.float32))
    with pytest.raises(ValueError, match="order"):
        numerical_gradient(np.sum, x, order=3)
    with pytest.raises(ValueError, match="h must"):
        numerical_gradient(np.sum, x, h=0.0)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="floor"):
        relative_error(x, x, floor=0)


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [1.0 + 2e-6]) == pytest.approx(1e-6, rel=1e-3)
    assert relative_error([], []) == 0.0
    assert relative_error([1e-9], [1e-9 + 1e-13]) > 1e-5  # tiny entries: relative...
    assert relative_error([1e-9], [1e-9 + 1e-13], floor=1e-6) < 1e-6  # ...or absolute below floor
    assert relative_error([1.0], [2.0], floor=1e-6) == pytest.approx(1 / 3)


# --- backpropagation through the whole network --------------------------------------------

CASES = list(itertools.product([1, 2, 3], list(ACTIVATIONS), OUTPUTS, [True, False]))


def _problem(case_index, depth, activation, output, use_bias):
    """Random small network, inputs and targets; ReLU pre-activations kept 0.02 from the kink."""
    rng = np.random.default_rng(case_index)
    N, D, K = (int(v) for v in rng.integers([2, 1, 2], [6, 5, 4]))
    sizes = [D, *rng.integers(1, 6, depth).tolist(), K]
    while True:
        params = init_params(
            sizes, activation=activation, seed=rng, dtype=np.float64, use_bias=use_bias
        )
        for layer in params:
            if "b" in layer:
                layer["b"][:] = rng.normal(scale=0.5, size=layer["b"].shape)
        X = rng.normal(size=(N, D))
        _, cache = forward(params, X, activation=activation, output=output)
        if (
            activation not in ("relu", "leaky_relu")
            or min(np.abs(A).min() for A in cache["pre"]) > 0.02
        ):
            break
    if output == "softmax":
        T = softmax(rng.normal(size=(N, K)))  # soft targets: rows sum to 1
    elif output == "sigmoid":
        T = rng.random((N, K))
    else:
        T = rng.normal(size=(N, K))
    return params, X, T, cache


@pytest.mark.parametrize(
    "i, depth, activation, output, use_bias",
    [(i, *case) for i, case in enumerate(CASES)],
    ids=[f"{d}hidden-{a}-{o}-{'bias' if b else 'nobias'}" for d, a, o, b in CASES],
)
def test_backward_passes_the_gradient_check(i, depth, activation, output, use_bias):
    params, X, T, cache = _problem(i, depth, activation, output, use_bias)
    kw = {"activation": activation, "output": output}
    grads = backward(params, cache, T, **kw)
    assert len(grads) == len(params)
    for i, (layer, g) in enumerate(zip(params, grads)):
        assert g.keys() == layer.keys()
        for name, value in layer.items():
            assert g[name].shape == value.shape
            num = numerical_gradient(lambda _: loss(params, X, T, **kw), value, h=1e-3, order=4)
            err = relative_error(g[name], num, floor=1e-6)
            assert err < TOL, f"layer {i} {name}: relative error {err:.2e}"
