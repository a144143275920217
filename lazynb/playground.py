"""A small "TensorFlow Playground" in NumPy: train a network on a 2-D data set and watch it learn.

The state lives in a :class:`Playground` object, which works without widgets::

    pg = Playground("donut", hidden="8,8", activation="tanh", lr=0.03, l2=1e-3)
    pg.step()            # one epoch
    pg.run(200)          # 200 more epochs
    fig = pg.render()    # decision boundary + loss curves
    pg.score()           # {"train": ..., "test": ...} accuracies

In a notebook, displaying ``pg`` (or ``pg.widget``) shows controls for the data
set, the hidden layers ("8,8" means two hidden layers of 8 units), the
activation, the learning rate and the L2 penalty, with reset / step / run
buttons. Changing a control rebuilds the network from fresh weights; *run*
trains in chunks and redraws between them, so the boundary moves while it learns.

The network is the book's :class:`lazynb.mlp.MLP`, trained one epoch at a time
with ``partial_fit`` (the package's one training loop) and updated by an
optimiser from :mod:`lazynb.optimizers` wrapped in
:class:`lazynb.regularizers.Penalized` for the L2 term. Binary data sets use
one sigmoid output; the three Gaussian clouds use a softmax output.
:func:`playground_snapshot` trains one setting and returns the static figure
the rendered site shows in place of the live widget.
"""

from __future__ import annotations

import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._validate import check_positive_float, check_positive_int
from .activations import ACTIVATIONS, _check_name
from .data import synthetic
from .data.utils import train_test_split
from .mlp import MLP, new_history, record_epoch
from .optimizers import SGD, Adam, Momentum
from .plots import CLASS_COLOURS
from .regularizers import Penalized

__all__ = ["DATASETS", "OPTIMIZERS", "parse_hidden", "Playground", "playground_snapshot"]

DATASETS = {
    "xor": lambda n, seed: synthetic.make_xor(n, noise=0.3, seed=seed),
    "donut": lambda n, seed: synthetic.make_donut(n, seed=seed),
    "spiral": lambda n, seed: synthetic.make_spiral(n, seed=seed),
    "clouds": lambda n, seed: synthetic.make_clouds(n, seed=seed),
}
"""Name -> ``make(n, seed) -> (X: (n, 2), y: (n,))``, the book's synthetic sets."""

OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Name -> optimiser class (from :mod:`lazynb.optimizers`)."""

L2_CHOICES = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)  # the widget's menu, as in TensorFlow Playground


def parse_hidden(hidden) -> tuple[int, ...]:
    """Hidden layer sizes from ``"8,8"``, ``"8 8"``, ``8``, ``(8, 8)`` or ``""`` (no hidden layer).

    Returns a tuple of positive ints; raises ``ValueError`` naming the bad entry.
    """
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    if isinstance(hidden, str):
        text = hidden.strip()
        parts = [] if not text else (text.split(",") if "," in text else text.split())
        sizes = []
        for p in parts:
            p = p.strip()
            if not p.isdigit() or int(p) < 1:
                raise ValueError(
                    f"hidden must list positive layer sizes separated by commas, "
                    f"such as '8,8' (or '' for none); got {hidden!r}, "
                    f"where {p!r} is not a positive integer"
                )
            sizes.append(int(p))
        hidden = sizes
    if not hasattr(hidden, "__iter__"):
        raise TypeError(
            f"hidden must be a string such as '8,8' or a tuple of layer sizes, "
            f"got {type(hidden).__name__}"
        )
    sizes = tuple(hidden)
    for h in sizes:
        if isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1:
            raise ValueError(f"hidden layer sizes must be positive integers, got {sizes!r}")
    if len(sizes) > 6 or any(h > 256 for h in sizes):
        raise ValueError(
            f"the playground allows at most 6 hidden layers of at most 256 units, got {sizes!r}"
        )
    return tuple(int(h) for h in sizes)


class Playground:
    """A network, a 2-D data set and its training history; see the module docstring.

    Parameters
    ----------
    dataset : "xor", "donut", "spiral" or "clouds" (three classes, softmax output).
    hidden : hidden layer sizes, "8,8" or (8, 8); "" for none (logistic regression).
    activation : hidden activation, one of :data:`lazynb.activations.ACTIVATIONS`.
    lr : learning rate > 0.
    l2 : L2 penalty λ >= 0 on the weights (the cost gains λ Σ W²).
    optimizer : "sgd", "momentum" or "adam".
    batch_size : mini-batch size, or None for full-batch gradient descent.
    n : number of points; test_fraction : share of them held out as a test set.
    seed : fixes the data, the split, the initial weights and the batch order.

    Attributes: ``X_train, y_train, X_test, y_test`` (raw coordinates), ``model``
    (the :class:`lazynb.mlp.MLP`), ``params`` (a copy of its layers), ``epoch``
    (epochs trained since the last reset) and ``history``, the model's
    ``history_`` ("cost", "error", "val_cost", "val_error" on the test points, ...)
    with one more first entry: the untrained network (entry k: after k epochs).
    """

    def __init__(
        self,
        dataset: str = "xor",
        hidden="4,4",
        *,
        activation: str = "tanh",
        lr: float = 0.03,
        l2: float = 0.0,
        optimizer: str = "adam",
        batch_size=None,
        n: int | None = None,
        test_fraction: float = 0.3,
        seed: int = 0,
    ):
        self._settings = {}
        self.configure(
            dataset=dataset,
            hidden=hidden,
            activation=activation,
            lr=lr,
            l2=l2,
            optimizer=optimizer,
            batch_size=batch_size,
            n=n,
            test_fraction=test_fraction,
            seed=seed,
        )
        self._widget = None

    # ---------------------------------------------------------------- settings

    @staticmethod
    def _check(settings: dict) -> dict:
        s = dict(settings)
        s["dataset"] = _check_name(s["dataset"], DATASETS, "dataset")
        s["hidden"] = parse_hidden(s["hidden"])
        s["activation"] = _check_name(s["activation"], ACTIVATIONS, "activation")
        if (
            isinstance(s["lr"], bool)
            or not isinstance(s["lr"], numbers.Real)
            or not s["lr"] > 0
            or not np.isfinite(s["lr"])
        ):
            raise ValueError(f"lr (the learning rate) must be a finite number > 0, got {s['lr']!r}")
        s["lr"] = float(s["lr"])
        s["l2"] = check_positive_float(s["l2"], "l2", allow_zero=True)
        s["optimizer"] = _check_name(s["optimizer"], OPTIMIZERS, "optimizer")
        if s["batch_size"] is not None:
            s["batch_size"] = check_positive_int(s["batch_size"], "batch_size")
        if s["n"] is not None:
            s["n"] = check_positive_int(s["n"], "n", minimum=20)
        tf_ = s["test_fraction"]
        if isinstance(tf_, bool) or not isinstance(tf_, numbers.Real) or not 0 < tf_ < 1:
            raise ValueError(
                f"test_fraction must be a number strictly between 0 and 1, got {tf_!r}"
            )
        s["seed"] = check_positive_int(s["seed"], "seed", minimum=0)
        return s

    def configure(self, **changes) -> Playground:
        """Change settings (same names as the constructor) and rebuild from fresh weights.

        All changes are checked before any is applied: a bad value raises and
        leaves the playground as it was.
        """
        unknown = set(changes) - {
            "dataset",
            "hidden",
            "activation",
            "lr",
            "l2",
            "optimizer",
            "batch_size",
            "n",
            "test_fraction",
            "seed",
        }
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}")
        self._settings = self._check({**self._settings, **changes})
        for k, v in self._settings.items():
            setattr(self, k, v)
        self._make_data()
        self.reset()
        return self

    def _make_data(self):
        n = self.n or (600 if self.dataset == "spiral" else 300)
        X, y = DATASETS[self.dataset](n, self.seed)
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, self.test_fraction, seed=self.seed, stratify=True
        )
        # Standardise with the training set's statistics, as any real pipeline would.
        self._mu = self.X_train.mean(axis=0)
        self._sd = self.X_train.std(axis=0) + 1e-12
        self.n_classes = int(y.max()) + 1
        self.output = "sigmoid" if self.n_classes == 2 else "softmax"
        self._Z_train = self._standardise(self.X_train)
        self._Z_test = self._standardise(self.X_test)

    def _standardise(self, X):
        return ((np.asarray(X, dtype=np.float64) - self._mu) / self._sd).astype(np.float32)

    # ---------------------------------------------------------------- training

    @property
    def layer_sizes(self) -> list[int]:
        """``[2, *hidden, K]`` with K = 1 (sigmoid) or the number of classes (softmax)."""
        return [2, *self.hidden, 1 if self.output == "sigmoid" else self.n_classes]

    def reset(self) -> Playground:
        """Fresh weights and a history holding the untrained network (deterministic for a given seed)."""
        self.model = MLP(
            self.hidden,
            activation=self.activation,
            output=self.output,
            lr=self.lr,
            batch_size=self.batch_size,
            seed=self.seed,
            update=Penalized(OPTIMIZERS[self.optimizer](self.lr), l2=self.l2),
        )
        self.model.build(2, self.layer_sizes[-1])
        self.epoch = 0
        h = self.model.history_ = new_history(self.output, validation=True, every_iteration=False)
        cost, err = self._measure(self._Z_train, self.y_train)
        record_epoch(
            h,
            -1,
            cost=cost,
            err=err,
            iterations=0,
            elapsed=0.0,
            val=self._measure(self._Z_test, self.y_test),
        )
        return self

    def _measure(self, Z, y):
        """(mean loss, error rate) of the current network on standardised points Z and labels y."""
        m = self.model
        return m._evaluate(Z, m._as_targets(y, len(y), "y", m.n_outputs_, m._label_classes()))

    @property
    def params(self) -> list:
        """The network's layers ``[{"W": (D_in, D_out), "b": (D_out,)}, ...]`` (a copy)."""
        return self.model.params_

    @property
    def history(self) -> dict:
        return self.model.history_

    def step(self, epochs: int = 1) -> Playground:
        """Train for ``epochs`` epochs (one pass over the training set each)."""
        epochs = check_positive_int(epochs, "epochs")
        for _ in range(epochs):
            self.model.partial_fit(
                self._Z_train, self.y_train, X_val=self._Z_test, Y_val=self.y_test
            )
            self.epoch += 1
        return self

    def run(self, epochs: int = 100, *, chunk: int | None = None, callback=None) -> Playground:
        """Train ``epochs`` more epochs in chunks of ``chunk`` (default: a tenth), calling
        ``callback(self)`` after each chunk (the widget redraws there)."""
        epochs = check_positive_int(epochs, "epochs")
        chunk = max(1, epochs // 10) if chunk is None else check_positive_int(chunk, "chunk")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
        done = 0
        while done < epochs:
            k = min(chunk, epochs - done)
            self.step(k)
            done += k
            if callback is not None:
                callback(self)
        return self

    # ---------------------------------------------------------------- results

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities for raw points ``X: (M, 2)``: (M,) P(class 1) for two classes,
        (M, K) rows summing to 1 otherwise."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (M, 2), got {X.shape}")
        P = self.model.predict_proba(self._standardise(X))
        return P[:, 0] if self.output == "sigmoid" else P

    def predict(self, X) -> np.ndarray:
        """Class labels (M,) for raw points ``X: (M, 2)``."""
        P = self.predict_proba(X)
        return (P >= 0.5).astype(np.int64) if P.ndim == 1 else P.argmax(1).astype(np.int64)

    def score(self) -> dict:
        """Current accuracy on the training and the test points: ``{"train": a, "test": b}``."""
        return {"train": 1 - self.history["error"][-1], "test": 1 - self.history["val_error"][-1]}

    def loss(self) -> dict:
        """Current mean cross-entropy (without the L2 term): ``{"train": ..., "test": ...}``."""
        return {"train": self.history["cost"][-1], "test": self.history["val_cost"][-1]}

    def describe(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return (
            f"{self.dataset}: {sizes} {self.activation}, {self.optimizer} lr={self.lr:g}, "
            f"L2={self.l2:g}"
        )

    def render(self, fig=None, *, resolution: int = 100):
        """Draw the decision regions with the data (left) and the loss curves (right).

        Returns the Matplotlib figure (a new one unless ``fig`` is given).
        """
        if fig is None:
            fig = plt.figure(figsize=(10, 4.2), layout="constrained")
        ax_b, ax_l = fig.subplots(1, 2, width_ratios=[1.1, 1])
        X = np.vstack([self.X_train, self.X_test])
        (x0, y0), (x1, y1) = X.min(0) - 0.5, X.max(0) + 0.5
        gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
        P = self.predict_proba(np.column_stack([gx.ravel(), gy.ravel()]))
        if P.ndim == 1:
            ax_b.contourf(
                gx, gy, P.reshape(gx.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35
            )
            ax_b.contour(gx, gy, P.reshape(gx.shape), levels=[0.5], colors="black", linewidths=1.5)
        else:
            K = P.shape[1]
            cmap = ListedColormap([CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in range(K)])
            ax_b.contourf(
                gx,
                gy,
                P.argmax(1).reshape(gx.shape),
                levels=np.arange(K + 1) - 0.5,
                cmap=cmap,
                alpha=0.3,
            )
        for part, Xp, yp, marker in (
            ("train", self.X_train, self.y_train, "o"),
            ("test", self.X_test, self.y_test, "^"),
        ):
            for k in range(self.n_classes):
                pts = Xp[yp == k]
                ax_b.scatter(
                    pts[:, 0],
                    pts[:, 1],
                    s=16,
                    marker=marker,
                    color=CLASS_COLOURS[k % len(CLASS_COLOURS)],
                    edgecolor="white",
                    linewidth=0.3,
                    label=f"class {k} ({part})",
                )
        acc = self.score()
        ax_b.set(
            title=f"epoch {self.epoch}: train acc {acc['train']:.0%}, test acc {acc['test']:.0%}",
            xlabel="$x_1$",
            ylabel="$x_2$",
            xlim=(x0, x1),
            ylim=(y0, y1),
        )
        ax_b.legend(fontsize="x-small", loc="upper right", ncols=2)
        epochs = np.arange(len(self.history["cost"]))
        ax_l.plot(epochs, self.history["cost"], color=CLASS_COLOURS[0], lw=2, label="train")
        ax_l.plot(
            epochs, self.history["val_cost"], color=CLASS_COLOURS[1], lw=2, ls="--", label="test"
        )
        ax_l.set(title="Loss while training", xlabel="epoch", ylabel="cross-entropy")
        ax_l.legend()
        fig.suptitle(self.describe())
        return fig

    # ---------------------------------------------------------------- widget

    @property
    def widget(self):
        """The ipywidgets controls and output (built on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as w

        self._controls = {
            "dataset": w.Dropdown(options=list(DATASETS), value=self.dataset, description="data"),
            "hidden": w.Text(
                value=",".join(map(str, self.hidden)),
                description="hidden",
                placeholder="e.g. 8,8",
                continuous_update=False,
            ),
            "activation": w.Dropdown(
                options=sorted(ACTIVATIONS), value=self.activation, description="activation"
            ),
            "lr": w.FloatLogSlider(
                value=self.lr,
                base=10,
                min=-4,
                max=0,
                step=0.25,
                description="lr",
                continuous_update=False,
            ),
            "l2": w.Dropdown(
                options=sorted(set(L2_CHOICES) | {self.l2}), value=self.l2, description="L2"
            ),
            "optimizer": w.Dropdown(
                options=list(OPTIMIZERS), value=self.optimizer, description="optimiser"
            ),
        }
        self._epochs_box = w.IntSlider(
            value=200, min=10, max=1000, step=10, description="run epochs", continuous_update=False
        )
        buttons = {name: w.Button(description=name) for name in ("reset", "step", "run")}
        self._status = w.HTML()
        self._out = w.Output()
        for name, c in self._controls.items():
            c.observe(
                lambda change, name=name: self._on_control(name, change["new"]), names="value"
            )
        buttons["reset"].on_click(lambda _b: self._safe(lambda: self.reset()))
        buttons["step"].on_click(lambda _b: self._safe(lambda: self.step(10)))
        buttons["run"].on_click(
            lambda _b: self._safe(
                lambda: self.run(self._epochs_box.value, callback=lambda _pg: self._redraw())
            )
        )
        c = self._controls
        box = w.VBox(
            [
                w.HBox([c["dataset"], c["hidden"], c["activation"]]),
                w.HBox([c["lr"], c["l2"], c["optimizer"]]),
                w.HBox([buttons["reset"], buttons["step"], buttons["run"], self._epochs_box]),
                self._status,
                self._out,
            ]
        )
        self._redraw()
        return box

    def _on_control(self, name, value):
        self._safe(lambda: self.configure(**{name: value}))

    def _safe(self, action):
        """Run a button's or control's action; show errors in the status line instead of raising."""
        try:
            action()
        except (ValueError, TypeError, FloatingPointError) as e:
            self._status.value = f"<span style='color:#D55E00'>{type(e).__name__}: {e}</span>"
            return
        self._status.value = ""
        self._redraw()

    def _redraw(self):
        self._out.clear_output(wait=True)
        with self._out:
            self.render()
            plt.show()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def playground_snapshot(
    dataset: str = "donut",
    hidden="8,8",
    *,
    epochs: int = 300,
    return_playground: bool = False,
    **settings,
):
    """Train a :class:`Playground` for ``epochs`` epochs and return its figure.

    ``settings`` are the other :class:`Playground` arguments (activation, lr, l2,
    seed, ...). The static figure stands in for the live widget on the rendered
    site; with ``return_playground=True`` the result is ``(figure, playground)``.
    """
    pg = Playground(dataset, hidden, **settings)
    pg.run(epochs)
    fig = pg.render()
    return (fig, pg) if return_playground else fig
