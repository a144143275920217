"""Our NumPy optimisers match Keras 3's step for step on the same gradients.

Each case feeds the same 20 seeded random gradients to a Keras optimiser (on
``keras.Variable``s) and to ours (on NumPy arrays laid out like MLP layers) and
compares the parameters after every step: in float64 to ~1e-12, in float32 to
float32 precision.

Where Keras writes a rule differently from the e-book (read in
``keras/src/optimizers/*.py``, Keras 3.15), :mod:`lazynb.keras_parity` holds the
Keras variant (``KerasAdaGrad``, ``KerasRMSprop``, ``KerasAdam``), and its
builders ``sgd``, ``adagrad``, ``rmsprop``, ``adam`` take Keras's arguments and
select it; the differences, each demonstrated below:

* **SGD with momentum**: the same rule as the e-book, ``v <- mu v - lr g; w <- w + v``.
  **Nesterov** (``nesterov=True``): ``w <- w + mu v - lr g`` with the new v, which
  is our :class:`Nesterov` (the look-ahead form), so no flag is needed.
* **Adagrad**: the cache starts at ``initial_accumulator_value=0.1`` (the e-book: 0)
  and epsilon sits inside the root, ``lr g / sqrt(c + eps)`` with eps = 1e-7
  (the e-book: ``sqrt(c) + eps``, eps = 1e-10): ``initial_accumulator=0.1,
  eps_inside_sqrt=True``. The difference is large in the first steps.
* **RMSprop**: epsilon inside the root, ``sqrt(c + eps)``, eps = 1e-7; with
  ``momentum`` the increment ``lr g / sqrt(c + eps)`` is accumulated, ``m <- mu m + inc;
  w <- w - m``; ``centered=True`` uses ``c - a^2``, a the mean gradient.
* **Adam**: ``w <- w - lr_t m / (sqrt(v) + eps)`` with ``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)``,
  i.e. epsilon added to sqrt(v) rather than to sqrt(v_hat): our ``eps_hat=True``.
* **AdamW**: decoupled weight decay, ``w <- w - lr wd w`` before the Adam step on
  the data gradient (every variable, biases included): :class:`KerasAdamW`. It is
  not Adam with ``wd/2 sum w^2`` added to the loss (shown below).
* **float32 hyper-parameters**: even for float64 variables Keras keeps the learning
  rate in a float32 variable, and casts SGD's momentum, Adagrad's initial
  accumulator and Adam's betas (in the bias corrections) through float32
  tensors; the builders round the same numbers, which takes the float64
  agreement from ~1e-7 to ~1e-15.
"""

import math

import numpy as np
import pytest

from lazynb import keras_parity as kp
from lazynb.keras_parity import KerasAdaGrad, KerasAdam, KerasAdamW, KerasRMSprop
from lazynb.optimizers import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
    constant,
    exponential_decay,
    inverse_decay,
    step_decay,
)

from tf_helpers import skip_without_tensorflow  # noqa: E402

skip_without_tensorflow()  # the keras fixture imports it, quietly

SHAPES = [(4, 3), (3,)]
STEPS = 20


@pytest.fixture(scope="module")
def keras():
    from lazynb.repro import import_tensorflow

    import_tensorflow()
    import keras

    return keras


def _gradients(seed, dtype):
    rng = np.random.default_rng(seed)
    out = []
    for step in range(STEPS):
        gs = [rng.standard_normal(s) * rng.choice([0.01, 1.0, 10.0]) for s in SHAPES]
        gs[1][0] = 0.0 if step % 3 == 0 else gs[1][0]  # zero gradients now and then
        out.append([g.astype(dtype) for g in gs])
    return out


def _paths(keras, keras_opt, ours, dtype, seed=0):
    """Parameters after every step: (keras_path, our_path, start), each a list of arrays per step."""
    import tensorflow as tf

    rng = np.random.default_rng(seed + 1)
    start = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    kvars = [keras.Variable(a, dtype=dtype) for a in start]
    params = [{"W": start[0].copy(), "b": start[1].copy()}]
    kpath, opath = [], []
    for gs in _gradients(seed, dtype):
        keras_opt.apply_gradients(zip([tf.constant(g) for g in gs], kvars))
        ours.step(params, [{"W": gs[0], "b": gs[1]}])
        kpath.append([v.numpy() for v in kvars])
        opath.append([params[0]["W"].copy(), params[0]["b"].copy()])
    return kpath, opath, start


