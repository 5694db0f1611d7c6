"""Symbolic derivations: exact identities by simplification, closed forms against the reference."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import scalar_eos as se
from scalar_eos import symbolic as S
from scalar_eos.errors import InvalidArgument


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_identities_simplify_to_zero(depth):
    assert all(e == 0 for e in S.verify_invariants(depth))
    assert S.verify_dpi_dt(depth) == 0
    assert all(e == 0 for e in S.verify_gd_squares(depth))
    assert S.verify_shift_invisible(depth) == 0


@pytest.mark.parametrize("depth", [2, 3])
def test_psi_variation(depth):
    assert all(e == 0 for e in S.verify_psi_variation(depth))


def test_hessian_and_gradient_match_definitions():
    w1, w2, w3 = S.symbols(3)
    pi = w1 * w2 * w3
    H = S.hessian(3)
    assert sp.simplify(H[0, 1] - (w3 * w1 * w2 * w3 + (pi - S.y) * w3)) == 0
    assert sp.simplify(S.gradient(3)[0] - (pi - S.y) * w2 * w3) == 0


def test_d2_closed_form_and_region():
    w1, w2 = S.symbols(2)
    expr = S.gfs_sharpness_expr(2)
    assert sp.simplify(expr**2 - ((w1**2 - w2**2) ** 2 + 4 * S.y**2)) == 0
    assert S.verify_d2_region() == 0
    _, region = S.d2_region()
    # the region agrees with the exact one-step decision
    for w, eta in [(("0.5", "4"), "1.4"), (("0.5", "4"), "1.5"), (("2", "-1.5"), "0.3"), (("3", "0.2"), "2")]:
        vals = {w1: sp.Rational(w[0]), w2: sp.Rational(w[1]), S.y: 1, S.eta: sp.Rational(eta)}
        inside = bool(region.subs(vals))
        assert inside == (se.one_step(list(w), eta).relation != "increased")


def _check_closed_form(depth, n_points, seed):
    expr = S.gfs_sharpness_expr(depth)
    ws = S.symbols(depth)
    f = sp.lambdify([*ws, S.y], expr, modules="mpmath")
    rnd = random.Random(seed)
    checked = 0
    with mpmath.workdps(50):
        for k in range(n_points):
            w = [str(round(rnd.uniform(-3, 3), 3)) for _ in range(depth)]
            if k == 0:
                w = ["1.5"] * depth  # balanced
            y = str(rnd.choice([1, -1, 2.5, 0.3]))
            ref = se.gfs(w, target=y, dps=60)
            if ref.kind != "minimum":
                continue
            with mpmath.workdps(60):
                err = abs(f(*[mpmath.mpf(x) for x in w], mpmath.mpf(y)) - ref.sharpness) / ref.sharpness
            assert err < mpmath.mpf("1e-40"), (w, y, err)
            checked += 1
    return checked


def test_closed_form_depth3_at_50_digits():
    assert _check_closed_form(3, 60, 1) > 40


@pytest.mark.slow
def test_closed_form_depth4_at_50_digits():
    assert _check_closed_form(4, 60, 2) > 40


def test_no_closed_form_beyond_depth4():
    with pytest.raises(InvalidArgument, match="no closed form"):
        S.gfs_sharpness_expr(5)
    eq, psi = S.gfs_sharpness_implicit(5)
    assert eq.has(S.c) and psi.has(S.c)


@pytest.mark.parametrize(
    ("w", "y"),
    [
        (["0.943", "1.769", "1.299", "0.7"], "1"),
        (["1", "1", "1", "1.000000001"], "1"),
        (["-0.4", "2.5", "1.1", "0.9"], "-2"),
    ],
)
def test_closed_form_depth4_exact_evaluation(w, y):
    ref = se.gfs(w, target=y, dps=60)
    val = S.evaluate_closed_form(4, w, y, dps=55)
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(str(val)) - ref.sharpness) / ref.sharpness < mpmath.mpf("1e-50")


@pytest.mark.slow
def test_closed_form_depth4_exact_subs():
    expr = S.gfs_sharpness_expr(4)
    ws = S.symbols(4)
    for w, y in [
        (["0.943", "-1.769", "1.299", "0.7"], "1"),
        (["1", "1", "1", "1.000000001"], "2"),
        (["2", "2", "2", "2"], "1"),
    ]:
        ref = se.gfs(w, target=y, dps=60)
        val = sp.N(expr.subs({s: sp.Rational(x) for s, x in zip(ws, w, strict=True)} | {S.y: sp.Rational(y)}), 55)
        with mpmath.workdps(60):
            assert abs(mpmath.mpf(str(val)) - ref.sharpness) / ref.sharpness < mpmath.mpf("1e-50")
