"""At a minimiser the Hessian is rank one: psi = |grad pi|^2 = y^2 sum 1/s_i^2 >= D |y|^(2 - 2/D)."""

from __future__ import annotations

import sympy as sp
from _common import D_SYM, I_SYM, argue, check_equal, check_true, check_zero, formula, linear_sums

from scalar_eos import symbolic as S

NAME = "sharpness-at-minimum"
ORDER = 30  # place in the proofs document (after the lemmas it uses)
STATEMENT = (
    "At a minimiser s (pi(s) = y) the Hessian equals grad pi grad pi^T, so the sharpness is "
    "psi = |grad pi(s)|^2 = y^2 sum_i 1/s_i^2, and psi >= psi_min = D |y|^(2 - 2/D) with equality exactly at "
    "balanced weights. Corollary: if 2/eta < psi_min, no minimiser is linearly stable for GD."
)
GENERAL = "SymPy simplify to 0, every D (other weights as one symbol)"


def _sum(e):
    return sp.Sum(e, (I_SYM, 1, D_SYM))


def run() -> dict:
    log: list = []
    _rank_one_hessian(log)
    _am_gm(log)
    _no_stable_minimiser(log)
    return {
        "verdict": "PROVED",
        "details": "rank-one Hessian and AM-GM by exact identities for every D (SymPy)",
        "steps": log,
    }


def _rank_one_hessian(log: list) -> None:
    """Hess L = grad pi grad pi^T at a minimiser, whose only non-zero eigenvalue is |grad pi|^2."""
    # Hessian entries for every D: R = product of the D - 2 weights other than w_i, w_j
    wi, wj, R, y = sp.symbols("w_i w_j R y", real=True)
    L = (wi * wj * R - y) ** 2 / 2
    r = wi * wj * R - y
    check_zero(
        [sp.diff(L, wi, wj) - ((wj * R) * (wi * R) + r * R), sp.diff(L, wi, 2) - (wj * R) ** 2],
        "every D, i != j: d^2 L/dw_i dw_j = P_i P_j + (pi - y) R_ij with R_ij = prod_{k != i, j} w_k (the entry "
        "of Hess pi), and d^2 L/dw_i^2 = P_i^2 (Hess pi has a zero diagonal). Entry by entry: "
        "Hess L = grad pi grad pi^T + (pi - y) Hess pi, and at a minimiser (pi = y) Hess L = grad pi grad pi^T",
        log,
        how=GENERAL,
        tex=formula("Derivative(L, w_i, w_j)", "P_i*P_j + (pi - y)*R_ij"),
    )
    P = sp.Symbol("P_i", real=True)
    check_equal(
        P**2,
        (wi * P) ** 2 / wi**2,
        "every D: P_i^2 = pi^2/w_i^2 (pi = w_i P_i), so |grad pi|^2 = sum_i P_i^2 = pi^2 sum_i 1/w_i^2",
        log,
        how=GENERAL,
        tex=formula("Abs(gradpi)**2", "Sum(P_i**2, (i, 1, D))", "pi**2*Sum(w_i**(-2), (i, 1, D))"),
    )
    g = sp.IndexedBase("g")
    k = sp.Symbol("k", integer=True, positive=True)
    gg = _sum(g[I_SYM] ** 2)
    check_zero(
        linear_sums(g[k] * _sum(g[I_SYM] * g[I_SYM]) - gg * g[k]),
        "every D (symbolic sum): (g g^T g)_k = g_k sum_i g_i^2 = |g|^2 g_k; and g g^T v = g (g . v) = 0 for v "
        "orthogonal to g. So g g^T has eigenvalue |g|^2 on g and 0 on the (D-1)-dimensional complement: the "
        "sharpness at a minimiser is |grad pi|^2 = y^2 sum_i 1/s_i^2",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("psi", "Abs(gradpi)**2", "y**2*Sum(s_i**(-2), (i, 1, D))"),
    )
    explicit = []
    for D in range(1, 6):
        ws = S.symbols(D)
        pi = S.product(D)
        gv = sp.Matrix([sp.diff(pi, w) for w in ws])
        explicit += list(S.hessian(D).subs(S.y, pi) - gv * gv.T)
        explicit.append((gv.T * gv)[0] - pi**2 * sum(1 / w**2 for w in ws))
    check_zero(
        explicit,
        "cross-check on the explicit Hessians for D = 1..5: Hess L at pi = y equals grad pi grad pi^T, and "
        "|grad pi|^2 = pi^2 sum_i 1/w_i^2",
        log,
        how="SymPy simplify to 0 (explicit D = 1..5)",
    )


