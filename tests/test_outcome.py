"""The GD outcome classifier on constructed cases of each status."""

from __future__ import annotations

import numpy as np
import pytest

import scalar_eos as se
from scalar_eos.errors import InvalidArgument
from scalar_eos.outcome import OUTCOMES, classify_batch


def test_edge_of_stability_convergence():
    o = se.classify([0.5, 3.3, 0.5], 0.45)
    assert o.status == "converged" and o.gfs_monotone
    assert 0.98 < o.final_sharpness * 0.45 / 2 <= 1
    assert o.gap > 0
    # the certified final sharpness matches a long reference run's GFS sharpness
    tr = se.gd([0.5, 3.3, 0.5], 0.45, o.steps + 200)
    assert abs(tr.gfs_sharpness[-1] - o.final_sharpness) <= 1e-10 * o.final_sharpness


@pytest.mark.parametrize(("w", "eta"), [([1.0, 1.01], 1.2), ([1.0, 1.02, 0.99], 0.8)])
def test_periodic_orbit_from_nearly_balanced_start(w, eta):
    o = se.classify(w, eta)
    assert o.status == "periodic" and o.period == 2
    assert len(o.orbit) == 2
    # the orbit really repeats (in |w|) under two GD steps
    nxt = se.gd_step(se.gd_step(o.orbit[0], eta), eta)
    assert np.allclose(np.abs(nxt), np.abs(o.orbit[0]), rtol=1e-7)


def test_divergence():
    o = se.classify([3.0, 3.0, 3.0], 0.45)
    assert o.status == "diverged" and o.final_sharpness is None


def test_saddle():
    o = se.classify([1.0, -1.0], 0.1)
    assert o.status == "saddle"
    assert np.allclose(o.final_weights, 0, atol=1e-10)


def test_undecided_with_reasons():
    o = se.classify([0.5, 3.3, 0.5], 0.45, max_steps=64)
    assert o.status == "undecided" and o.reason
    # critical slowing down: converging to a minimiser with eta * psi just below 2
    eta = 2 / se.psi_min(2) * (1 - 1e-7)
    o = se.classify([1.0, 1.0001], eta, max_steps=2000)
    assert o.status == "undecided" and "critical slowing" in o.reason


def test_batch_matches_single_runs_and_handles_bad_rows():
    W = np.array([[0.5, 3.3, 0.5], [1.0, 1.02, 0.99], [3.0, 3.0, 3.0], [np.nan, 1.0, 1.0]])
    res = classify_batch(W, np.array([0.45, 0.8, 0.45, 0.1]))
    assert [OUTCOMES[s] for s in res["status"]] == ["converged", "periodic", "diverged", "diverged"]
    with pytest.raises(InvalidArgument):
        classify_batch(W, 0.1, max_steps=0)


@pytest.mark.parametrize(
    ("w0", "eta"), [([0.0, 0.0], 0.1), ([1e-3, -1e-3, 0.0], 0.2), ([1.0, 1.01], 1.2), ([0.5, 3.3], 0.45)]
)
def test_classify_and_outcome_at_build_the_same_outcome(w0, eta):
    """One way to build an Outcome: a single run and a row of a batch agree, saddles included."""
    from scalar_eos.outcome import outcome_at

    single = se.classify(w0, eta, target=2.0)
    res = classify_batch([w0, w0], [eta, eta], target=2.0)
    row = outcome_at(res, 1, eta, target=2.0, orbit=True)
    assert row == single
    if single.status == "saddle":  # the sharpness at the saddle iterate, independently
        assert single.final_sharpness == pytest.approx(float(se.sharpness(single.final_weights, target=2.0)))


def _ray_map(a: float, eta: float, depth: int, sign: float) -> float:
    """GD on the ray ``|w_1| = ... = |w_D| = a`` with ``sign(pi) = sign``, target 1: the new ``a``."""
    p = sign * a**depth
    return a - eta * (p - 1.0) * p / a


