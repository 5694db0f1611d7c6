"""A sufficient condition for every depth: order of the squares preserved + Chebyshev's sum inequality."""

from __future__ import annotations

import itertools

import sympy as sp
from _common import D_SYM, I_SYM, argue, check_true, check_zero, formula, linear_sums

NAME = "step-decrease-order"
ORDER = 70  # place in the proofs document (after the lemmas it uses)
STATEMENT = (
    "For every depth D: if eta |(pi - y) pi| <= |w_(1) w_(2)| (the two smallest magnitudes), then one GD step "
    "does not increase the GFS sharpness: psi(GD(w)) <= psi(w)."
)


def run() -> dict:
    log: list = []
    _order_kept(log)
    explicit = _chebyshev(log)
    _derivative_along_path(log, explicit)
    argue(
        "so d psi/d tau <= 0 on [0, 1] and psi(q + delta) <= psi(q); psi(GD(w)) = psi(q + delta) because the common "
        "shift -2a is invisible (proof gd-step-squares). Equality at balanced weights or a = 0",
        log,
        why="integrating a non-positive derivative",
    )
    return {
        "verdict": "PROVED",
        "details": "identities for every D by SymPy (symbolic sums); ordering and Chebyshev's sum inequality",
        "steps": log,
    }


def _order_kept(log: list) -> None:
    """Step 1: under the hypothesis, the order of the squares is kept along the path from w to GD(w)."""
    a, tau = sp.symbols("a tau", real=True)
    qi, qj = sp.symbols("q_i q_j", positive=True)
    # Step 1: along q(tau) = q + tau a^2/q the order of the squares is kept when q_i q_j >= a^2.
    f = lambda q: q + tau * a**2 / q  # noqa: E731
    check_zero(
        sp.factor(f(qj) - f(qi)) - (qj - qi) * (1 - tau * a**2 / (qi * qj)),
        "along the path q(tau) = q + tau a^2/q, tau in [0, 1], from the squares q to the squares after the step "
        "(up to the common shift): q_j(tau) - q_i(tau) = (q_j - q_i)(1 - tau a^2/(q_i q_j))",
        log,
    )
    theta = sp.Symbol("theta")  # a^2 = theta q_i q_j with theta in [0, 1]
    unit = sp.AccumBounds(0, 1)
    factor = sp.lambdify((tau, theta), 1 - tau * theta, modules="sympy")(unit, unit)
    check_true(
        bool(factor.min >= 0),
        "for tau in [0, 1] and a^2 = theta q_i q_j with theta in [0, 1]: 1 - tau a^2/(q_i q_j) = 1 - tau theta >= 0, "
        "so q_i <= q_j implies q_i(tau) <= q_j(tau)",
        log,
        how="SymPy interval arithmetic (AccumBounds)",
    )
    m, e1, e2, gap = sp.symbols("m e_1 e_2 g", nonnegative=True)
    check_true(
        bool(sp.expand((m + e1) * (m + gap + e2) - m * (m + gap)).is_nonnegative),
        "for i != j at most one of q_i, q_j is the smallest square q_(1) = m, the other is >= q_(2) = m + g: "
        "q_i q_j - q_(1) q_(2) = (m + e_1)(m + g + e_2) - m (m + g) >= 0, so the hypothesis "
        "eta |(pi - y) pi| <= |w_(1) w_(2)|, i.e. a^2 <= q_(1) q_(2), gives a^2 <= q_i q_j for all i != j",
        log,
        how="SymPy sign assumptions (expansion with non-negative terms)",
    )


