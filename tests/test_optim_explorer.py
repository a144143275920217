import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lazynb import optimizers as opt  # noqa: E402
from lazynb.optim_explorer import (
    OPTIMIZERS,
    OptimizerExplorer,
    make_optimizer,  # noqa: E402
    optimizer_panel,
    run_optimizer,
)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_make_optimizer_types(name):
    o = make_optimizer(name, 0.01, mu=0.5, decay=0.8)
    assert type(o).__name__ == name
    if name in ("Momentum", "Nesterov"):
        assert o.mu == 0.5
    if name == "RMSprop":
        assert o.decay == 0.8


def test_unknown_name():
    with pytest.raises(ValueError, match="one of"):
        make_optimizer("sgd", 0.1)


def test_panel_every_optimizer_converges():
    fig, runs = optimizer_panel(steps=100)
    assert len(runs) == len(OPTIMIZERS)
    for label, tr in runs.items():
        assert tr.f[-1] < 1e-2 * tr.f[0], label
    plt.close(fig)


def test_run_matches_minimize():
    tr = run_optimizer("Momentum", 0.03, mu=0.8, steps=20)
    ref = opt.minimize(
        opt.quadratic((1.0, 25.0)), np.array([-4.0, 2.0]), opt.Momentum(0.03, mu=0.8), 20
    )
    np.testing.assert_array_equal(tr.x, ref.x)


def test_divergence_raises():
    with pytest.raises(ValueError):
        run_optimizer("SGD", 1.0, steps=300)  # lr > 2/25: the cost overflows


def test_explorer_renders_and_reacts():
    ex = OptimizerExplorer(name="Nesterov", lr=0.03, mu=0.8, steps=30)
    assert set(ex.runs_) == {"SGD", "Nesterov"}
    ex.lr.value = 0.2  # SGD diverges at this rate: reported, not raised
    assert "SGD (diverged)" in ex.runs_
    plt.close("all")