@pytest.mark.parametrize(("w0", "eta"), [([-0.3, -0.3, -0.3], 1.0), ([-0.5, 0.5, 0.5, 0.5], 1.0)])
def test_saddle_approach_exactly_on_the_ray(w0, eta):
    o = se.classify(w0, eta, max_steps=4000)
    assert o.status == "saddle_approach" and "equal in float64" in o.reason and "at step 4000" in o.reason
    # independently: the scalar map on the ray, and its law a^-(D-2) ~ (D-2) eta t
    depth, a = len(w0), 0.3 if len(w0) == 3 else 0.5
    for _ in range(o.steps):
        a = _ray_map(a, eta, depth, -1.0)
    assert np.allclose(np.abs(o.final_weights), a, rtol=1e-12, atol=0)
    assert 0.95 < a ** -(depth - 2) / ((depth - 2) * eta * o.steps) < 1.05
    assert o.final_sharpness < 1e-2  # the sharpness at the iterate, near the degenerate saddle


def test_saddle_approach_from_a_phase_design_start_keeps_approaching():
    """A start of README's phase design: chaos, then a creep into the origin; 5x more steps keep to the ray's law."""
    w0, eta = [0.455445968613588, 0.2979955695796145, 0.3684031498640387], 1.231889622961729
    o = se.classify(w0, eta, max_steps=20000)
    assert o.status == "saddle_approach" and "lasts until about step" in o.reason
    w = [float(x) for x in o.final_weights]
    a0 = max(abs(x) for x in w)
    assert abs(w[0] * w[1] * w[2]) < 1e-12 and w[0] * w[1] * w[2] < 0
    prev = a0
    for t in range(1, 100_001):  # plain float64 GD, independent of the classifier's kernels
        p = w[0] * w[1] * w[2]
        w = [x - eta * (p - 1.0) * p / x for x in w]
        if t % 10_000 == 0:
            a = max(abs(x) for x in w)
            assert a < prev  # still shrinking
            assert abs((1 / a - 1 / a0) / (eta * t) - 1) < 0.01  # 1/|w| grows at the ray's rate eta |y|
            prev = a


def test_near_the_origin_but_not_approaching_stays_undecided():
    o = se.classify([1e-6, 1e-6, 1e-6], 1.0, max_steps=4000)  # pi y > 0: GD leaves the origin
    assert o.status == "undecided" and o.reason.startswith("leaving the saddles")
    o = se.classify([1e-4, 3e-4, -1.05e-4], 1.0, max_steps=4000)  # shrinking, but off the ray
    assert o.status == "undecided" and "off the invariant set" in o.reason
    assert se.classify([1.0, -1.0], 0.1).status == "saddle"  # D = 2: the strict saddle, reached


def test_saddle_approach_with_some_weights_fixed():
    """Three weights creep to 0 while the fourth stays near 2: the degenerate saddle (2, 0, 0, 0)."""
    eta, steps = 0.3, 4000
    o = se.classify([2.0, -1e-3, 1e-3, 1e-3], eta, max_steps=steps)
    assert o.status == "saddle_approach" and "3 weights creeping" in o.reason and "equal in float64" in o.reason
    a = np.abs(o.final_weights[1:])
    assert np.all(a == a[0]) and abs(o.final_weights[0] - 2.0) < 1e-6
    # a^-1 grows at (k - 2) eta |y| B with B = 2 (the fixed weight)
    assert abs(1 / a[0] - (1e3 + eta * 2.0 * steps)) < 1e-3 * (1e3 + eta * 2.0 * steps)  # O(eta^2) from the flow
    o = se.classify([2.0, -1e-3, 1.0001e-3, 1e-3], eta, max_steps=steps)  # near the invariant set
    assert o.status == "saddle_approach" and "lasts until about step" in o.reason


def test_a_near_stationary_iterate_is_no_periodic_orbit():
    """Exactly on the stable manifold of the strict saddle (0, b, 0): GD creeps in; its |w| barely moves."""
    o = se.classify([0.3, 0.31, 0.3], 0.5, target=-0.7, scale=2.0, max_steps=4000)
    assert o.status == "saddle" and o.period is None
    assert abs(o.final_weights[0]) < 1e-9 and o.final_weights[0] == o.final_weights[2]


def test_slow_approach_to_a_long_orbit_is_not_quasiperiodic():
    """A cell of the default phase grid: at 5000 steps GD still creeps (exponent -3.2e-4) towards a 32-cycle."""
    w0, eta = [1.5617812917070233, 0.574547228825193, 0.9472682371859096], 0.8770827256750001
    o = se.classify(w0, eta, max_steps=5000)
    assert o.status == "undecided" and "negative" in o.reason
    assert o.lyapunov < 0
