"""Accurate one-step margins against the exact decision, and their error bounds."""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import mp

from scalar_eos import fast
from scalar_eos.errors import InvalidArgument
from scalar_eos.margins import exact_margin, float_steps, step_margin
from scalar_eos.sampling import Region, ScaleAwareSampler
from tests.helpers import assert_close

CORNERS = [
    ([1.2, 1.2000001, 1.1999998], 0.05),  # nearly balanced: float64 differences give 2.96e-16
    ([-2.4276649884195652e-05, 2.4276650617119278e-05, -3393536092.331002], 4.1673744551267656e-10),  # pi/y -> 2
    ([1.186371691995413e-06, -1.1863716907706511e-06, -1.1863716846469087e-06, 1.1863716853890885e-06], 7.76e-13),
    ([5.16e-05, 3.28e-09, 9210000.0], 1.54e-07),  # spans 15 decades, an increase
    ([0.5, 3.0], 0.2),
    ([1e-8, 1e-8 * (1 + 1e-12), 1e8, 3.0, 0.7], 1e-3),
]


@pytest.mark.parametrize(("w", "eta"), CORNERS)
def test_margin_within_its_bound_of_the_exact_margin(w, eta):
    r = step_margin([w], eta)
    with mp.workdps(120):
        exact = exact_margin(w, eta, dps=30)
        assert abs(mp.mpf(r.margin[0]) - exact) <= r.error[0]
    assert r.accurate[0]
    if r.margin[0] > 1e-12 * r.first_order[0]:  # not a tie between first and higher orders
        assert r.error[0] <= 1e-6 * abs(r.margin[0])  # relative accuracy, not 1e-16 of psi


def test_sampled_corners_agree_with_exact_decisions():
    rng = np.random.default_rng(11)
    s = ScaleAwareSampler(Region(pi_over_y=(0.0, 2.0), eta_psi=(0.0, 2.83)))
    W, eta = s(rng, 4, 400, 1.0)
    ok = np.isfinite(eta)
    W, eta = W[ok], eta[ok]
    r = step_margin(W, eta)
    rows = np.argsort(np.abs(r.margin))[:12]  # the closest to ties: hardest for the float path
    for i in rows:
        with mp.workdps(200):
            exact = exact_margin(list(W[i]), float(eta[i]), dps=20)
            assert abs(mp.mpf(r.margin[i]) - exact) <= r.error[i], (list(W[i]), eta[i])


def test_plain_float_difference_is_noise_where_margin_is_not():
    w = np.array([[1.2, 1.2000001, 1.1999998]])
    plain = (fast.gfs_sharpness(w) - fast.gfs_sharpness(fast.gd_step(w, 0.05))) / fast.gfs_sharpness(w)
    accurate = step_margin(w, 0.05).margin
    assert abs(plain[0] - accurate[0]) > 0.5 * accurate[0]  # the difference of psi values is off by 70%
    with mp.workdps(60):
        assert_close(accurate[0], exact_margin(w[0].tolist(), 0.05), rel=1e-12)


def test_first_order_term_matches_small_steps():
    w = [[0.5, 3.0, 1.0], [1.0, 2.0, 0.3, 4.0]]
    for row in w:
        small = step_margin([row], 1e-6)
        assert_close(small.margin[0], small.first_order[0], rel=1e-4)
    balanced = step_margin([[1.5, 1.5, 1.5]], 0.1)
    assert balanced.margin[0] == 0.0 and balanced.first_order[0] == 0.0 and not np.signbit(balanced.margin[0])


def test_exact_margin_keeps_significant_digits_of_tiny_margins():
    w = [1.186371691995413e-06, -1.1863716907706511e-06, -1.1863716846469087e-06, 1.1863716853890885e-06]
    with mp.workdps(300):
        lo = exact_margin(w, 7.762253635920572e-13, dps=20)
        hi = exact_margin(w, 7.762253635920572e-13, dps=60)
        assert abs(lo - hi) <= 1e-19 * abs(hi)
        assert 1e-89 < hi < 1e-88
    with mp.workdps(60):
        assert exact_margin([1.0, 1.0], 0.3) == 0  # balanced: unchanged


def test_float_steps_and_edge_rows():
    steps = float_steps([[1.2, 1.2000001, 1.1999998], [np.nan, 1.0, 1.0]], 0.05)
    assert steps[0].relation == "decreased" and steps[1] is None
    r = step_margin([[2.0], [0.0, 1.0]] if False else [[2.0]], 0.1)
    assert r.margin[0] == 0 and r.error[0] == 0
    z = step_margin([[0.0, 1.0, 2.0]], 0.1)  # a zero weight: plain difference, flagged
    assert not z.accurate[0] and np.isfinite(z.margin[0])
    with pytest.raises(InvalidArgument):
        step_margin([1.0, 2.0], 0.1)
    with pytest.raises(InvalidArgument):
        exact_margin([1.0, 2.0], 0.1, dps=0)
