"""GFS: closed form vs integrating gradient flow, precision, signs and saddles."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import scalar_eos as se
from scalar_eos.errors import InvalidArgument, PrecisionError

from .helpers import assert_close, rel_error

MIXED_CASES = [
    ([0.5, 3.0], 1),
    ([0.5, -3.0], 1),
    ([-0.7, 1.3], -2),
    ([0.5, -3.0, 1.5], 1),
    ([1.2, 0.4, -0.9], 0.5),
    ([0.8, 1.1, 0.6, 1.4], 1),
    ([0.8, -1.1, 0.6, 1.4], 1.5),
    ([0.9, 1.0, 1.1, 0.95, 1.05], -1),
    ([0.7, 1.2, 0.9, 1.1, 0.8, 1.3], 2),
    ([1.1, 0.9, -0.8, 1.2, 1.0, 0.95, 1.05], 1),
    ([1.05, 0.9, 0.85, 1.2, 1.0, 0.95, 1.1, -0.75], 0.7),
]


@pytest.mark.parametrize(("w", "y"), MIXED_CASES)
def test_gfs_matches_integrated_gradient_flow(w, y):
    """Independent method: integrate GF (Dormand-Prince) until it has converged."""
    res = se.gfs(w, target=y)
    assert res.kind == "minimum"
    t_end = 60.0 / se.psi_min(len(w), target=y) + 40.0
    end = se.gradient_flow(w, t_end, target=y, rtol=1e-13)
    assert_close(end, res.solution, rel=1e-9)
    assert_close(se.sharpness(end, target=y), res.sharpness, rel=1e-8)


@pytest.mark.parametrize(("w", "y"), MIXED_CASES[:6])
def test_sharpness_at_solution_is_psi_and_product_is_target(w, y):
    """The Hessian route (eigenvalues at s) agrees with the closed form at 50 digits."""
    strs = [str(x) for x in w]
    res = se.gfs(strs, target=str(y), dps=50)
    top = se.sharpness(res.solution, target=str(y), dps=50)
    with mpmath.workdps(120):
        assert rel_error(top, res.sharpness) < mpmath.mpf("1e-50")
        assert rel_error(mpmath.fprod(res.solution), mpmath.mpf(str(y))) < mpmath.mpf("1e-50")
        for wi, si in zip(strs, res.solution, strict=True):  # s_i^2 = w_i^2 + c*
            assert rel_error(si**2, mpmath.mpf(wi) ** 2 + res.shift) < mpmath.mpf("1e-48")


@pytest.mark.parametrize("w", [["0.3", "-1.7", "2.9"], ["1.5", "0.25", "0.4", "-0.8"], ["7", "1e-3"]])
def test_error_shrinks_with_precision(w):
    ref = se.gfs(w, target="1.3", dps=160)
    for dps in (15, 30, 100):
        got = se.gfs(w, target="1.3", dps=dps)
        assert rel_error(got.sharpness, ref.sharpness) < mpmath.mpf(10) ** (-dps)
        assert rel_error(got.shift, ref.shift) < mpmath.mpf(10) ** (-dps)
        for a, b in zip(got.solution, ref.solution, strict=True):
            assert rel_error(a, b) < mpmath.mpf(10) ** (-dps)


def test_high_precision_gradient_flow_agrees_at_20_digits():
    w = ["0.5", "-1.5"]
    res = se.gfs(w, dps=25)
    end = se.gradient_flow(w, 25, dps=25)  # psi ~ 2.5: e^{-2.5*25} < 1e-25
    for a, b in zip(end, res.solution, strict=True):
        assert rel_error(a, b) < mpmath.mpf("1e-20")


def test_sign_flip_of_smallest_weight():
    res = se.gfs([0.5, -3.0, 1.5])
    assert res.flipped == 0
    assert res.solution[0] < 0 and res.solution[1] < 0 and res.solution[2] > 0
    assert se.gfs([2.0, 3.0]).flipped is None


def test_single_zero_weight_is_not_a_saddle():
    res = se.gfs([0.0, 2.0, -3.0], target=1)
    assert res.kind == "minimum"
    assert res.solution[0] < 0  # sign of y * prod(others) = -6
    end = se.gradient_flow([0.0, 2.0, -3.0], 80.0)
    assert_close(end, res.solution, rel=1e-9)


@pytest.mark.parametrize(
    ("w", "y", "expected"),
    [
        ([1, -1], 1, 1),  # D = 2: the origin, eigenvalues +-|y|
        ([2, -2, 3], 1, math.sqrt(5)),  # two weights reach 0, third is sqrt(9 - 4)
        (["-0.5", "0.5", "2"], "3", 3 * math.sqrt(3.75)),
        ([1, 1, -1, 2], 1, 0),  # three zeros: Hessian vanishes
        ([0, 0, 2], 1, 2),  # already at a saddle (pi = 0, two zero weights)
    ],
)
def test_saddles(w, y, expected):
    res = se.gfs(w, target=y)
    assert res.kind == "saddle"
    assert_close(res.sharpness, expected, rel=1e-14, abs_=1e-300)
    assert_close(se.sharpness(res.solution, target=y), res.sharpness, rel=1e-12, abs_=1e-12)
    assert res.shift == -min(float(x) ** 2 for x in w)


def test_flow_towards_saddle():
    end = se.gradient_flow([2.0, -2.0, 3.0], 60.0)
    assert_close(end, se.gfs([2.0, -2.0, 3.0]).solution, rel=0, abs_=1e-8)


def test_depth_one():
    for w, y in [(3.0, 1.0), (-3.0, -2.0), (0.0, 5.0), (-1.0, 1.0)]:
        res = se.gfs([w], target=y)
        assert res.kind == "minimum"
        assert res.solution == (y,)
        assert res.sharpness == 1.0
        assert res.shift == y * y - w * w


@given(
    st.lists(st.floats(0.05, 20), min_size=2, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.floats(0.1, 5),
    st.booleans(),
)
@example([1.0, 1.0], [False] * 8, 1.0, False)  # balanced, at the minimum
@example([1.0, 1.0, 1.0], [True, True] + [False] * 6, 1.0, False)  # tie, but pi/y > 0
@example([1e-3, 1e3], [False] * 8, 1.0, True)
def test_psi_lower_bound_and_invariance(mags, negs, y, neg_y):
    """psi >= D |y|^(2 - 2/D) (AM-GM) and psi depends on the squares only."""
    w = [m * (-1 if n else 1) for m, n in zip(mags, negs, strict=False)]
    y = -y if neg_y else y
    res = se.gfs(w, target=y)
    if res.kind == "saddle":
        return
    bound = se.psi_min(len(w), target=y)
    assert res.sharpness >= bound * (1 - 1e-14)
    flipped = se.gfs([-x for x in w] if len(w) % 2 == 0 else w, target=y)
    assert_close(flipped.sharpness, res.sharpness, rel=1e-14)


def test_scale_multiplies_sharpness_only():
    a, b = se.gfs([0.5, 3.0], target=2), se.gfs([0.5, 3.0], target=2, scale=4)
    assert a.solution == b.solution
    assert_close(b.sharpness, 4 * a.sharpness, rel=1e-15)


def test_extreme_magnitudes_in_float64():
    res = se.gfs([1e-150, 1e150, 3.0], target=-7.0)
    assert res.kind == "minimum"
    assert math.isfinite(res.sharpness) and res.sharpness > 0
    ref = se.gfs(["1e-150", "1e150", "3"], target="-7", dps=40)
    assert_close(res.sharpness, ref.sharpness, rel=1e-15)


def test_overflow_is_reported_not_silent():
    with pytest.raises(PrecisionError, match="overflows float64"):
        se.gfs([1.0, 1.0, 1.0, 1.0], target=1e300)
    big = se.gfs([1, 1, 1, 1], target="1e300", dps=20)
    assert_close(big.sharpness, "4e450", rel=1e-20)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"w": []}, "empty"),
        ({"w": [1.0, float("nan")]}, "finite"),
        ({"w": [float("inf"), 1.0]}, "finite"),
        ({"w": ["abc"]}, "real number"),
        ({"w": "1,2"}, "sequence"),
        ({"w": [1, 2], "target": 0}, "non-zero"),
        ({"w": [1, 2], "dps": 0}, "at least 1"),
        ({"w": [1, 2], "scale": -1}, "positive"),
        ({"w": np.ones((2, 2))}, "one-dimensional"),
    ],
)
def test_bad_input(kwargs, match):
    w = kwargs.pop("w")
    with pytest.raises(InvalidArgument, match=match):
        se.gfs(w, **kwargs)


def test_global_precision_restored():
    before = mpmath.mp.dps
    se.gfs(["0.1", "3"], dps=80)
    assert mpmath.mp.dps == before
