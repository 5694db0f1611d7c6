"""Symmetries that reduce a one-step claim to y = 1, positive weights and sorted weights."""

from __future__ import annotations

import sympy as sp
from _common import D_SYM, I_SYM, argue, check_zero, formula, linear_sums

NAME = "reductions"
ORDER = 50  # place in the proofs document (after the lemmas it uses)
STATEMENT = (
    "For every depth D: (i) scaling w -> lam w, y -> lam^D y, eta -> lam^(2-2D) eta (lam > 0) maps GD steps to GD "
    "steps, multiplies psi by lam^(2D-2) and leaves pi/y and eta psi unchanged; (ii) (w_1, y) -> (-w_1, -y) maps GD "
    "steps to GD steps and leaves psi, pi/y and eta psi unchanged; (iii) flipping the signs of two weights does the "
    "same with y fixed; (iv) permuting the weights does the same. Hence a claim whose hypothesis and conclusion are "
    "stated through pi/y, eta psi and the sign of psi(GD(w)) - psi(w) may be checked for y = 1, all weights positive "
    "(when pi/y > 0) and w_1 >= w_2 >= ... >= w_D."
)
GENERAL = "SymPy simplify to 0, every D (other weights as one symbol)"


def _gd(w, P, y, eta):
    return w - eta * (w * P - y) * P


def run() -> dict:
    log: list = []
    w1, wi, R, y, eta = sp.symbols("w_1 w_i R y eta", real=True)
    lam = sp.Symbol("lambda", positive=True)
    # pi = w_1 w_i R with R the product of the D - 2 remaining weights; P_1 = w_i R, P_i = w_1 R

    def step(a1, ai, r, yy, ee):  # both GD components
        return [_gd(a1, ai * r, yy, ee), _gd(ai, a1 * r, yy, ee)]

    base = step(w1, wi, R, y, eta)
    Dm2 = sp.Symbol("m", integer=True, nonnegative=True)  # m = D - 2
    scaled = step(lam * w1, lam * wi, lam**Dm2 * R, lam ** (Dm2 + 2) * y, lam ** (2 - 2 * (Dm2 + 2)) * eta)
    check_zero(
        [sp.powsimp(sp.expand(s - lam * b), force=True) for s, b in zip(scaled, base, strict=True)],
        "every D = m + 2 (symbolic m): GD(lam w; lam^D y, lam^(2-2D) eta) = lam GD(w; y, eta)",
        log,
        how="SymPy, symbolic D (other weights as one symbol)",
        tex=formula("GD(lam*w, lam**D*y, lam**(2 - 2*D)*eta)", "lam*GD(w, y, eta)"),
    )
    q, c = sp.IndexedBase("q", positive=True), sp.Symbol("c", positive=True)
    check_zero(
        [
            sp.simplify(
                sp.Product(lam**2 * q[I_SYM] + lam**2 * c, (I_SYM, 1, D_SYM)).doit()
                - lam ** (2 * D_SYM) * sp.Product(q[I_SYM] + c, (I_SYM, 1, D_SYM)).doit()
            ),
            linear_sums(
                sp.Sum(1 / (lam**2 * q[I_SYM] + lam**2 * c), (I_SYM, 1, D_SYM)) * lam ** (2 * D_SYM)
                - lam ** (2 * D_SYM - 2) * sp.Sum(1 / (q[I_SYM] + c), (I_SYM, 1, D_SYM))
            ),
        ],
        "every D (symbolic): prod_i (lam^2 q_i + lam^2 c) = lam^(2D) prod_i (q_i + c), so the shift scales to lam^2 c* "
        "and psi = (lam^D y)^2 sum_i 1/(lam^2 (q_i + c*)) = lam^(2D-2) psi; hence pi/y, eta psi and the sign of "
        "psi(GD(w)) - psi(w) are unchanged",
        log,
        how="SymPy, symbolic D",
        tex=formula("psi(lam*w, lam**D*y)", "lam**(2*D - 2)*psi(w, y)"),
    )
    flipped = step(-w1, wi, R, -y, eta)
    check_zero(
        [flipped[0] + base[0], flipped[1] - base[1]],
        "every D: (w_1, y) -> (-w_1, -y) negates pi and pi - y, so GD(-w_1, w_2, ...; -y) = (-w_1^+, w_2^+, ...); "
        "psi depends on the squares and y^2 only, and pi/y is unchanged",
        log,
        how=GENERAL,
    )
    wj = sp.Symbol("w_j", real=True)
    S_ = sp.Symbol("S", real=True)  # product of the D - 3 weights other than w_1, w_i, w_j
    three = [_gd(w1, wi * wj * S_, y, eta), _gd(wi, w1 * wj * S_, y, eta), _gd(wj, w1 * wi * S_, y, eta)]
    three_f = [_gd(-w1, -wi * wj * S_, y, eta), _gd(-wi, -w1 * wj * S_, y, eta), _gd(wj, w1 * wi * S_, y, eta)]
    check_zero(
        [three_f[0] + three[0], three_f[1] + three[1], three_f[2] - three[2]],
        "every D: flipping the signs of two weights keeps pi, negates their GD components and keeps the others; psi "
        "and pi/y are unchanged. If pi/y > 0 with y = 1 the number of negative weights is even: flip them in pairs",
        log,
        how=GENERAL,
    )
    argue(
        "permuting the weights permutes the GD components (P_i is the product of the others) and leaves pi and psi "
        "unchanged (symmetric functions of the weights): the weights may be sorted",
        log,
        why="symmetry of the defining formulas",
    )
    return {"verdict": "PROVED", "details": "equivariance identities by SymPy for every D", "steps": log}
