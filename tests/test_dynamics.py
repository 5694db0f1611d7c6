"""GD steps, trajectories and the gradient-flow integrator."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalar_eos as se
from scalar_eos.errors import InvalidArgument

from .helpers import assert_close, rel_error


def test_gd_step_formula():
    w = np.array([0.5, 3.0, -1.2])
    eta = 0.1
    expected = w - eta * se.grad(w)
    assert_close(se.gd_step(w, eta), expected, rel=1e-15)
    assert_close(se.gd_step(w, eta, scale=2.0), w - 2 * eta * se.grad(w), rel=1e-15)


def test_gd_step_in_high_precision():
    nxt = se.gd_step(["0.5", "3"], "0.1", dps=40)
    # pi = 1.5, r = 0.5: w - 0.05 * (3, 0.5)
    assert rel_error(nxt[0], "0.35") < mpmath.mpf("1e-40")
    assert rel_error(nxt[1], "2.975") < mpmath.mpf("1e-40")


def test_trajectory_records_consistent_quantities():
    tr = se.gd([0.5, 3.3, 0.5], 0.45, 40)
    assert len(tr) == 41 and tr.stopped is None
    for t in (0, 17, 40):
        w = tr.weights[t]
        assert_close(tr.loss[t], se.loss(w), rel=1e-15)
        assert_close(tr.product[t], se.product(w), rel=1e-15)
        assert_close(tr.gfs_sharpness[t], se.gfs_sharpness(w), rel=1e-15)
        assert_close(tr.sharpness[t], se.sharpness(w), rel=1e-13)
    assert_close(tr.weights[1], se.gd_step(tr.weights[0], 0.45), rel=0)
    records = tr.records()
    assert set(records[0]) == {"t", "loss", "product", "sharpness", "gfs_sharpness"}


def test_edge_of_stability_run_decreases_gfs_sharpness():
    """The paper's central picture on the demo example: loss not monotone, psi is."""
    tr = se.gd([0.5, 3.3, 0.5], 0.45, 300)
    assert np.sum(np.diff(tr.loss) > 0) > 50
    assert np.all(np.diff(tr.gfs_sharpness) < 0)
    assert 0.98 * tr.threshold < tr.gfs_sharpness[-1] < tr.threshold


def test_divergence_stops_the_run():
    tr = se.gd([3.0, 3.0], 1.0, 50)
    assert tr.stopped is not None and "diverged" in tr.stopped
    assert len(tr) < 51
    assert np.all(np.isfinite(tr.loss))


def test_float_and_high_precision_runs_agree_for_a_stable_run():
    lo = se.gd([0.5, 1.5], 0.1, 30)
    hi = se.gd(["0.5", "1.5"], "0.1", 30, dps=30)
    assert_close(lo.gfs_sharpness, [float(x) for x in hi.gfs_sharpness], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1, 2], 0, 5), "eta must be positive"),
        (([1, 2], -0.1, 5), "eta must be positive"),
        (([1, 2], float("nan"), 5), "finite"),
        (([1, 2], 0.1, -1), "non-negative"),
        (([1, 2], 0.1, 2.5), "integer"),
        (([], 0.1, 5), "empty"),
    ],
)
def test_bad_gd_input(args, match):
    with pytest.raises(InvalidArgument, match=match):
        se.gd(*args)


@given(
    st.lists(st.floats(0.2, 2.5), min_size=2, max_size=5),
    st.lists(st.booleans(), min_size=5, max_size=5),
    st.floats(0.5, 3.0),
)
def test_gradient_flow_conserves_balancedness(mags, negs, t):
    w0 = np.array([m * (-1 if n else 1) for m, n in zip(mags, negs, strict=False)])
    w = se.gradient_flow(w0, t, rtol=1e-12)
    inv0 = w0[:, None] ** 2 - w0[None, :] ** 2
    inv = w[:, None] ** 2 - w[None, :] ** 2
    scale = max(1.0, float(np.max(w0**2)))
    assert np.max(np.abs(inv - inv0)) <= 1e-8 * scale


def test_gradient_flow_product_moves_monotonically_to_target():
    times = np.linspace(0, 1.5, 31)
    path = se.gradient_flow([0.4, 0.9, 1.3], times, target=2.0)
    pis = np.prod(path, axis=1)
    assert np.all(np.diff(pis) > 0) and pis[-1] < 2.0 + 1e-12
    assert abs(pis[-1] - 2.0) < 1e-3


def test_gradient_flow_bad_times():
    with pytest.raises(InvalidArgument):
        se.gradient_flow([1, 2], -1.0)
    with pytest.raises(InvalidArgument):
        se.gradient_flow([1, 2], [2.0, 1.0])