def _am_gm(log: list) -> None:
    """psi = y^2 sum 1/s_i^2 >= D |y|^(2 - 2/D), equality iff balanced (AM-GM from x - 1 >= log x)."""
    # AM-GM via the tangent-line inequality x >= 1 + log x
    x = sp.symbols("x", positive=True)
    f = x - 1 - sp.log(x)
    check_true(
        sp.minimum(f, x, sp.Interval.open(0, sp.oo)) == 0 and sp.diff(f, x, 2).is_positive,
        "f(x) = x - 1 - log x has minimum 0 on x > 0 and f''(x) = 1/x^2 > 0, f'(1) = 0: f(x) >= 0 with "
        "equality only at x = 1",
        log,
        how="SymPy minimum and sign",
        tex=formula("x - 1 - log(x)", "0", rel=">="),
    )
    t = sp.IndexedBase("t", positive=True)
    G = sp.Symbol("G", positive=True)  # the geometric mean, log G = (1/D) sum log t_i
    logG = _sum(sp.log(t[I_SYM])) / D_SYM
    check_zero(
        linear_sums(_sum(sp.log(t[I_SYM]) - logG)).doit(),
        "every D (symbolic sum): sum_i log(t_i/G) = sum_i log t_i - D log G = 0 for the geometric mean G",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("Sum(log(t_i/G), (i, 1, D))", "0"),
    )
    check_zero(
        linear_sums(_sum(t[I_SYM] / G - 1 - sp.log(t[I_SYM]) + sp.log(G)) - _sum(t[I_SYM]) / G + D_SYM).doit()
        - linear_sums(-_sum(sp.log(t[I_SYM])) + D_SYM * sp.log(G)).doit(),
        "every D: sum_i f(t_i/G) = sum_i t_i/G - D - sum_i log(t_i/G) = sum_i t_i/G - D",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("Sum(f(t_i/G), (i, 1, D))", "Sum(t_i, (i, 1, D))/G - D"),
    )
    argue(
        "a sum of terms f(t_i/G) >= 0 is >= 0 and is 0 only if every t_i = G: sum_i t_i >= D G, with equality "
        "iff all t_i are equal (AM-GM)",
        log,
        why="a sum of non-negative terms",
    )
    Y = sp.Symbol("Y", positive=True)  # |y| = prod |s_i| at a minimiser
    check_zero(
        [
            sp.simplify((Y**-2) ** (1 / D_SYM) - Y ** (-2 / D_SYM)),
            sp.simplify(Y**2 * D_SYM * Y ** (-2 / D_SYM)) - D_SYM * Y ** (2 - 2 / D_SYM),
        ],
        "every D: with t_i = 1/s_i^2 and prod_i |s_i| = |y|, G = (|y|^-2)^(1/D) = |y|^(-2/D), so "
        "psi = y^2 sum_i t_i >= y^2 D |y|^(-2/D) = D |y|^(2 - 2/D) = psi_min, equality iff |s_i| all equal",
        log,
        how="SymPy, symbolic D",
        tex=formula("psi", "D*Abs(y)**(2 - 2/D)", rel=">="),
    )


def _no_stable_minimiser(log: list) -> None:
    """Corollary: if 2/eta < psi_min, the GD Jacobian at every minimiser has an eigenvalue of modulus > 1."""
    eta_ = sp.Symbol("eta", positive=True)
    g = sp.IndexedBase("g")
    k = sp.Symbol("k", integer=True, positive=True)
    gg = _sum(g[I_SYM] ** 2)
    check_zero(
        linear_sums((g[k] - eta_ * g[k] * _sum(g[I_SYM] ** 2)) - (1 - eta_ * gg) * g[k]),
        "every D (symbolic sum): ((I - eta g g^T) g)_k = (1 - eta |g|^2) g_k: the GD Jacobian I - eta H at a "
        "minimiser has eigenvalue 1 - eta psi along grad pi",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("(I - eta*H)*gradpi", "(1 - eta*psi)*gradpi"),
    )
    lam = sp.symbols("lambda", positive=True)
    check_true(
        sp.solveset(sp.Abs(1 - lam) > 1, lam, sp.Interval.open(0, sp.oo)) == sp.Interval.open(2, sp.oo),
        "for eta psi = lambda > 0: |1 - lambda| > 1 iff lambda > 2",
        log,
        how="solveset",
        tex=formula("Abs(1 - lam)", "1", rel=">") + r"\iff \lambda > 2",
    )
    e_ = sp.Symbol("e", positive=True)  # psi_min = 2/eta + e, psi = psi_min + d0 (d0 >= 0 by AM-GM)
    d0 = sp.Symbol("d0", nonnegative=True)
    check_true(
        bool(sp.expand(eta_ * (2 / eta_ + e_ + d0) - 2).is_positive),
        "if 2/eta < psi_min then at every minimiser eta psi = eta (2/eta + e + d) > 2 (e > 0, d = psi - psi_min "
        ">= 0), so its GD Jacobian has the eigenvalue 1 - eta psi of modulus > 1: no minimiser is linearly stable",
        log,
        how="SymPy sign assumptions",
    )