CASES = {
    "sgd": (lambda K: K.SGD(0.05), lambda: kp.sgd(0.05)),
    "momentum": (lambda K: K.SGD(0.05, momentum=0.9), lambda: kp.sgd(0.05, 0.9)),
    "nesterov": (
        lambda K: K.SGD(0.05, momentum=0.9, nesterov=True),
        lambda: kp.sgd(0.05, 0.9, nesterov=True),
    ),
    "adagrad": (lambda K: K.Adagrad(0.1), lambda: kp.adagrad(0.1)),
    "adagrad-custom": (
        lambda K: K.Adagrad(0.3, initial_accumulator_value=0.01, epsilon=1e-4),
        lambda: kp.adagrad(0.3, 0.01, 1e-4),
    ),
    "rmsprop": (lambda K: K.RMSprop(0.01), lambda: kp.rmsprop(0.01)),
    "rmsprop-momentum": (
        lambda K: K.RMSprop(0.01, rho=0.8, momentum=0.9),
        lambda: kp.rmsprop(0.01, rho=0.8, momentum=0.9),
    ),
    "rmsprop-centered": (
        lambda K: K.RMSprop(0.01, momentum=0.5, centered=True),
        lambda: kp.rmsprop(0.01, momentum=0.5, centered=True),
    ),
    "adam": (lambda K: K.Adam(0.01), lambda: kp.adam(0.01)),
    "adam-custom": (
        lambda K: K.Adam(0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
        lambda: kp.adam(0.02, 0.8, 0.99, 1e-3),
    ),
    "adamw": (lambda K: K.AdamW(0.01), lambda: kp.adamw(0.01)),
    "adamw-custom": (
        lambda K: K.AdamW(0.02, weight_decay=0.3, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
        lambda: kp.adamw(0.02, 0.3, 0.8, 0.99, 1e-3),
    ),
}


def test_builders_pick_the_matching_class():
    assert type(kp.sgd(0.1)) is SGD
    assert type(kp.sgd(0.1, 0.9)) is Momentum
    assert type(kp.sgd(0.1, 0.9, nesterov=True)) is Nesterov
    a = kp.adagrad()
    assert type(a) is KerasAdaGrad and isinstance(a, AdaGrad)
    assert a.eps_inside_sqrt and a.eps == 1e-7 and a.initial_accumulator == pytest.approx(0.1)
    assert type(kp.rmsprop()) is KerasRMSprop and kp.rmsprop().eps_inside_sqrt
    assert type(kp.adam()) is KerasAdam and kp.adam().eps_hat
    w = kp.adamw(0.01, weight_decay=0.1)
    assert type(w) is KerasAdamW and w.eps_hat and w.weight_decay == pytest.approx(0.1)


def test_the_variants_default_to_the_textbook_rules():
    """With their knobs off, the Keras classes take exactly the steps of the chapter's classes."""
    rng = np.random.default_rng(7)
    gs = [rng.standard_normal(5) for _ in range(10)]
    for ours, variant in [
        (AdaGrad(0.1), KerasAdaGrad(0.1)),
        (RMSprop(0.01, decay=0.8), KerasRMSprop(0.01, decay=0.8)),
        (Adam(0.01), KerasAdam(0.01)),
        (KerasAdam(0.01, eps_hat=True), KerasAdamW(0.01, 0.0, eps_hat=True)),
    ]:
        a, b = np.ones(5), np.ones(5)
        for g in gs:
            ours.step(a, g)
            variant.step(b, g)
        np.testing.assert_array_equal(a, b, err_msg=type(variant).__name__)


def test_variants_check_their_knobs():
    with pytest.raises(ValueError, match="momentum"):
        KerasRMSprop(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="initial_accumulator"):
        KerasAdaGrad(0.1, initial_accumulator=-1.0)
    with pytest.raises(ValueError, match="cache starts at 0"):
        KerasAdaGrad(0.1, eps=0.0)
    KerasAdaGrad(0.1, eps=0.0, initial_accumulator=0.1)  # a cache that starts above 0 needs no eps
    with pytest.raises(ValueError, match="weight_decay"):
        kp.adamw(0.01, weight_decay=-0.1)
    with pytest.raises(TypeError, match="weight_decay"):
        KerasAdamW(0.01, weight_decay="0.1")
    with pytest.raises(NotImplementedError, match="no Keras equivalent"):
        kp.keras_schedule(constant(0.1))
    with pytest.raises(TypeError, match="Schedule"):
        kp.keras_schedule(lambda t: 0.1)


@pytest.mark.parametrize("case", list(CASES))
def test_float64_step_for_step(keras, case):
    make_keras, make_ours = CASES[case]
    kpath, opath, _ = _paths(keras, make_keras(keras.optimizers), make_ours(), np.float64)
    for step, (k, o) in enumerate(zip(kpath, opath)):
        for kk, oo in zip(k, o):
            np.testing.assert_allclose(oo, kk, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")


@pytest.mark.parametrize("case", ["momentum", "adagrad", "rmsprop-centered", "adam", "adamw"])
def test_float32_step_for_step(keras, case):
    """float32: both round every operation; compare to the distance the weights travelled."""
    make_keras, make_ours = CASES[case]
    kpath, opath, start = _paths(keras, make_keras(keras.optimizers), make_ours(), np.float32)
    assert all(o.dtype == np.float32 for o in opath[-1])
    for k, o in zip(kpath, opath):
        moved = max(float(np.max(np.abs(kk - s))) for kk, s in zip(k, start))
        diff = max(float(np.max(np.abs(kk - oo))) for kk, oo in zip(k, o))
        # Adam's bias correction is done in float64 by us and in float32 by Keras: a few ulp.
        assert diff <= 1e-5 * moved + 1e-7, (diff, moved)


def _final_gap(keras, keras_opt, ours):
    kpath, opath, _ = _paths(keras, keras_opt, ours, np.float64)
    return max(
        float(np.max(np.abs(k - o) / (np.abs(k) + 1e-12))) for k, o in zip(kpath[-1], opath[-1])
    )


def test_documented_differences_are_real(keras):
    """Without the Keras variants the e-book forms differ from Keras's: the flags matter."""
    K = keras.optimizers
    # AdaGrad: cache starting at 0 with eps outside the root vs 0.1 inside
    assert _final_gap(keras, K.Adagrad(0.1), AdaGrad(0.1)) > 1e-2
    # RMSprop: sqrt(c) + eps vs sqrt(c + eps) (visible with a large eps)
    assert _final_gap(keras, K.RMSprop(0.01, epsilon=1e-2), RMSprop(0.01, eps=1e-2)) > 1e-4
    # Adam: eps added to sqrt(v_hat) (the paper's rule) vs to sqrt(v) (Keras)
    assert _final_gap(keras, K.Adam(0.01, epsilon=1e-2), Adam(0.01, eps=1e-2)) > 1e-4
    # Keras's float32 learning rate: SGD(0.1) on float64 variables uses 0.10000000149...
    assert _final_gap(keras, K.SGD(0.1), SGD(0.1)) > 1e-10
    assert _final_gap(keras, K.SGD(0.1), SGD(float(np.float32(0.1)))) < 1e-14
    # AdamW: without the decoupled decay (plain Adam) the weights end elsewhere
    assert _final_gap(keras, K.AdamW(0.05, weight_decay=0.5), kp.adam(0.05)) > 1e-3


def test_adamw_is_not_adam_with_an_l2_penalty(keras):
    """Adam on g + wd·w (the gradient of wd/2·Σw²) rescales the decay by 1/√v; AdamW does not."""
    g_data = np.array([10.0, 0.0])  # one weight with a large gradient, one with none
    a, b = np.array([3.0, 3.0]), np.array([3.0, 3.0])
    l2, decoupled, plain = kp.adam(0.01), kp.adamw(0.01, weight_decay=0.1), kp.adam(0.01)
    c = np.array([3.0, 3.0])
    for _ in range(100):
        l2.step(a, g_data + 0.1 * a)
        decoupled.step(b, g_data.copy())
        plain.step(c, g_data.copy())
    pull_l2, pull_w = a - c, b - c
    assert (
        abs(pull_l2[0]) < 0.02 and pull_l2[1] < -0.8
    )  # big-gradient weight untouched, idle one dragged
    assert 0.2 < -pull_w[0] < 0.3 and 0.25 < -pull_w[1] < 0.3  # both shrink by about lr·wd a step
    assert b[1] == pytest.approx(3 * (1 - 0.01 * float(np.float32(0.1))) ** 100, rel=1e-6)


@pytest.mark.parametrize(
    "schedule", [step_decay(0.1, 3), inverse_decay(0.1, 0.5), exponential_decay(0.1, 0.2)], ids=repr
)
def test_schedules_match_keras_schedules(keras, schedule):
    ks = schedule.to_keras()
    for t in range(12):
        assert float(ks(t)) == pytest.approx(schedule(t), rel=1e-6)
    # and an optimiser driven by it: Keras feeds the iteration count from 0, as ours does
    kpath, opath, _ = _paths(
        keras, keras.optimizers.SGD(learning_rate=ks), SGD(schedule), np.float64
    )
    for k, o in zip(kpath, opath):
        for kk, oo in zip(k, o):
            np.testing.assert_allclose(oo, kk, rtol=1e-6, atol=1e-7)  # float32 schedule values
    assert math.isclose(SGD(schedule).learning_rate, 0.1)
