"""Chapter 5's exercises: the reference passes, stubs and crashes are reported, typical mistakes fail."""

import numpy as np
import pytest

from lazynb.exercises import ch05

from exercise_helpers import (
    assert_fails,
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
)

EXERCISES = [
    ch05.momentum_update,
    ch05.rmsprop_update,
    ch05.inverse_decay,
    ch05.l2_gradient,
    ch05.dropout_forward,
    ch05.adam_update,
    ch05.nesterov_update,
    ch05.proximal_l1_step,
    ch05.batchnorm_backward,
]
# Exercises checked by driving the reader's code (no per-case expected arrays to leak).
DRIVEN = [ch05.fit_with_early_stopping, ch05.augmented_epochs]
ALL = EXERCISES + DRIVEN


def _bn_leaks(ex):
    texts = set()
    for case in ex.cases(np.random.default_rng(ex.seed)):
        for part in ex.reference(*case.args.values()):
            for value in np.ravel(part):
                texts |= {f"{value:.4g}", repr(float(value))} - {"0", "0.0"}
    return {t for t in texts if len(t.lstrip("-")) >= 5}


@pytest.mark.parametrize("ex", ALL, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "ch05")


@pytest.mark.parametrize("ex", ALL, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "ch05")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    leaks = _bn_leaks if ex is ch05.batchnorm_backward else None
    check_raising_is_error(ex, leak_texts=leaks)


