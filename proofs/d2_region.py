"""Depth 2: the exact region where one GD step does not increase psi; claim step-decrease-s holds for D = 2."""

from __future__ import annotations

import sympy as sp
from _common import check_equal, check_true, check_zero, formula

from scalar_eos import symbolic as S

NAME = "d2-region"
ORDER = 60  # place in the proofs document (after the lemmas it uses)
STATEMENT = (
    "For D = 2, psi(GD(w))^2 - psi(w)^2 = (w1^2 - w2^2)^2 eta^2 r^2 (eta^2 r^2 - 2) with r = pi - y, so one step "
    "does not increase psi iff w1^2 = w2^2 or eta |pi - y| <= sqrt 2. Consequently claim step-decrease-s "
    "(0 < pi/y < 2 and eta psi <= 2 sqrt 2) implies no increase for D = 2."
)


def run() -> dict:
    log: list = []
    w1, w2 = S.symbols(2)
    y = S.y
    check_zero(
        sp.simplify(S.gfs_sharpness_expr(2) ** 2 - ((w1**2 - w2**2) ** 2 + 4 * y**2)),
        "psi^2 = (w1^2 - w2^2)^2 + 4y^2 (closed form of the GFS sharpness for D = 2, any y != 0)",
        log,
        tex=formula("psi**2", "(w_1**2 - w_2**2)**2 + 4*y**2"),
    )
    check_zero(
        S.verify_d2_region(),
        "psi(GD(w))^2 - psi^2 = (w1^2 - w2^2)^2 eta^2 r^2 (eta^2 r^2 - 2)",
        log,
        tex=formula("psi(GD(w))**2 - psi**2", "(w_1**2 - w_2**2)**2*eta**2*r**2*(eta**2*r**2 - 2)"),
    )
    # sign: psi > 0, so psi'^2 - psi^2 = (psi' - psi)(psi' + psi) has the sign of psi' - psi ...
    pa, pb = sp.symbols("psi_a psi_b", positive=True)
    check_equal(
        pa**2 - pb**2,
        (pa - pb) * (pa + pb),
        "psi(GD(w))^2 - psi^2 = (psi(GD(w)) - psi)(psi(GD(w)) + psi) with a positive second factor: same sign as "
        "psi(GD(w)) - psi",
        log,
    )
    # ... and X (Z - 2) with X = (w1^2 - w2^2)^2 eta^2 r^2 >= 0, Z = eta^2 r^2: <= 0 iff X = 0 or Z <= 2
    X = sp.Symbol("X", positive=True)
    Z = sp.Symbol("Z", nonnegative=True)
    check_true(
        sp.solveset(X * (Z - 2) <= 0, Z, sp.Interval(0, sp.oo)) == sp.Interval(0, 2),
        "for X = (w1^2 - w2^2)^2 eta^2 r^2 > 0: X (eta^2 r^2 - 2) <= 0 iff eta^2 r^2 <= 2, i.e. eta |r| <= sqrt 2; "
        "for X = 0, i.e. w1^2 = w2^2 or r = 0 or eta = 0, the change is 0",
        log,
        how="solveset",
    )
    # step-decrease-s for D = 2: |r| < |y| and psi >= 2|y| give eta |r| < sqrt 2
    rho = sp.symbols("rho", real=True)  # rho = pi / y
    check_true(
        sp.solveset(sp.Abs(rho - 1) < 1, rho, sp.S.Reals) == sp.Interval.open(0, 2),
        "0 < pi/y < 2 iff |pi/y - 1| < 1, i.e. |r| < |y|",
        log,
        how="solveset",
    )
    check_zero(
        sp.expand(S.gfs_sharpness_expr(2) ** 2 - 4 * y**2 - (w1**2 - w2**2) ** 2),
        "psi^2 - 4y^2 = (w1^2 - w2^2)^2 >= 0, so psi >= 2|y|",
        log,
    )
    theta, phi = sp.symbols("theta phi", positive=True)  # eta = theta 2 sqrt2/psi, psi = 2|y|/phi, theta, phi <= 1
    Y, psi = sp.symbols("Y psi", positive=True)  # Y = |y|
    eta_abs_y = ((theta * 2 * sp.sqrt(2) / psi) * Y).subs(psi, 2 * Y / phi)
    unit = sp.AccumBounds(0, 1)
    bound = sp.lambdify((theta, phi), sp.simplify(eta_abs_y), modules="sympy")(unit, unit)  # interval product
    check_true(
        bool(bound.max <= sp.sqrt(2)),
        "eta psi <= 2 sqrt 2 and psi >= 2|y| give eta |y| <= sqrt 2: write eta = 2 sqrt 2 theta/psi and "
        "psi = 2|y|/phi with theta, phi in (0, 1], then eta |y| = sqrt 2 theta phi; so eta |r| = eta |y| |rho - 1| "
        "<= sqrt 2 |rho - 1|",
        log,
        how="SymPy substitution and interval bound (AccumBounds)",
    )
    check_true(
        sp.solveset(sp.sqrt(2) * sp.Abs(rho - 1) < sp.sqrt(2), rho, sp.Interval.open(0, 2)) == sp.Interval.open(0, 2),
        "sqrt 2 |rho - 1| < sqrt 2 on the whole of 0 < rho < 2: the step lies in the region eta^2 r^2 < 2",
        log,
        how="solveset",
    )
    return {"verdict": "PROVED", "details": "factorisation and sign analysis by SymPy", "steps": log}