def _chebyshev(log: list) -> list:
    """Step 2: Chebyshev's sum inequality (weights mu_i, sum mu = 1) as an exact identity; its terms are >= 0.

    Returns the explicit cross-checks for D = 2..5, which the last step extends and checks.
    """
    tau = sp.Symbol("tau", real=True)
    explicit = []
    for D in range(2, 6):
        mu = sp.symbols(f"mu1:{D + 1}", positive=True)
        dl = sp.symbols(f"delta1:{D + 1}", real=True)
        p = sp.symbols(f"p1:{D + 1}", real=True)
        lhs = sum(m * d * x for m, d, x in zip(mu, dl, p, strict=True)) - sum(
            m * d for m, d in zip(mu, dl, strict=True)
        ) * sum(m * x for m, x in zip(mu, p, strict=True))
        rhs = sp.Rational(1, 2) * sum(
            mu[i] * mu[j] * (dl[i] - dl[j]) * (p[i] - p[j]) for i, j in itertools.product(range(D), repeat=2)
        )
        explicit.append(sp.expand(lhs.subs(mu[-1], 1 - sum(mu[:-1])) - rhs.subs(mu[-1], 1 - sum(mu[:-1]))))
    mu_, dl_, p_ = sp.IndexedBase("mu"), sp.IndexedBase("delta"), sp.IndexedBase("p")
    J = sp.Symbol("j", integer=True, positive=True)
    double = sp.Rational(1, 2) * sp.Sum(
        mu_[I_SYM] * mu_[J] * (dl_[I_SYM] - dl_[J]) * (p_[I_SYM] - p_[J]), (I_SYM, 1, D_SYM), (J, 1, D_SYM)
    )
    single = lambda e: sp.Sum(e, (I_SYM, 1, D_SYM))  # noqa: E731
    cov = single(mu_[I_SYM] * dl_[I_SYM] * p_[I_SYM]) * single(mu_[I_SYM]) - single(mu_[I_SYM] * dl_[I_SYM]) * single(
        mu_[I_SYM] * p_[I_SYM]
    )
    check_zero(
        linear_sums(double - cov),
        "every D (symbolic sums): 1/2 sum_{i,j} mu_i mu_j (delta_i - delta_j)(p_i - p_j) = "
        "(sum mu_i delta_i p_i)(sum mu_i) - (sum mu_i delta_i)(sum mu_i p_i), which is Cov_mu(delta, p) when "
        "sum_i mu_i = 1",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("Cov_mu(delta, p)", "Sum(mu_i*mu_j*(delta_i - delta_j)*(p_i - p_j), (i, 1, D), (j, 1, D))/2"),
    )
    qa, qb, cc, A = sp.symbols("q_i q_j c a", positive=True)
    ua, ub = qa + tau * A**2 / qa + cc, qb + tau * A**2 / qb + cc
    prod = (A**2 / qa - A**2 / qb) * (1 / ua - 1 / ub)
    check_zero(
        sp.together(prod - A**2 * (qa - qb) ** 2 * (1 - tau * A**2 / (qa * qb)) / (qa * qb * ua * ub)),
        "with delta_i = a^2/q_i and p_i(tau) = 1/(q_i(tau) + c*(tau)): (delta_i - delta_j)(p_i - p_j) = "
        "a^2 (q_i - q_j)^2 (1 - tau a^2/(q_i q_j)) / (q_i q_j (q_i(tau) + c*)(q_j(tau) + c*)), a product of "
        "non-negative factors by the first step: every term of the double sum is >= 0, so Cov >= 0",
        log,
        tex=formula(
            "(delta_i - delta_j)*(p_i - p_j)",
            "a**2*(q_i - q_j)**2*(1 - tau*a**2/(q_i*q_j))/(q_i*q_j*(q_i(tau) + cs)*(q_j(tau) + cs))",
        ),
    )
    return explicit


def _derivative_along_path(log: list, explicit: list) -> None:
    """Step 3: d psi/d tau = -P1 Cov_mu(delta, p) (variation formula, proof gd-step-squares); cross-checks."""
    for D in range(2, 6):
        ps = sp.symbols(f"p1:{D + 1}", positive=True)
        ds = sp.symbols(f"d1:{D + 1}", positive=True)
        mu = [x / sum(ps) for x in ps]
        cov = sum(m * d * x for m, d, x in zip(mu, ds, ps, strict=True)) - sum(
            m * d for m, d in zip(mu, ds, strict=True)
        ) * sum(m * x for m, x in zip(mu, ps, strict=True))
        dpsi = -sum(d * x * (x - sum(q**2 for q in ps) / sum(ps)) for d, x in zip(ds, ps, strict=True))
        explicit.append(dpsi + sum(ps) * cov)
    pp, dd = sp.IndexedBase("p"), sp.IndexedBase("d")
    P1s = sp.Sum(pp[I_SYM], (I_SYM, 1, D_SYM))
    P2s = sp.Sum(pp[I_SYM] ** 2, (I_SYM, 1, D_SYM))
    dpsi_s = -sp.Sum(dd[I_SYM] * pp[I_SYM] * (pp[I_SYM] - P2s / P1s), (I_SYM, 1, D_SYM))
    mu_s = [pp[I_SYM] / P1s]
    cov_s = sp.Sum(mu_s[0] * dd[I_SYM] * pp[I_SYM], (I_SYM, 1, D_SYM)) - sp.Sum(
        mu_s[0] * dd[I_SYM], (I_SYM, 1, D_SYM)
    ) * sp.Sum(mu_s[0] * pp[I_SYM], (I_SYM, 1, D_SYM))
    check_zero(
        sp.simplify(linear_sums(dpsi_s + P1s * cov_s)),
        "every D (symbolic sums): d psi/d tau = -sum_i delta_i p_i (p_i - P2/P1) = -P1 Cov_mu(delta, p) with "
        "mu_i = p_i/P1 (y = 1; the variation formula of proof gd-step-squares)",
        log,
        how="SymPy, symbolic D (linearity of finite sums)",
        tex=formula("Derivative(psi, tau)", "-P_1*Cov_mu(delta, p)") + r" \le 0",
    )
    check_zero(
        explicit,
        "cross-check with explicit sums for D = 2..5: the covariance identity (with sum_i mu_i = 1) and "
        "d psi/d tau = -P1 Cov_mu(delta, p)",
        log,
        how="SymPy simplify to 0 (explicit D = 2..5)",
    )