@pytest.mark.parametrize("ex", DRIVEN, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error_driven(ex):
    def typo(*args):
        return args[0] @ undefined_name  # noqa: F821

    result = ex.check(typo)
    assert result.status == "error", result
    assert "NameError: name 'undefined_name' is not defined" in result.message
    assert "`return args[0] @ undefined_name" in result.message


@pytest.mark.parametrize("ex", ALL, ids=lambda ex: ex.name)
def test_hints_and_solution(ex):
    check_hints(ex, "ch05")
    check_solution_shows_def(ex)


# --------------------------------------------------------------- typical mistakes


def test_momentum_wrong_answers():
    ex = ch05.momentum_update
    assert_fails(ex, lambda w, v, g, lr, mu: np.stack([w + v, mu * v - lr * g]), "values differ")
    assert_fails(
        ex, lambda w, v, g, lr, mu: np.stack([w - lr * g, mu * v - lr * g]), "values differ"
    )
    assert_fails(ex, lambda w, v, g, lr, mu: w + mu * v - lr * g, "shape")  # forgot the velocity


def test_rmsprop_wrong_answers():
    ex = ch05.rmsprop_update

    def no_one_minus(w, c, g, lr, d, eps=1e-8):
        c = d * c + g * g
        return np.stack([w - lr * g / (np.sqrt(c) + eps), c])

    def old_cache(w, c, g, lr, d, eps=1e-8):
        return np.stack([w - lr * g / (np.sqrt(c) + eps), d * c + (1 - d) * g * g])

    def no_sqrt(w, c, g, lr, d, eps=1e-8):
        c = d * c + (1 - d) * g * g
        return np.stack([w - lr * g / (c + eps), c])

    for wrong in (no_one_minus, old_cache, no_sqrt):
        assert_fails(ex, wrong, "values differ")


def test_inverse_decay_wrong_answers():
    ex = ch05.inverse_decay
    assert_fails(ex, lambda A, k, t: A / (k * t), "NaN or infinity")  # no + 1 (t = 0 -> inf)
    assert_fails(ex, lambda A, k, t: A / (k * (t + 1)), "initial rate A")
    assert_fails(ex, lambda A, k, t: A * (k * t + 1), "must not grow")
    assert_fails(ex, lambda A, k, t: A * np.exp(-k * t), "values differ")  # exponential decay


def test_l2_wrong_answers():
    ex = ch05.l2_gradient
    assert_fails(ex, lambda gW, W, lam: gW + lam * W, "values differ")  # the 1/2 convention
    assert_fails(ex, lambda gW, W, lam: 2 * lam * W, "values differ")  # forgot the data term
    assert_fails(ex, lambda gW, W, lam: gW + lam * np.sign(W), "values differ")  # that is L1


def test_dropout_wrong_answers():
    ex = ch05.dropout_forward
    assert_fails(ex, lambda X, m, p: X * m, "values differ")  # not inverted
    assert_fails(ex, lambda X, m, p: X * m * p, "values differ")  # scaled the wrong way
    assert_fails(ex, lambda X, m, p: X * (1 - m) / p, "exactly 0")  # mask inverted
    assert_fails(ex, lambda X, m, p: X / p, "exactly 0")  # ignored the mask


def test_answers_must_not_change_inputs():
    def in_place(w, v, g, lr, mu):
        v *= mu
        v -= lr * g
        return np.stack([w + v, v])

    result = ch05.momentum_update.check(in_place)
    assert result.status == "failed"
    assert "modif" in result.message.lower() or "chang" in result.message.lower(), result.message


# --------------------------------------------------------------- the new exercises


def _adam_parts(w, m, v, g, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return m, v


def test_adam_wrong_answers():
    ex = ch05.adam_update

    def no_correction(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        return np.stack([w - lr * m / (np.sqrt(v) + eps), m, v])

    def t_from_zero(w, m, v, g, t, lr, b1, b2, eps):  # t - 1: divides by 0 at t = 1
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        mh, vh = m / (1 - b1 ** (t - 1)), v / (1 - b2 ** (t - 1))
        return np.stack([w - lr * mh / (np.sqrt(vh) + eps), m, v])

    def t_plus_one(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        mh, vh = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
        return np.stack([w - lr * mh / (np.sqrt(vh) + eps), m, v])

    def eps_in_root(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        mh, vh = m / (1 - b1**t), v / (1 - b2**t)
        return np.stack([w - lr * mh / np.sqrt(vh + eps), m, v])

    def keras_eps(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        return np.stack([w - alpha * m / (np.sqrt(v) + eps), m, v])

    def swapped(w, m, v, g, t, lr, b1, b2, eps):
        return ch05.adam_update.reference(w, m, v, g, t, lr, b2, b1, eps)

    def m_not_m_hat(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        return np.stack([w - lr * m / (np.sqrt(v / (1 - b2**t)) + eps), m, v])

    def corrected_moments_returned(w, m, v, g, t, lr, b1, b2, eps):
        m, v = _adam_parts(w, m, v, g, t, lr, b1, b2, eps)
        mh, vh = m / (1 - b1**t), v / (1 - b2**t)
        return np.stack([w - lr * mh / (np.sqrt(vh) + eps), mh, vh])

    def only_w(w, m, v, g, t, lr, b1, b2, eps):
        return ch05.adam_update.reference(w, m, v, g, t, lr, b1, b2, eps)[0]

    assert_fails(ex, no_correction, "no bias correction")
    assert_fails(ex, t_from_zero, "not t − 1")  # the RuntimeWarning's advice
    assert_fails(ex, t_plus_one, "uses t + 1")
    assert_fails(ex, eps_in_root, "inside the square root")
    assert_fails(ex, keras_eps, "Keras's form")
    assert_fails(ex, swapped, "swapped")
    assert_fails(ex, m_not_m_hat, "bias-corrected m̂")
    assert_fails(ex, corrected_moments_returned, "uncorrected")
    assert_fails(ex, only_w, "shape")


def test_adam_first_case_is_the_first_step():
    first = next(iter(ch05.adam_update.cases(np.random.default_rng(0))))
    assert first.args["t"] == 1 and not first.args["m"].any() and not first.args["v"].any()


def test_nesterov_wrong_answers():
    ex = ch05.nesterov_update

    def at(point):
        def answer(w, v, grad_fn, lr, mu):
            v_new = mu * v - lr * grad_fn(point(w, v, mu))
            return np.stack([w + v_new, v_new])

        return answer

    def old_velocity(w, v, grad_fn, lr, mu):
        return np.stack([w + mu * v - lr * grad_fn(w + mu * v), v])

    def stored_form(w, v, grad_fn, lr, mu):
        g = grad_fn(w)
        v_new = mu * v - lr * g
        return np.stack([w + mu * v_new - lr * g, v_new])

    assert_fails(ex, at(lambda w, v, mu: w), "plain momentum")
    assert_fails(ex, at(lambda w, v, mu: w - mu * v), "wrong sign")
    assert_fails(ex, at(lambda w, v, mu: w + v), "decays by mu")
    assert_fails(ex, old_velocity, "*new* velocity")
    assert_fails(ex, stored_form, "stored look-ahead form")
    assert_fails(ex, lambda w, v, grad_fn, lr, mu: w + mu * v - lr * grad_fn(w + mu * v), "shape")


def test_nesterov_gradient_is_not_linear():
    """With a linear gradient, plain momentum and Nesterov could coincide less visibly."""
    case = next(iter(ch05.nesterov_update.cases(np.random.default_rng(0))))
    f, w = case.args["grad_fn"], case.args["w"]
    assert not np.allclose(f(2 * w), 2 * f(w))


def test_proximal_l1_wrong_answers():
    ex = ch05.proximal_l1_step

    def soft(z, thr):
        return np.sign(z) * np.maximum(np.abs(z) - thr, 0)

    assert_fails(ex, lambda w, g, lr, lam: w - lr * (g + lam * np.sign(w)), "subgradient step")
    assert_fails(ex, lambda w, g, lr, lam: soft(w - lr * g, lam), "threshold is λ")
    assert_fails(ex, lambda w, g, lr, lam: np.maximum(w - lr * g - lr * lam, 0), "keep z's sign")
    assert_fails(
        ex,
        lambda w, g, lr, lam: (w - lr * g) - lr * lam * np.sign(w - lr * g),
        "cross over to the other sign",
    )
    assert_fails(ex, lambda w, g, lr, lam: soft(w, lr * lam) - lr * g, "before the gradient step")
    assert_fails(ex, lambda w, g, lr, lam: w - lr * g, "no shrinking")
    assert_fails(
        ex,
        lambda w, g, lr, lam: np.where(np.abs(w - lr * g) <= lr * lam, 0, w - lr * g),
        "hard thresholding",
    )
    # the sign of w instead of that of z: caught by the values
    assert_fails(
        ex,
        lambda w, g, lr, lam: np.sign(w) * np.maximum(np.abs(w - lr * g) - lr * lam, 0),
        "values differ",
    )


def test_proximal_l1_cases_have_exact_zeros():
    for case in ch05.proximal_l1_step.cases(np.random.default_rng(0)):
        assert np.any(ch05.proximal_l1_step.reference(*case.args.values()) == 0)


def _loop(*, watch="val_loss", copy=True, strict=True, stop_after=0, first=1, restore=True):
    """An early-stopping loop with one deliberate change (the defaults are right)."""

    def answer(model, patience, max_epochs):
        best, best_epoch, saved = np.inf, 0, None
        for epoch in range(first, max_epochs + first):
            model.step()
            loss = getattr(model, watch)()
            if loss < best or (not strict and loss == best):
                best, best_epoch = loss, epoch
                saved = [p.copy() for p in model.params] if copy else model.params
            elif epoch - best_epoch >= patience + stop_after:
                break
        if restore:
            model.set_params(saved)
        return best_epoch

    return answer


def test_early_stopping_right_answers_pass():
    ex = ch05.fit_with_early_stopping
    assert ex.check(_loop()).passed

    def with_wait_counter(model, patience, max_epochs):
        import copy

        best, best_epoch, saved, wait = np.inf, 0, None, 0
        for epoch in range(1, max_epochs + 1):
            model.step()
            loss = model.val_loss()
            if loss < best:
                best, best_epoch, saved, wait = loss, epoch, copy.deepcopy(model.params), 0
            else:
                wait += 1
                if wait == patience:
                    break
        model.set_params(saved)
        return best_epoch

    assert ex.check(with_wait_counter).passed


def test_early_stopping_wrong_answers():
    ex = ch05.fit_with_early_stopping
    kw = dict(leak_texts=())
    assert_fails(ex, _loop(restore=False), "weights of its last epoch", **kw)
    assert_fails(ex, _loop(copy=False), "overwritten by later epochs", **kw)
    assert_fails(ex, _loop(stop_after=1), "one epoch too many", **kw)
    assert_fails(ex, _loop(stop_after=-1), "one epoch too few", **kw)
    assert_fails(ex, _loop(watch="train_loss"), "training loss", **kw)
    assert_fails(ex, _loop(strict=False), "not an improvement", **kw)
    assert_fails(ex, _loop(first=0), "count the epochs from 1", **kw)

    def shallow_copy(model, patience, max_epochs):
        best, best_epoch, saved = np.inf, 0, None
        for epoch in range(1, max_epochs + 1):
            model.step()
            if (loss := model.val_loss()) < best:
                best, best_epoch, saved = loss, epoch, list(model.params)  # same arrays
            elif epoch - best_epoch >= patience:
                break
        model.set_params(saved)
        return best_epoch

    def no_return(model, patience, max_epochs):
        _loop()(model, patience, max_epochs)

    assert_fails(ex, shallow_copy, "overwritten by later epochs", **kw)
    assert_fails(ex, no_return, "returned None", **kw)


def test_scripted_model_behaves_like_a_training_loop():
    model = ch05.ScriptedModel([1.0, 0.5, 0.7])
    live = model.params
    first = [p.copy() for p in live]
    model.step()
    assert model.params is live and not np.array_equal(live[0], first[0])  # in place
    assert model.val_loss() == 1.0 and model.train_loss() < 2.0
    saved = [p.copy() for p in live]
    model.step()
    assert model.val_loss() == 0.5
    model.set_params(saved)
    assert model.val_loss() == 1.0 and not model.aliased
    with pytest.raises(ValueError, match="shape"):
        model.set_params([np.zeros(1), np.zeros(2)])
    with pytest.raises(TypeError, match="list of 2 arrays"):
        model.set_params(np.zeros((3, 2)))
    model.step()
    with pytest.raises(RuntimeError, match="max_epochs"):
        model.step()


def test_batchnorm_reference_matches_a_numerical_gradient():
    rng = np.random.default_rng(3)
    for N, D in ((4, 3), (2, 5), (9, 1)):
        x, dout = rng.normal(size=(N, D)) * 2 + 1, rng.normal(size=(N, D))
        gamma, beta, eps = rng.uniform(0.5, 2, size=D), rng.normal(size=D), 1e-5

        def J(x, gamma, beta, dout=dout, eps=eps):
            x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
            return np.sum(dout * (gamma * x_hat + beta))

        dx, dgamma, dbeta = ch05.batchnorm_backward.reference(dout, x, gamma, eps)
        h = 1e-6
        for arg, grad in ((0, dx), (1, dgamma), (2, dbeta)):
            args = [x, gamma, beta]
            num = np.zeros_like(args[arg])
            for i in np.ndindex(num.shape):
                up = [a.copy() for a in args]
                down = [a.copy() for a in args]
                up[arg][i] += h
                down[arg][i] -= h
                num[i] = (J(*up) - J(*down)) / (2 * h)
            np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-7)


def test_batchnorm_wrong_answers():
    ex = ch05.batchnorm_backward
    ref = ex.reference
    kw = dict(leak_texts=_bn_leaks)

    def direct_path_only(dout, x, gamma, eps):
        _, dgamma, dbeta = ref(dout, x, gamma, eps)
        return dout * gamma / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta

    def unbiased(dout, x, gamma, eps):
        N = x.shape[0]
        inv = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)
        x_hat = (x - x.mean(axis=0)) * inv
        g = dout * gamma
        dx = inv / N * (N * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0) * N / (N - 1))
        return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)

    def swapped(dout, x, gamma, eps):
        dx, dgamma, dbeta = ref(dout, x, gamma, eps)
        return dx, dbeta, dgamma

    def feature_axis(dout, x, gamma, eps):
        D = x.shape[1]
        inv = 1 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
        x_hat = (x - x.mean(axis=1, keepdims=True)) * inv
        g = dout * gamma
        s1, s2 = g.sum(axis=1, keepdims=True), (g * x_hat).sum(axis=1, keepdims=True)
        _, dgamma, dbeta = ref(dout, x, gamma, eps)
        return inv / D * (D * g - s1 - x_hat * s2), dgamma, dbeta

    def averaged(dout, x, gamma, eps):
        dx, dgamma, dbeta = ref(dout, x, gamma, eps)
        return dx, dgamma / len(x), dbeta / len(x)

    assert_fails(ex, direct_path_only, "mean and variance", **kw)
    assert_fails(ex, unbiased, "unbiased variance", **kw)
    assert_fails(ex, swapped, "swapped", **kw)
    assert_fails(ex, feature_axis, "wrong axis", **kw)
    assert_fails(ex, averaged, "N times too small", **kw)
    assert_fails(ex, lambda *a: np.vstack(ref(*a)), "should return a tuple", **kw)
    assert_fails(ex, lambda *a: ref(*a)[:2], "got 2 values", **kw)
    assert_fails(ex, lambda *a: (ref(*a)[0], ref(*a)[1], ref(*a)[2][:1]), "dbeta: shape", **kw)
    assert_fails(ex, lambda *a: (ref(*a)[0] * 1.001, *ref(*a)[1:]), "dx: values differ", **kw)


def test_augmented_epochs_wrong_answers():
    from lazynb.augment import augment_mnist

    ex = ch05.augmented_epochs
    kw = dict(leak_texts=())

    def draw(X, y, rng):
        return augment_mnist(X, y, rng=rng, max_shift=2, max_degrees=10, copies=1)

    def drawn_once(X, y, epochs, rng):
        pair = draw(X, y, rng)
        for _ in range(epochs):
            yield pair

    def fixed_seed(X, y, epochs, rng):
        for _ in range(epochs):
            yield draw(X, y, 0)

    def untransformed(X, y, epochs, rng):
        for _ in range(epochs):
            yield np.concatenate([X, X]), np.concatenate([y, y])

    def labels_shuffled(X, y, epochs, rng):
        for _ in range(epochs):
            X_ep, y_ep = draw(X, y, rng)
            yield X_ep, rng.permutation(y_ep)

    def as_list(X, y, epochs, rng):
        return [draw(X, y, rng) for _ in range(epochs)]

    assert ex.check(as_list).passed  # any iterable of per-epoch pairs will do
    assert_fails(ex, drawn_once, "same augmented copy", **kw)
    assert_fails(ex, fixed_seed, "same augmented copy", **kw)
    assert_fails(ex, untransformed, "originals unchanged", **kw)
    assert_fails(ex, labels_shuffled, "labels do not follow", **kw)
    assert_fails(ex, lambda X, y, e, rng: draw(X, y, rng), "one (X, y) pair", **kw)
    assert_fails(ex, lambda X, y, e, rng: [draw(X, y, rng)], "1 epochs", **kw)
    assert_fails(ex, lambda X, y, e, rng: None, "returned None", **kw)
