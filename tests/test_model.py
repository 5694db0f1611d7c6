"""Loss, gradient, Hessian and sharpness against finite differences and exact values."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import scalar_eos as se
from scalar_eos.errors import PrecisionError

from .helpers import assert_close

weights = st.lists(st.floats(-3, 3).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=6)


def test_exact_small_values():
    assert se.loss([1, 3]) == 2.0
    assert list(se.grad([1, 3])) == [6.0, 2.0]
    assert se.hessian([1, 3]).tolist() == [[9.0, 5.0], [5.0, 1.0]]
    assert_close(se.sharpness([1, 3]), 5 + np.sqrt(16 + 25), rel=1e-15)


@given(weights, st.floats(-2, 2).filter(lambda y: abs(y) > 0.1))
@example([1.0], 1.0)
@example([0.5, 0.5, 0.5], -1.0)
def test_gradient_and_hessian_match_mpmath_differentiation(w, y):
    with mpmath.workdps(40):

        def f(*args):
            return (mpmath.fprod(args) - y) ** 2 / 2

        num_grad = [mpmath.diff(f, w, tuple(1 if j == i else 0 for j in range(len(w)))) for i in range(len(w))]
        g = se.grad(w, target=y)
        assert_close(g, [float(v) for v in num_grad], rel=1e-12, abs_=1e-12)
        h = se.hessian(w, target=y)
        for i in range(len(w)):
            for j in range(len(w)):
                order = tuple((j == k) + (i == k) for k in range(len(w)))
                assert_close(h[i, j], float(mpmath.diff(f, w, order)), rel=1e-10, abs_=1e-10)


@given(weights, st.floats(-2, 2).filter(lambda y: abs(y) > 0.1))
def test_sharpness_is_top_eigenvalue_in_both_precisions(w, y):
    lo = se.sharpness(w, target=y)
    hi = se.sharpness(w, target=y, dps=30)
    scale = max(1.0, float(np.abs(se.hessian(w, target=y)).max()))
    assert_close(lo, hi, rel=0, abs_=1e-13 * scale * len(w))


def test_hessian_with_zero_weights():
    h = se.hessian([0, 0, 2], target=1)  # r = -1, only (1,2) entries survive
    assert h.tolist() == [[0, -2, 0], [-2, 0, 0], [0, 0, 0]]
    h1 = se.hessian([0, 3, 2], target=1)
    assert h1[0, 0] == 36.0 and h1[1, 2] == 0.0 and h1[0, 1] == -2.0


def test_scale_and_reduction():
    c = se.reduce_data([1, 2, -1], [2, 3, 0])
    w = [0.7, 1.3]
    # mean squared loss over the data equals the canonical loss plus the offset
    data = sum((x * Fraction(0.7) * Fraction(1.3) - yy) ** 2 / 2 for x, yy in [(1, 2), (2, 3), (-1, 0)]) / 3
    assert_close(se.loss(w, **c.kwargs()) + float(c.offset), float(data), rel=1e-15)
    assert_close(se.sharpness(w, **c.kwargs()), c.scale * se.sharpness(w, target=c.target), rel=1e-14)


def test_overflow_raises():
    with pytest.raises(PrecisionError):
        se.loss([1e200, 1e200])
    assert se.loss(["1e200", "1e200"], dps=20) > mpmath.mpf("1e799")
