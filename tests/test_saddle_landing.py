"""Steps that land where gradient flow ends at a saddle: psi is the function of the squares (the convention)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

import scalar_eos as se
from scalar_eos.claims import in_d2_region
from scalar_eos.gfs import psi

from .helpers import assert_close


def psi_by_bisection(w: list[str], y: str = "1") -> mpmath.mpf:
    """y^2 sum 1/(w_i^2 + c) with prod(w_i^2 + c) = y^2 found by bisection (independent of the package)."""
    with mpmath.workdps(60):
        q = [mpmath.mpf(x) ** 2 for x in w]
        y2 = mpmath.mpf(y) ** 2
        lo, hi = -min(q), mpmath.mpf(10) ** 6
        for _ in range(400):
            mid = (lo + hi) / 2
            if mpmath.fprod(x + mid for x in q) > y2:
                hi = mid
            else:
                lo = mid
        return y2 * mpmath.fsum(1 / (x + lo) for x in q)


def top_hessian_eigenvalue(s: list[float], y: float = 1.0) -> float:
    """Largest eigenvalue of the loss Hessian at s, from its entries (numpy)."""
    s = np.asarray(s, dtype=float)
    d = len(s)
    pi = np.prod(s)
    g = np.array([np.prod(np.delete(s, i)) for i in range(d)])
    h = np.outer(g, g)
    for i in range(d):
        for j in range(d):
            if i != j:
                h[i, j] += (pi - y) * np.prod(np.delete(s, [i, j]))
    return float(np.linalg.eigvalsh(h)[-1])


@pytest.mark.parametrize(
    ("w", "eta", "landing", "saddle_point"),
    [
        (["1.5", "1.2"], "1.25", ["0.3", "-0.3"], [0.0, 0.0]),
        (["0.6", "0.6", "5"], "0.25", ["0", "0", "4.928"], [0.0, 0.0, 4.928]),
    ],
)
def test_saddle_landing_reports_both_values(w, eta, landing, saddle_point):
    r = se.one_step(w, eta)
    assert [str(float(x)) for x in r.w_after] == [str(float(x)) for x in landing]
    assert r.kind_before == "minimum" and r.kind_after == "saddle" and r.saddle_landing
    assert_close(r.psi_after, psi_by_bisection(landing), rel="1e-40")
    assert_close(r.psi_before, psi_by_bisection(w), rel="1e-40")
    assert_close(r.gfs_before, r.psi_before, rel="1e-40")  # a minimum: psi is the GFS sharpness
    assert_close(float(r.gfs_after), top_hessian_eigenvalue(saddle_point), rel=1e-12)  # a saddle: it is not
    assert abs(float(r.gfs_after) - float(r.psi_after)) > 0.5
    expected = "decreased" if r.psi_after < r.psi_before else "increased"
    assert r.relation == expected  # decided on psi, the quantity of the lemmas


def test_psi_is_the_gfs_sharpness_where_the_flow_ends_at_a_minimum():
    rng = np.random.default_rng(0)
    for _ in range(20):
        w = [f"{x:.3f}" for x in rng.uniform(-3, 3, size=int(rng.integers(1, 5)))]
        g = se.gfs(w, dps=40)
        value = psi(w, dps=40)
        assert_close(value, psi_by_bisection(w), rel="1e-35")
        if g.kind == "minimum":
            assert_close(value, g.sharpness, rel="1e-35")


@pytest.mark.parametrize("k", range(1, 40, 5))
def test_d2_lemma_holds_at_saddle_landings(k):
    """D = 2 lemma (about psi as a function of the squares) also at saddle landings (there eta |pi - y| = 1)."""
    # GD from (a, b), a > b > 0, pi = ab > 1: with eta (pi - 1) = 1 the step lands on (a - b, b - a)
    a = Fraction(3, 2) + Fraction(k, 40)
    b = Fraction(6, 5)
    eta = 1 / (a * b - 1)
    r = se.one_step([a, b], eta)
    assert r.w_after == [a - b, b - a] and r.kind_after == "saddle"
    assert (r.relation != "increased") == in_d2_region([a, b], eta, Fraction(1))
