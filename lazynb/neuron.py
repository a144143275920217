"""Single units: the neurons of chapter 1.

:class:`Perceptron` is Rosenblatt's unit: a step of the pre-activation
``a = w . x + b``, trained by the perceptron learning rule, which moves the
weights only on mistakes. It converges on linearly separable data and never on
XOR.

The logistic unit computes ``P(Y=1 | x) = sigmoid(w . x + b)``. :class:`LogisticUnit`
trains one by full-batch gradient descent on the binary cross-entropy, the
"repetition lowers the error" loop of the e-book's chapter 2. Chapter 1 derives
its update: the gradient of the cross-entropy with respect to ``a`` is ``p - t``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, as_labels, check_positive_float, check_positive_int
from .activations import sigmoid
from .losses import binary_cross_entropy
from .metrics import error_rate


def step(a):
    """The step (Heaviside) function of the perceptron: 1 where ``a >= 0``, else 0.

    a: array of any shape (or a number) of pre-activations. Returns an int64 array
    of the same shape. Its derivative is 0 wherever it exists (everywhere but 0).
    """
    a = as_float_array(a, "a")
    return (a >= 0).astype(np.int64)


def logistic_unit(X, w, b=0.0):
    """Output of one logistic unit for each row of ``X``.

    X: (N, D) inputs, one sample per row (a single sample (D,) is also accepted);
    w: (D,) weights; b: scalar bias. Returns P(Y=1|x) with shape (N,) (or a
    0-d array for a single sample).
    """
    X = as_float_array(X, "X", ndim=(1, 2))
    w = as_float_array(w, "w", ndim=1)
    if isinstance(b, (bool, np.bool_)):  # True would silently be a bias of 1.0
        raise TypeError("b must be a number (the bias), got bool")
    b = as_float_array(b, "b", ndim=0)
    if X.shape[-1] != w.shape[0]:
        raise ValueError(
            f"X has {X.shape[-1]} features per sample but w has {w.shape[0]} weights; "
            "they must match (X: (N, D), w: (D,))"
        )
    return sigmoid(X @ w + b)


def _check_binary_data(X, y):
    """X: (N, D) as a float array and y: (N,) as int64 labels, each 0 or 1, or a clear error."""
    X = as_float_array(X, "X", ndim=2)
    t = as_labels(y, "y", n=X.shape[0])
    if np.any(t > 1):
        raise ValueError("y must hold binary labels 0 or 1 for a single logistic unit")
    return X, t


class Perceptron:
    """Rosenblatt's perceptron: a step unit trained by the perceptron learning rule.

    Parameters: ``lr`` learning rate (with the weights starting at 0 it only scales
    them, so the predictions do not depend on it), ``epochs`` the most passes over
    the data. Training stops after the first pass without a mistake.

    After :meth:`fit`: ``w_`` (D,), ``b_`` float, ``mistakes_`` the number of
    misclassified samples (= updates) in each pass, and ``converged_``, True when
    the last pass made no mistake.
    """

    def __init__(self, lr: float = 1.0, epochs: int = 100):
        self.lr = check_positive_float(lr, "lr")
        self.epochs = check_positive_int(epochs, "epochs")

    def fit(self, X, y):
        """Train on X: (N, D) and binary labels y: (N,) in {0, 1}, one sample at a time.

        Returns ``self``.
        """
        X, t = _check_binary_data(X, y)
        self.w_, self.b_ = np.zeros(X.shape[1]), 0.0
        self.mistakes_ = []
        for _ in range(self.epochs):
            mistakes = 0
            for x_n, t_n in zip(X, t):
                y_n = step(x_n @ self.w_ + self.b_)  # the unit's answer, 0 or 1
                if y_n != t_n:  # only a mistake moves the weights, towards the right answer
                    self.w_ += self.lr * (t_n - y_n) * x_n
                    self.b_ += self.lr * (t_n - y_n)
                    mistakes += 1
            self.mistakes_.append(mistakes)
            if mistakes == 0:  # every sample is on its right side: nothing left to learn
                break
        self.converged_ = self.mistakes_[-1] == 0
        return self

    def predict(self, X):
        """Class 0 or 1 for each row of X: (N, D). Returns (N,) int64."""
        if not hasattr(self, "w_"):
            raise RuntimeError("this Perceptron is not trained yet: call fit(X, y) first")
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.w_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features per sample but the perceptron was trained "
                f"on {self.w_.shape[0]}"
            )
        return step(X @ self.w_ + self.b_)

    def score(self, X, y) -> float:
        """Classification rate on X: (N, D), y: (N,) binary labels in {0, 1}."""
        X, t = _check_binary_data(X, y)
        return 1.0 - error_rate(t, self.predict(X))


class LogisticUnit:
    """A single logistic unit trained by full-batch gradient descent.

    Parameters: ``lr`` learning rate, ``epochs`` passes over the data,
    ``seed`` for the small random initial weights.

    After :meth:`fit`: ``w_`` (D,), ``b_`` float, and ``history_`` with one entry
    per epoch: ``"cost"`` (mean binary cross-entropy) and ``"error"`` (error rate
    at the 0.5 threshold), both measured before that epoch's update.
    """

    def __init__(self, lr: float = 0.1, epochs: int = 100, seed: int = 0):
        self.lr = check_positive_float(lr, "lr")
        self.epochs = check_positive_int(epochs, "epochs")
        self.seed = check_positive_int(seed, "seed", minimum=0)

    def fit(self, X, y):
        """Train on X: (N, D) and binary labels y: (N,) in {0, 1}. Returns ``self``."""
        X, t = _check_binary_data(X, y)
        N, D = X.shape
        rng = np.random.default_rng(self.seed)
        self.w_ = rng.normal(0.0, 1.0 / np.sqrt(D), size=D)
        self.b_ = 0.0
        self.history_ = {"cost": [], "error": []}
        for _ in range(self.epochs):
            p = sigmoid(X @ self.w_ + self.b_)
            self.history_["cost"].append(binary_cross_entropy(t, p))
            self.history_["error"].append(error_rate(t, (p >= 0.5).astype(np.int64)))
            # dJ/da = p - t (derived in chapter 1); dJ/dw = mean of (p - t) x over the samples.
            delta = p - t
            self.w_ -= self.lr * (X.T @ delta) / N
            self.b_ -= self.lr * float(delta.mean())
        return self

    def _check_fitted(self):
        if not hasattr(self, "w_"):
            raise RuntimeError("this LogisticUnit is not trained yet: call fit(X, y) first")

    def predict_proba(self, X):
        """P(Y=1|x) for each row of X: (N, D). Returns (N,)."""
        self._check_fitted()
        return logistic_unit(X, self.w_, self.b_)

    def predict(self, X):
        """Class 0 or 1 for each row of X: (N, D), at the 0.5 threshold. Returns (N,) int64."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)

    def score(self, X, y) -> float:
        """Classification rate on X: (N, D), y: (N,) binary labels in {0, 1}."""
        t = as_labels(y, "y")
        if np.any(t > 1):  # as in fit: a label the unit can never predict is a mix-up
            raise ValueError("y must hold binary labels 0 or 1 for a single logistic unit")
        return 1.0 - error_rate(t, self.predict(X))
