"""One GD step on the squares, invisibility of the common shift, first-order variation of psi."""

from __future__ import annotations

import sympy as sp
from _common import D_SYM, I_SYM, check_equal, check_zero, formula, on_index_range

from scalar_eos import symbolic as S

NAME = "gd-step-squares"
ORDER = 40  # place in the proofs document (after the lemmas it uses)
STATEMENT = (
    "With a = eta (pi - y) pi, one GD step maps w_i^2 to w_i^2 - 2a + a^2/w_i^2; shifting all squares by a "
    "constant leaves psi unchanged, so psi(GD(w)) = psi evaluated on the squares w_i^2 + a^2/w_i^2; and "
    "d psi = -sum_i dq_i y^2 p_i (p_i - P2/P1) with p_i = 1/(q_i + c*), P1 = sum_i p_i, P2 = sum_i p_i^2."
)
GENERAL = "SymPy simplify to 0, every D (other weights as one symbol)"


def run() -> dict:
    log: list = []
    w, P, y, eta, c, s = sp.symbols("w_i P_i y eta c s", real=True)
    pi = w * P  # P_i = product of the other weights
    a = eta * (pi - y) * pi
    w_next = w - eta * (pi - y) * P
    check_equal(
        w_next**2,
        w**2 - 2 * a + a**2 / w**2,
        "every D: (w_i^+)^2 = (w_i - eta (pi - y) P_i)^2 = w_i^2 - 2a + a^2/w_i^2 with a = eta (pi - y) pi",
        log,
        how=GENERAL,
        tex=formula("(w_i - eta*(pi - y)*P_i)**2", "w_i**2 - 2*a + a**2/w_i**2"),
    )
    q = sp.Symbol("q_i", positive=True)
    check_zero(
        ((q + s) + (c - s)) - (q + c),
        "every D: each factor of prod_i ((q_i + s) + (c - s)) equals q_i + c, so the shifted squares q + s have the "
        "shift c - s and the same points q_i + c*, hence the same psi",
        log,
        how="SymPy simplify to 0, factor by factor (every D)",
        tex=formula("Product((q_i + s) + (c - s), (i, 1, D))", "Product(q_i + c, (i, 1, D))"),
    )
    # first-order variation, symbolic D: c* is defined by F(q, c) = sum_i log(q_i + c) - log y^2 = 0
    qq = sp.IndexedBase("q", positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    cc, yy = sp.symbols("c y", positive=True)
    F = sp.Sum(sp.log(qq[I_SYM] + cc), (I_SYM, 1, D_SYM))
    psi = yy**2 * sp.Sum(1 / (qq[I_SYM] + cc), (I_SYM, 1, D_SYM))
    dc = -sp.diff(F, qq[j]).doit() / sp.diff(F, cc)  # implicit function theorem
    dpsi = sp.diff(psi, qq[j]).doit() + sp.diff(psi, cc) * dc
    P1 = sp.Sum(1 / (qq[I_SYM] + cc), (I_SYM, 1, D_SYM))
    P2 = sp.Sum(1 / (qq[I_SYM] + cc) ** 2, (I_SYM, 1, D_SYM))
    pj = 1 / (qq[j] + cc)
    check_zero(
        on_index_range(dpsi - (-(yy**2) * pj * (pj - P2 / P1)), j),
        "every D (symbolic sum over i = 1..D): implicit differentiation of sum_i log(q_i + c) = log y^2 gives "
        "dc*/dq_j = -p_j/P1, and d psi/dq_j = -y^2 p_j (p_j - P2/P1)",
        log,
        how="SymPy, symbolic D (implicit differentiation)",
        tex=formula("Derivative(psi, q_j)", "-y**2*p_j*(p_j - P_2/P_1)"),
    )
    explicit = [e for D in range(1, 7) for e in [*S.verify_gd_squares(D), S.verify_shift_invisible(D)]]
    check_zero(
        explicit,
        "cross-check on the explicit polynomials for D = 1..6: the squares of the GD map and the invisible shift",
        log,
        how="SymPy simplify to 0 (explicit D = 1..6)",
    )
    check_zero(
        [e for D in range(2, 5) for e in S.verify_psi_variation(D)],
        "cross-check for D = 2, 3, 4: the implicit derivative of psi minus the stated variation",
        log,
        how="SymPy simplify to 0 (explicit D = 2..4)",
    )
    return {"verdict": "PROVED", "details": "exact symbolic identities (SymPy), every D", "steps": log}
