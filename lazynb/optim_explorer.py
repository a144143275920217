"""The optimiser explorer of chapter 5: trajectories on an ill-conditioned 2-D quadratic.

:func:`run_optimizer` builds an optimiser by name and runs it on
``f(x) = ½(a₁x₁² + a₂x₂²)`` (:func:`lazynb.optimizers.quadratic`);
:func:`optimizer_panel` draws several runs (the static figure the site shows);
:class:`OptimizerExplorer` puts the same drawing behind widgets (needs a live kernel).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import optimizers as opt
from ._validate import check_positive_int

__all__ = [
    "OPTIMIZERS",
    "make_optimizer",
    "run_optimizer",
    "plot_runs",
    "optimizer_panel",
    "OptimizerExplorer",
]

#: The optimisers the explorer offers, by name (see :func:`make_optimizer`).
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")
CURVATURES = (1.0, 25.0)
X0 = (-4.0, 2.0)


def make_optimizer(name: str, lr: float, mu: float = 0.9, decay: float = 0.9):
    """An optimiser by name (one of :data:`OPTIMIZERS`); mu: momentum; decay: RMSprop's decay
    (and Adam's β₂ is left at 0.999)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")
    if name == "SGD":
        return opt.SGD(lr)
    if name in ("Momentum", "Nesterov"):
        return getattr(opt, name)(lr, mu=mu)
    if name == "AdaGrad":
        return opt.AdaGrad(lr)
    if name == "RMSprop":
        return opt.RMSprop(lr, decay=decay)
    return opt.Adam(lr)


def run_optimizer(
    name: str,
    lr: float,
    *,
    mu: float = 0.9,
    decay: float = 0.9,
    steps: int = 100,
    curvatures=CURVATURES,
    x0=X0,
):
    """Run the named optimiser from x0 on the quadratic; return a :class:`~lazynb.optimizers.Trajectory`.

    A learning rate too large for the valley raises ValueError (the cost became inf).
    """
    steps = check_positive_int(steps, "steps")
    return opt.minimize(
        opt.quadratic(curvatures), np.asarray(x0, float), make_optimizer(name, lr, mu, decay), steps
    )


def plot_runs(runs: dict, axes=None, *, curvatures=CURVATURES):
    """Draw ``{label: Trajectory}`` as paths over the contours and as loss vs step; return the axes."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ax, ax2 = axes
    a = np.asarray(curvatures, float)
    g1, g2 = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2.5, 2.5, 200))
    ax.contour(
        g1,
        g2,
        0.5 * (a[0] * g1**2 + a[1] * g2**2),
        levels=np.geomspace(0.05, 80, 12),
        colors="0.75",
        linewidths=0.8,
    )
    for label, tr in runs.items():
        (line,) = ax.plot(tr.x[:, 0], tr.x[:, 1], ".-", ms=3, lw=1, label=label)
        ax2.semilogy(np.maximum(tr.f, 1e-16), color=line.get_color(), label=label)
    ax.plot(0, 0, "k*", ms=10)
    ax.set(
        xlim=(-4.5, 4.5),
        ylim=(-2.5, 2.5),
        xlabel="$x_1$",
        ylabel="$x_2$",
        title=f"paths on $f = ½({a[0]:g}x_1^2 + {a[1]:g}x_2^2)$",
    )
    ax2.set(xlabel="step", ylabel="f (log scale)", title="loss vs step")
    if runs:
        ax2.legend(fontsize=8)
    return axes


def optimizer_panel(settings=None, *, steps: int = 100):
    """Static figure: every optimiser with a reasonable setting. Returns ``(figure, runs)``."""
    if settings is None:
        settings = {
            "SGD": dict(lr=0.07),
            "Momentum": dict(lr=0.03, mu=0.8),
            "Nesterov": dict(lr=0.03, mu=0.8),
            "AdaGrad": dict(lr=1.0),
            "RMSprop": dict(lr=0.1),
            "Adam": dict(lr=0.3),
        }
    runs = {
        f"{name} " + ", ".join(f"{k}={v:g}" for k, v in kw.items()): run_optimizer(
            name, steps=steps, **kw
        )
        for name, kw in settings.items()
    }
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    plot_runs(runs, axes)
    return fig, runs


class OptimizerExplorer:
    """Widgets to pick an optimiser, lr, μ and decay; redraws the path and the loss vs step.

    Always shows plain SGD with the same lr for comparison. ``render()`` draws the current
    setting and returns the runs (tests use it).
    """

    def __init__(
        self,
        name: str = "Momentum",
        lr: float = 0.03,
        mu: float = 0.8,
        decay: float = 0.9,
        steps: int = 100,
    ):
        import ipywidgets as widgets

        self.steps = check_positive_int(steps, "steps")
        self.name = widgets.Dropdown(options=OPTIMIZERS, value=name, description="optimiser")
        self.lr = widgets.FloatLogSlider(
            value=lr, base=10, min=-3, max=0.5, step=0.05, description="lr", continuous_update=False
        )
        self.mu = widgets.FloatSlider(
            value=mu, min=0.0, max=0.99, step=0.01, description="μ", continuous_update=False
        )
        self.decay = widgets.FloatSlider(
            value=decay,
            min=0.5,
            max=0.999,
            step=0.001,
            description="decay",
            continuous_update=False,
        )
        self.out = widgets.Output()
        for w in (self.name, self.lr, self.mu, self.decay):
            w.observe(lambda _change: self._redraw(), names="value")
        self.widget = widgets.VBox(
            [widgets.HBox([self.name, self.lr]), widgets.HBox([self.mu, self.decay]), self.out]
        )
        self._redraw()

    def render(self, axes=None):
        runs = {}
        for name in dict.fromkeys(["SGD", self.name.value]):
            try:
                tr = run_optimizer(
                    name, self.lr.value, mu=self.mu.value, decay=self.decay.value, steps=self.steps
                )
            except ValueError:
                tr = None
            if tr is None or not tr.f[-1] <= tr.f[0]:  # the cost grew: lr too large for this valley
                runs[f"{name} (diverged)"] = None
            else:
                runs[name] = tr
        plot_runs({k: v for k, v in runs.items() if v is not None}, axes)
        return runs

    def _redraw(self):
        self.out.clear_output(wait=True)
        with self.out:
            self.runs_ = self.render()
            plt.show()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
