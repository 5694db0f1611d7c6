"""Depth 2: the exact region where one GD step does not increase psi; claim step-decrease-s holds for D = 2."""

from __future__ import annotations

import sympy as sp
from _common import check_true, check_zero

from scalar_eos import symbolic as S

NAME = "d2-region"
STATEMENT = (
    "For D = 2, psi(GD(w))^2 - psi(w)^2 = (w1^2 - w2^2)^2 eta^2 r^2 (eta^2 r^2 - 2) with r = pi - y, so one step "
    "does not increase psi iff w1^2 = w2^2 or eta |pi - y| <= sqrt 2. Consequently claim step-decrease-s "
    "(0 < pi/y < 2 and eta psi <= 2 sqrt 2) implies no increase for D = 2."
)


def run() -> dict:
    log: list[str] = []
    w1, w2 = S.symbols(2)
    y = S.y
    check_zero(
        sp.simplify(S.gfs_sharpness_expr(2) ** 2 - ((w1**2 - w2**2) ** 2 + 4 * y**2)),
        "psi^2 = (w1^2 - w2^2)^2 + 4y^2",
        log,
    )
    check_zero(S.verify_d2_region(), "psi(GD(w))^2 - psi^2 = (w1^2-w2^2)^2 eta^2 r^2 (eta^2 r^2 - 2)", log)
    log.append(
        "sign: the factors (w1^2-w2^2)^2 eta^2 r^2 are >= 0, so the change is <= 0 iff a factor is 0 or eta^2 r^2 <= 2"
    )
    # step-decrease-s for D = 2: |r| < |y| and psi >= 2|y| give eta |r| < sqrt 2
    rho = sp.symbols("rho", real=True)  # rho = pi / y
    check_true(
        sp.solveset(sp.Abs(rho - 1) < 1, rho, sp.S.Reals) == sp.Interval.open(0, 2),
        "0 < pi/y < 2 iff |pi/y - 1| < 1, i.e. |r| < |y|",
        log,
    )
    check_zero(
        sp.expand(S.gfs_sharpness_expr(2) ** 2 - 4 * y**2 - (w1**2 - w2**2) ** 2),
        "psi^2 - 4y^2 = (w1^2 - w2^2)^2 >= 0, so psi >= 2|y|",
        log,
    )
    log.append("eta psi <= 2 sqrt 2 and psi >= 2|y| give eta <= sqrt 2 / |y|; so eta |r| <= sqrt 2 |rho - 1|")
    check_true(
        sp.solveset(sp.sqrt(2) * sp.Abs(rho - 1) < sp.sqrt(2), rho, sp.Interval.open(0, 2)) == sp.Interval.open(0, 2),
        "sqrt 2 |rho - 1| < sqrt 2 on the whole of 0 < rho < 2: the step lies in the region (eta r)^2 < 2",
        log,
    )
    return {"verdict": "PROVED", "details": "factorisation by SymPy, then a sign argument", "steps": log}
