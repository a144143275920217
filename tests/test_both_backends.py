"""One policy in both backends: integer inputs, class labels, divergence, and params_ as a copy.

Each test runs on :class:`lazynb.mlp.MLP` and on :class:`lazynb.tf_mlp.TFMLP` (skipped where
TensorFlow is missing): the two must accept, refuse and answer alike.
"""

import warnings

import numpy as np
import pytest

from lazynb.data import make_clouds
from lazynb.mlp import MLP


def _tfmlp():
    pytest.importorskip("tensorflow")
    from lazynb.tf_mlp import TFMLP

    return TFMLP


@pytest.fixture(params=["numpy", "tensorflow"])
def Model(request):
    if request.param == "numpy":
        return MLP
    TFMLP = _tfmlp()
    return lambda *a, **kw: TFMLP(*a, **kw, jit_compile=False)


@pytest.fixture(scope="module")
def clouds():
    X, y = make_clouds(90, seed=0)
    return X, y


def test_integer_inputs_are_converted_and_raw_pixels_warned(Model, clouds):
    X, y = clouds
    Xi = np.round(X).astype(np.int64)
    kw = dict(hidden=(4,), epochs=3, batch_size=30, seed=0, dtype=np.float64)
    with pytest.warns(UserWarning, match="integers .*scale raw pixel values"):
        a = Model(**kw).fit(Xi, y)
    b = Model(**kw).fit(Xi.astype(np.float64), y)
    np.testing.assert_allclose(a.params_[0]["W"], b.params_[0]["W"], rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0/1 integers (an XOR table) are fine as they are
        Model(**kw).fit((X > 0).astype(np.int64), y)


def test_a_diverged_fit_leaves_no_usable_model(Model, clouds):
    X, y = clouds
    m = Model(hidden=(32, 32), lr=1e4, epochs=30, batch_size=10)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        m.fit(X * 100, y)
    assert m.diverged_ and not hasattr(m, "params_")
    for call in (lambda: m.predict(X), lambda: m.predict_proba(X), lambda: m.score(X, y)):
        with pytest.raises(RuntimeError, match="diverged"):
            call()
    if isinstance(m, MLP):
        with pytest.raises(RuntimeError, match="diverged"):
            m.partial_fit(X, y)
    m.lr = 0.1  # a good refit makes it usable again
    assert m.fit(X, y).score(X, y) > 0.8 and not getattr(m, "diverged_", None)


@pytest.mark.parametrize("labels", [(0, 10**7), (1, 2, 3), (3, 7)])
def test_classes_are_the_distinct_labels(Model, clouds, labels):
    X, y = clouds
    labels = np.array(labels)
    y = labels[y % len(labels)]
    m = Model(hidden=(8,), lr=0.3, epochs=30, batch_size=10, seed=0).fit(X, y)
    assert m.n_outputs_ == len(labels) and list(m.classes_) == sorted(labels)
    assert m.params_[-1]["W"].shape[1] == len(labels)  # no output unit for an absent label
    pred = m.predict(X)
    assert set(np.unique(pred)) <= set(labels.tolist()) and m.score(X, y) == np.mean(pred == y)
    P = m.predict_proba(X)
    assert np.array_equal(m.classes_[P.argmax(1)], pred)
    with pytest.raises(ValueError, match=f"label 5 but the model has {len(labels)} classes"):
        m.score(X, np.full(len(X), 5))


def test_params_is_a_copy_in_both_and_assignment_sets_the_weights(Model, clouds):
    X, y = clouds
    m = Model(hidden=(4,), epochs=2, batch_size=30, seed=1).fit(X, y)
    before = m.predict_proba(X)
    p = m.params_
    p[0]["W"][:] = 0  # editing the copy does nothing
    np.testing.assert_array_equal(m.predict_proba(X), before)
    m.params_ = p  # assigning sets the weights
    assert np.all(m.params_[0]["W"] == 0)
    np.testing.assert_allclose(
        m.predict_proba(X), np.broadcast_to(m.predict_proba(X)[:1], before.shape), rtol=1e-6
    )  # W1 = 0: every row gets the same output
    with pytest.raises(ValueError, match="shapes"):
        m.params_ = p[:1]
