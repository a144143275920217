"""lazynb.experiments: mean ± se over seeds, and claims that hold only beyond a margin."""

import math

import numpy as np
import pytest

from lazynb.experiments import Estimate, assert_lower, estimate, fmt, over_seeds, table


def test_estimate_mean_and_standard_error_match_numpy():
    vals = [0.071, 0.078, 0.069, 0.074]
    e = estimate(vals, seeds=[0, 1, 2, 3])
    assert e.n == 4 and e.seeds == (0, 1, 2, 3)
    assert e.mean == pytest.approx(np.mean(vals))
    assert e.se == pytest.approx(np.std(vals, ddof=1) / 2)


def test_one_value_has_no_standard_error():
    e = estimate([0.5])
    assert math.isnan(e.se)
    assert "1 seed" in fmt(e)


def test_over_seeds_calls_each_seed_once_and_collects_every_metric():
    calls = []

    def run(seed):
        calls.append(seed)
        return {"train": seed / 10, "test": 1 + seed}

    out = over_seeds(run, seeds=(3, 1, 2))
    assert calls == [3, 1, 2]
    assert out["train"].values == (0.3, 0.1, 0.2) and out["test"].seeds == (3, 1, 2)
    assert over_seeds(lambda s: float(s), seeds=(0, 1))["value"].mean == 0.5


@pytest.mark.parametrize("seeds", [(), (0, 0, 1), (0, 1.5), (True, 1)])
def test_over_seeds_rejects_bad_seeds(seeds):
    with pytest.raises(ValueError, match="seeds"):
        over_seeds(lambda s: 1.0, seeds=seeds)


def test_over_seeds_rejects_runs_that_disagree_or_return_nonsense():
    with pytest.raises(ValueError, match="returned metrics"):
        over_seeds(lambda s: {"a": 1.0} if s == 0 else {"b": 1.0}, seeds=(0, 1))
    with pytest.raises(TypeError, match="mapping of metric names"):
        over_seeds(lambda s: "7 %", seeds=(0, 1))
    with pytest.raises(ValueError, match="finite"):
        over_seeds(lambda s: {"loss": float("nan")}, seeds=(0, 1))
    with pytest.raises(TypeError, match="function of the seed"):
        over_seeds([1, 2], seeds=(0, 1))


def test_fmt_shows_mean_and_se_with_matching_decimals():
    e = estimate([0.070, 0.076, 0.073])
    # se = 0.0017: two significant figures of the se set the decimals of both
    assert fmt(e) == "0.0730 ± 0.0017"
    assert fmt(e, percent=True) == "7.30 ± 0.17 %"
    assert fmt(e, digits=4) == f"{e.mean:.4f} ± {e.se:.4f}"
    assert str(e) == fmt(e)
    with pytest.raises(TypeError, match="Estimate"):
        fmt(0.07)


def test_assert_lower_passes_a_clear_difference_and_returns_the_margin():
    a, b = estimate([0.05, 0.051, 0.049]), estimate([0.08, 0.082, 0.078])
    margin = assert_lower(a, b, k=2)
    assert margin == pytest.approx((b.mean - a.mean) / math.hypot(a.se, b.se))
    assert margin > 10


def test_assert_lower_fails_within_noise_and_quotes_both_numbers():
    a, b = estimate([0.070, 0.080, 0.075]), estimate([0.072, 0.082, 0.078])
    with pytest.raises(AssertionError) as info:
        assert_lower(a, b, k=2, what="dropout vs plain")
    msg = str(info.value)
    assert "dropout vs plain" in msg and fmt(a) in msg and fmt(b) in msg
    assert "standard errors" in msg


def test_assert_lower_fails_when_the_order_is_wrong():
    a, b = estimate([0.08, 0.081, 0.079]), estimate([0.05, 0.051, 0.049])
    with pytest.raises(AssertionError):
        assert_lower(a, b, k=0)


def test_paired_comparison_cancels_shared_seed_noise():
    # Each seed shifts both arms alike; b is always 0.01 above a.
    base = [0.05, 0.09, 0.07, 0.11]
    a = estimate(base, seeds=[0, 1, 2, 3])
    b = estimate(
        [v + 0.01 + d for v, d in zip(base, [0.001, -0.001, 0.0005, -0.0005])], seeds=[0, 1, 2, 3]
    )
    with pytest.raises(AssertionError):
        assert_lower(a, b, k=2)  # unpaired: the seed spread swamps 0.01
    assert assert_lower(a, b, k=2, paired=True) > 10
    with pytest.raises(ValueError, match="same seeds"):
        assert_lower(a, estimate(b.values, seeds=[4, 5, 6, 7]), paired=True)


def test_assert_lower_needs_two_seeds_and_a_sane_k():
    one, two = estimate([0.1]), estimate([0.2, 0.3])
    with pytest.raises(ValueError, match="at least 2 seeds"):
        assert_lower(one, two)
    with pytest.raises(ValueError, match="k must be"):
        assert_lower(two, estimate([0.5, 0.6]), k=-1)
    with pytest.raises(TypeError, match="Estimate"):
        assert_lower(0.1, two)
    with pytest.raises(ValueError, match="paired"):
        assert_lower(two, estimate([0.5, 0.6, 0.7]), paired=True)


def test_assert_lower_with_no_spread_at_all():
    a, b = estimate([0.1, 0.1]), estimate([0.2, 0.2])
    assert assert_lower(a, b) == math.inf
    with pytest.raises(AssertionError):
        assert_lower(b, a)


def test_table_lines_up_arms_and_metrics():
    rows = {
        "plain": {"train": estimate([0.01, 0.02]), "test": estimate([0.07, 0.08])},
        "L2": {"train": estimate([0.03, 0.04]), "test": estimate([0.06, 0.065])},
    }
    text = table(rows, percent=["test"], first="arm")
    lines = text.splitlines()
    assert lines[0].split() == ["arm", "train", "test"]
    assert lines[1].startswith("plain") and fmt(rows["plain"]["test"], percent=True) in lines[1]
    assert fmt(rows["L2"]["train"]) in lines[2]
    assert len({len(line) for line in lines}) == 1
    with pytest.raises(ValueError, match="metrics"):
        table({"a": {"x": estimate([1, 2])}, "b": {"y": estimate([1, 2])}})


def test_table_uses_one_precision_per_column():
    # se 0.050 alone would show 3 decimals, se 0.127 two: the column shows two for both.
    rows = {
        "MLP": {"err": estimate([7.513, 7.600, 7.687])},
        "CNN": {"err": estimate([4.42, 4.64, 4.86])},
    }
    lines = table(rows).splitlines()
    assert lines[1].split()[-3:] == ["7.60", "±", "0.05"]
    assert lines[2].split()[-3:] == ["4.64", "±", "0.13"]
    with pytest.raises(ValueError, match="non-empty"):
        table({})


def test_estimate_rejects_bad_values():
    with pytest.raises(ValueError, match="at least one"):
        estimate([])
    with pytest.raises(TypeError, match="real numbers"):
        estimate(["0.1"])
    with pytest.raises(ValueError, match="one for one"):
        estimate([1, 2], seeds=[0])
    assert isinstance(estimate(np.array([1, 2], dtype=np.float32)), Estimate)
